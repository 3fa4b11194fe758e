/**
 * One converter per op: the op's record in, ONNX nodes out. Element-wise ops, activations, linear
 * and matrix products, convolution, pooling, batch norm, softmax, embedding and reductions live
 * here; shape ops in shape-converters.ts, recurrent layers in recurrent-converters.ts.
 */
import { DataType } from './proto.js';
import { float, type AttrValue } from './graph.js';
import type { ExportContext } from './context.js';
import { isRef, type ValueRef } from './trace.js';
import { SHAPE_CONVERTERS } from './shape-converters.js';
import { RECURRENT_CONVERTERS } from './recurrent-converters.js';

export type Converter = (ctx: ExportContext) => void;

const arg = (ctx: ExportContext, i: number): ValueRef => {
  const v = ctx.rec.args[i];
  if (!isRef(v)) return ctx.fail(`argument ${i + 1} is not a tensor`);
  return v;
};
export const out = (ctx: ExportContext): ValueRef => {
  const v = ctx.rec.result;
  if (!isRef(v)) return ctx.fail('the result is not a tensor');
  return v;
};
const opt = <T>(ctx: ExportContext, i: number): Partial<T> => (ctx.rec.args[i] ?? {}) as Partial<T>;
const pair = (v: unknown, dflt: number): [number, number] =>
  v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [(v as number[])[0]!, (v as number[])[1]!];

/** A tensor argument or a number (a scalar constant). */
function operand(ctx: ExportContext, v: unknown): string {
  return typeof v === 'number' ? ctx.floats([v]) : ctx.name(v as ValueRef);
}

const unary = (opType: string): Converter => (ctx) => void ctx.emit(out(ctx), opType, [ctx.name(arg(ctx, 0))]);
const binary = (opType: string): Converter => (ctx) =>
  void ctx.emit(out(ctx), opType, [operand(ctx, ctx.rec.args[0]), operand(ctx, ctx.rec.args[1])]);

/** y = alpha * x + beta. */
const affine: Converter = (ctx) => {
  const [, alpha, beta = 0] = ctx.rec.args as [unknown, number, number?];
  let y = ctx.name(arg(ctx, 0));
  if (alpha !== 1) [y] = ctx.node('Mul', [y, ctx.floats([alpha])]);
  if (beta !== 0) [y] = ctx.node('Add', [y!, ctx.floats([beta])]);
  if (alpha === 1 && beta === 0) [y] = ctx.node('Identity', [y]);
  ctx.bind(out(ctx), y!);
};

/** step(x) = 1 where x > 0, else 0. */
const step: Converter = (ctx) => {
  const [gt] = ctx.node('Greater', [ctx.name(arg(ctx, 0)), ctx.floats([0])]);
  ctx.emit(out(ctx), 'Cast', [gt!], { to: DataType.FLOAT });
};

/** gaussian(x) = exp(-x^2). */
const gaussian: Converter = (ctx) => {
  const x = ctx.name(arg(ctx, 0));
  const [sq] = ctx.node('Mul', [x, x]);
  const [neg] = ctx.node('Neg', [sq!]);
  ctx.emit(out(ctx), 'Exp', [neg!]);
};

const clamp: Converter = (ctx) => {
  const [, lo = -Infinity, hi = Infinity] = ctx.rec.args as [unknown, number?, number?];
  const inputs = [ctx.name(arg(ctx, 0)), lo === -Infinity ? '' : ctx.floats([lo]), hi === Infinity ? '' : ctx.floats([hi])];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  ctx.emit(out(ctx), 'Clip', inputs);
};

/** x @ W^T + b: Gemm for a batch of rows, MatMul + Add for more axes. */
const linear: Converter = (ctx) => {
  const x = arg(ctx, 0);
  const w = arg(ctx, 1);
  const b = ctx.rec.args[2];
  if (x.shape.length === 2) {
    ctx.emit(out(ctx), 'Gemm', [ctx.name(x), ctx.name(w), ...(isRef(b) ? [ctx.name(b)] : [])], { transB: 1 });
    return;
  }
  const [wt] = ctx.node('Transpose', [ctx.name(w)], { perm: [1, 0] });
  const [y] = ctx.node('MatMul', [ctx.name(x), wt!]);
  if (isRef(b)) ctx.emit(out(ctx), 'Add', [y!, ctx.name(b)]);
  else ctx.bind(out(ctx), y!);
};

interface ConvOpts { stride: number | number[]; padding: number | number[]; dilation: number | number[]; groups: number }
const conv2d: Converter = (ctx) => {
  const w = arg(ctx, 1);
  const b = ctx.rec.args[2];
  const o = opt<ConvOpts>(ctx, 3);
  const [ph, pw] = pair(o.padding, 0);
  ctx.emit(out(ctx), 'Conv', [ctx.name(arg(ctx, 0)), ctx.name(w), ...(isRef(b) ? [ctx.name(b)] : [])], {
    kernel_shape: w.shape.slice(2), strides: pair(o.stride, 1), pads: [ph, pw, ph, pw], dilations: pair(o.dilation, 1), group: o.groups ?? 1,
  });
};

/** Transposed convolution: the weight layout [C_in, C_out/groups, KH, KW] is ONNX's; the output padding is read off the result's size. */
const convTranspose2d: Converter = (ctx) => {
  const x = arg(ctx, 0);
  const w = arg(ctx, 1);
  const b = ctx.rec.args[2];
  const o = opt<ConvOpts>(ctx, 3);
  const [ph, pw] = pair(o.padding, 0);
  const s = pair(o.stride, 1);
  const d = pair(o.dilation, 1);
  const y = out(ctx);
  const outputPadding = [0, 1].map((i) => y.shape[2 + i]! - ((x.shape[2 + i]! - 1) * s[i]! - 2 * [ph, pw][i]! + d[i]! * (w.shape[2 + i]! - 1) + 1));
  ctx.emit(y, 'ConvTranspose', [ctx.name(x), ctx.name(w), ...(isRef(b) ? [ctx.name(b)] : [])], {
    kernel_shape: w.shape.slice(2), strides: s, pads: [ph, pw, ph, pw], dilations: d, group: o.groups ?? 1, output_padding: outputPadding,
  });
};

interface InterpolateOpts { size: number | number[]; scaleFactor: number | number[]; mode: 'nearest' | 'bilinear'; alignCorners: boolean }
/**
 * interpolate / upsample as Resize: nearest is PyTorch's legacy rule (asymmetric, floor), bilinear
 * is pytorch_half_pixel or align_corners. A scale factor goes in as scales (PyTorch maps coordinates
 * with it); a size as sizes, the batch and channel counts read from the input at run time.
 */
const interpolate: Converter = (ctx) => {
  const x = arg(ctx, 0);
  const o = opt<InterpolateOpts>(ctx, 1);
  const y = out(ctx);
  const mode = o.mode ?? 'nearest';
  const attrs: Record<string, AttrValue | undefined> = mode === 'nearest'
    ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
    : { mode: 'linear', coordinate_transformation_mode: o.alignCorners ? 'align_corners' : 'pytorch_half_pixel' };
  if (o.scaleFactor !== undefined) {
    const [sh, sw] = pair(o.scaleFactor, 1);
    ctx.emit(y, 'Resize', [ctx.name(x), '', ctx.floats([1, 1, sh, sw], [4])], attrs);
    return;
  }
  const [shape] = ctx.node('Shape', [ctx.name(x)]);
  const [nc] = ctx.node('Slice', [shape!, ctx.ints([0]), ctx.ints([2])]);
  const [sizes] = ctx.node('Concat', [nc!, ctx.ints(y.shape.slice(2))], { axis: 0 });
  ctx.emit(y, 'Resize', [ctx.name(x), '', '', sizes!], attrs);
};

interface PoolOpts { stride: number | number[]; padding: number | number[]; dilation: number | number[]; ceilMode: boolean; countIncludePad: boolean }
/** ONNX's pooled size; refuses when it differs from ours (PyTorch drops a ceil-mode window that starts in the padding). */
function poolAttrs(ctx: ExportContext, avg: boolean): Record<string, AttrValue | undefined> {
  const x = arg(ctx, 0);
  const k = pair(ctx.rec.args[1], 1);
  const o = opt<PoolOpts>(ctx, 2);
  const s = pair(o.stride, 0).map((v, i) => (v === 0 ? k[i]! : v));
  const [ph, pw] = pair(o.padding, 0);
  const d = pair(o.dilation, 1);
  const ceil = o.ceilMode ?? false;
  const want = out(ctx).shape;
  [ph, pw].forEach((p, i) => {
    const span = x.shape[2 + i]! + 2 * p - d[i]! * (k[i]! - 1) - 1;
    const n = (ceil ? Math.ceil(span / s[i]!) : Math.floor(span / s[i]!)) + 1;
    if (n !== want[2 + i]) ctx.fail(`ONNX's ${avg ? 'AveragePool' : 'MaxPool'} would give ${n} instead of ${want[2 + i]} on axis ${2 + i} (ceil mode with a window starting in the padding)`);
  });
  const dilated = d[0] !== 1 || d[1] !== 1;
  if (avg && dilated && ctx.opset < 19) ctx.fail(`a dilated average pool needs opset 19 or later (exporting opset ${ctx.opset})`);
  return {
    kernel_shape: k, strides: s, pads: [ph, pw, ph, pw], ceil_mode: ceil ? 1 : 0,
    dilations: dilated ? d : undefined, count_include_pad: avg ? ((o.countIncludePad ?? true) ? 1 : 0) : undefined,
  };
}
const maxPool2d: Converter = (ctx) => void ctx.emit(out(ctx), 'MaxPool', [ctx.name(arg(ctx, 0))], poolAttrs(ctx, false));
const avgPool2d: Converter = (ctx) => void ctx.emit(out(ctx), 'AveragePool', [ctx.name(arg(ctx, 0))], poolAttrs(ctx, true));
const globalAvgPool2d: Converter = (ctx) => void ctx.emit(out(ctx), 'GlobalAveragePool', [ctx.name(arg(ctx, 0))]);

/**
 * Adaptive average pooling: global, a plain average pool when the sizes divide, and otherwise
 * PyTorch's bins (rows floor(i*H/oh) .. ceil((i+1)*H/oh)) as one slice and mean per bin, rows then
 * columns (a mean over a rectangle is the mean of its rows' means).
 */
const adaptiveAvgPool2d: Converter = (ctx) => {
  const x = arg(ctx, 0);
  const [oh, ow] = pair(ctx.rec.args[1], 1);
  if (oh === 1 && ow === 1) return globalAvgPool2d(ctx);
  const [H, W] = [x.shape[2]!, x.shape[3]!];
  if (ctx.dynamic(x)[2] || ctx.dynamic(x)[3]) ctx.fail('the input height and width must be fixed (not dynamic axes) unless the output is 1x1');
  if (H % oh === 0 && W % ow === 0) {
    ctx.emit(out(ctx), 'AveragePool', [ctx.name(x)], { kernel_shape: [H / oh, W / ow], strides: [H / oh, W / ow] });
    return;
  }
  let y = ctx.name(x);
  for (const [axis, size, n] of [[2, H, oh], [3, W, ow]] as const) {
    if (size === n) continue;
    const parts: string[] = [];
    const axes = ctx.ints([axis]);
    for (let i = 0; i < n; i++) {
      const [lo, hi] = [Math.floor((i * size) / n), Math.ceil(((i + 1) * size) / n)];
      const [bin] = ctx.node('Slice', [y, ctx.ints([lo]), ctx.ints([hi]), axes]);
      parts.push(ctx.node('ReduceMean', ctx.opset >= 18 ? [bin!, axes] : [bin!], ctx.opset >= 18 ? { keepdims: 1 } : { axes: [axis], keepdims: 1 })[0]!);
    }
    [y] = ctx.node('Concat', parts, { axis });
  }
  ctx.bind(out(ctx), y!);
};

interface BatchNormArgs { runningMean: ValueRef | null; runningVar: ValueRef | null; weight: ValueRef | null; bias: ValueRef | null; training: boolean; eps: number }
/** Batch norm with the running statistics (eval mode). */
const batchNorm: Converter = (ctx) => {
  const x = arg(ctx, 0);
  const a = opt<BatchNormArgs>(ctx, 1);
  if (a.training) ctx.fail('batch norm in training mode cannot be exported (the exporter puts the model in eval mode; this call asks for training: true)');
  if (!a.runningMean || !a.runningVar) ctx.fail('batch norm without running statistics (trackRunningStats: false) normalises with each batch\'s statistics: not exportable as BatchNormalization');
  const C = x.shape[1]!;
  const scale = a.weight ? ctx.name(a.weight) : ctx.floats(new Array<number>(C).fill(1), [C]);
  const bias = a.bias ? ctx.name(a.bias) : ctx.floats(new Array<number>(C).fill(0), [C]);
  ctx.emit(out(ctx), 'BatchNormalization', [ctx.name(x), scale, bias, ctx.name(a.runningMean!), ctx.name(a.runningVar!)], { epsilon: float(a.eps ?? 1e-5) });
};

const softmax = (opType: string): Converter => (ctx) => {
  const x = arg(ctx, 0);
  const axis = (ctx.rec.args[1] as number | undefined) ?? -1;
  ctx.emit(out(ctx), opType, [ctx.name(x)], { axis: axis < 0 ? axis + x.shape.length : axis });
};

/** Rows of the table picked by integer ids: Gather on int64 indices. */
const embedding: Converter = (ctx) => {
  const ids = ctx.rec.args[0];
  const weight = arg(ctx, 1);
  let index: string;
  if (isRef(ids)) {
    index = ids.kind === 'input' && ctx.int64Inputs.has(ids.index) ? ctx.name(ids) : ctx.node('Cast', [ctx.name(ids)], { to: DataType.INT64 })[0]!;
  } else {
    const o = ids as { indices?: ArrayLike<number>; shape?: number[] } | ArrayLike<number>;
    const values = 'indices' in o && o.indices ? Array.from(o.indices) : Array.from(o as ArrayLike<number>);
    const shape = 'shape' in o && o.shape ? o.shape : [values.length];
    index = ctx.graph.int64Initializer('indices', shape, values);
  }
  ctx.emit(out(ctx), 'Gather', [ctx.name(weight), index], { axis: 0 });
};

/** sum / mean / max / min over axes (all when none are given); axes became an input in opset 13 (sum) and 18 (others). */
const reduce = (opType: string, inputFrom: number): Converter => (ctx) => {
  const x = arg(ctx, 0);
  const [, axesArg, keepDim = false] = ctx.rec.args as [unknown, number | number[] | undefined, boolean?];
  const rank = x.shape.length;
  const axes = axesArg === undefined ? undefined : (typeof axesArg === 'number' ? [axesArg] : axesArg).map((a) => (a < 0 ? a + rank : a));
  const inputs = [ctx.name(x)];
  const attrs: Record<string, AttrValue | undefined> = { keepdims: keepDim ? 1 : 0 };
  if (axes !== undefined) {
    if (ctx.opset >= inputFrom) inputs.push(ctx.ints(axes));
    else attrs.axes = axes;
  }
  ctx.emit(out(ctx), opType, inputs, attrs);
};

/** zerosLike / onesLike: ConstantOfShape of the input's shape (read at run time, so dynamic axes follow). */
const filledLike = (value: number): Converter => (ctx) => {
  const [shape] = ctx.node('Shape', [ctx.name(arg(ctx, 0))]);
  const [zeros] = ctx.node('ConstantOfShape', [shape!]);
  if (value === 0) ctx.bind(out(ctx), zeros!);
  else ctx.emit(out(ctx), 'Add', [zeros!, ctx.floats([value])]);
};

export const CONVERTERS: Record<string, Converter> = {
  identity: unary('Identity'), detach: unary('Identity'), clone: unary('Identity'),
  relu: unary('Relu'), sigmoid: unary('Sigmoid'), tanh: unary('Tanh'), exp: unary('Exp'), log: unary('Log'), sqrt: unary('Sqrt'),
  abs: unary('Abs'), reciprocal: unary('Reciprocal'), neg: unary('Neg'),
  square: (ctx) => void ctx.emit(out(ctx), 'Mul', [ctx.name(arg(ctx, 0)), ctx.name(arg(ctx, 0))]),
  leakyRelu: (ctx) => void ctx.emit(out(ctx), 'LeakyRelu', [ctx.name(arg(ctx, 0))], { alpha: float((ctx.rec.args[1] as number | undefined) ?? 0.01) }),
  elu: (ctx) => void ctx.emit(out(ctx), 'Elu', [ctx.name(arg(ctx, 0))], { alpha: float((ctx.rec.args[1] as number | undefined) ?? 1) }),
  step, gaussian, clamp, affine,
  add: binary('Add'), sub: binary('Sub'), mul: binary('Mul'), div: binary('Div'),
  linear, matmul: binary('MatMul'), conv2d, convTranspose2d, interpolate, maxPool2d, avgPool2d, globalAvgPool2d, adaptiveAvgPool2d, batchNorm,
  softmax: softmax('Softmax'), logSoftmax: softmax('LogSoftmax'), embedding,
  sum: reduce('ReduceSum', 13), mean: reduce('ReduceMean', 18), max: reduce('ReduceMax', 18), min: reduce('ReduceMin', 18),
  zerosLike: filledLike(0), onesLike: filledLike(1),
  ...SHAPE_CONVERTERS,
  ...RECURRENT_CONVERTERS,
};
