/** 2-D convolution and pooling on NCHW tensors, forward and backward side by side. */
import {
  avgPool2d as avgPoolKernel, avgPool2dBackward, channelSums, checkConvGeometry, conv2dBackward, conv2dForward, convColsFloats, maxPool2d as maxPoolKernel, convKeepsColumns,
  maxPool2dBackward, poolOutputSize, type Conv2dGeometry, type Pool2dGeometry,
} from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { isGradEnabled } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import { mean } from './reduce.js';
import { defineOp } from '../check/operands.js';
import { freshGradient } from '../autograd/fresh.js';
import { planeSumsOf, withPlaneSums } from '../autograd/plane-sums.js';
import { bool, checkOptions, int, intPair, optionKeys, show } from '../check/options.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}
export const CONV2D_OPTIONS = optionKeys<Conv2dOptions>({ stride: true, padding: true, dilation: true, groups: true });

export interface ConvParams {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** Checks conv2d's options (stride and dilation >= 1, padding >= 0, groups >= 1), naming `where`. */
export function readConvOptions(where: string, opts: Conv2dOptions = {}): ConvParams {
  checkOptions(where, opts, CONV2D_OPTIONS);
  return {
    stride: intPair(where, 'stride', opts.stride ?? 1),
    padding: intPair(where, 'padding', opts.padding ?? 0, 0),
    dilation: intPair(where, 'dilation', opts.dilation ?? 1),
    groups: int(where, 'groups', opts.groups ?? 1),
  };
}

/** PyTorch's F.conv2d: x [N, C, H, W], weight [OC, C/groups, KH, KW], bias [OC]. */
export const conv2d = defineOp('conv2d', 'x weight bias:tensor?', function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  if (x.ndim !== 4) throw new Error(`conv2d: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  if (weight.ndim !== 4) throw new Error(`conv2d: expected weight [OC, C/groups, KH, KW], got ${formatShape(weight.shape)}`);
  const { stride: [strideH, strideW], padding: [padH, padW], dilation: [dilationH, dilationW], groups } = readConvOptions('conv2d', opts);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [OC, CG, KH, KW] = weight.shape as [number, number, number, number];
  if (CG * groups !== C) {
    throw new Error(
      `conv2d: input ${formatShape(x.shape)} has ${C} channels, but weight ${formatShape(weight.shape)} with groups ${groups} expects ${CG * groups}`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== OC)) {
    throw new Error(`conv2d: bias ${formatShape(bias.shape)} does not match weight ${formatShape(weight.shape)}: expected [${OC}]`);
  }
  const g: Conv2dGeometry = { N, C, H, W, OC, KH, KW, strideH, strideW, padH, padW, dilationH, dilationW, groups };
  let OH: number;
  let OW: number;
  try {
    // An empty batch has the output size of any other batch (the geometry is checked on one image).
    ({ OH, OW } = checkConvGeometry(N === 0 ? { ...g, N: 1 } : g));
  } catch (e) {
    throw new Error(`${(e as Error).message} (input ${formatShape(x.shape)}, weight ${formatShape(weight.shape)})`);
  }
  if (N === 0) return emptyBatch(x, weight, bias ?? null, [0, OC, OH, OW]);
  const out = Tensor.empty([N, OC, OH, OW]);
  const k = x.k;
  // The filter gradient needs the im2col columns again: keep them from the forward pass when they fit.
  // Unless the shape runs another way (convKeepsColumns: Winograd rebuilds them, the direct kernel needs none).
  const colsFloats = isGradEnabled() && weight.requiresGrad && convKeepsColumns(g) ? convColsFloats(g) : null;
  const cols = colsFloats !== null ? Tensor.empty([colsFloats]) : null;
  conv2dForward(k, g, x.ptr, weight.ptr, bias ? bias.ptr : 0, out.ptr, cols?.ptr ?? 0);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return recordOp(
    out,
    'conv2d',
    inputs,
    (grad) => {
      const dx = x.requiresGrad ? Tensor.empty(x.shape) : null;
      const dw = weight.requiresGrad ? Tensor.empty(weight.shape) : null;
      const db = bias?.requiresGrad ? Tensor.empty(bias.shape) : null;
      // The bias gradient sums the output gradient's planes: from the sums that came with it (a
      // max pooling's backward pass made them) when it has them, else in the convolution's pass.
      const sums = db !== null ? planeSumsOf(grad) : undefined;
      conv2dBackward(k, g, x.ptr, weight.ptr, grad.ptr, dx?.ptr ?? 0, dw?.ptr ?? 0, sums === undefined ? db?.ptr ?? 0 : 0, cols?.ptr ?? 0);
      if (sums !== undefined) channelSums(k, db!.ptr, sums.ptr, N, OC, 1);
      return bias ? [dx, freshGradient(dw), freshGradient(db)] : [dx, freshGradient(dw)];
    },
    cols ? [x, weight, cols] : [x, weight],
    bias?.requiresGrad === true,
  );
});

/** conv2d over an empty batch: an empty output; the weight and bias get zero gradients. */
function emptyBatch(x: Tensor, weight: Tensor, bias: Tensor | null, shape: number[]): Tensor {
  const zerosOf = (t: Tensor) => (t.requiresGrad ? Tensor.empty(t.shape).fill_(0) : null);
  return recordOp(Tensor.empty(shape), 'conv2d', bias ? [x, weight, bias] : [x, weight], () =>
    bias ? [zerosOf(x), zerosOf(weight), zerosOf(bias)] : [zerosOf(x), zerosOf(weight)],
  );
}

export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  /** Round the output size up (PyTorch's ceil_mode). */
  ceilMode?: boolean;
}
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Count the zero padding in each window's divisor (default true, as in PyTorch). */
  countIncludePad?: boolean;
}
export const MAX_POOL2D_OPTIONS = optionKeys<Pool2dOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });
export const AVG_POOL2D_OPTIONS = optionKeys<AvgPool2dOptions>({ stride: true, padding: true, dilation: true, ceilMode: true, countIncludePad: true });

export interface PoolParams {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
}

/**
 * Checks a pooling window and its options (kernel, stride and dilation >= 1, padding at most half
 * the window, as PyTorch requires), naming `where`.
 */
export function readPoolOptions(where: string, kernelSize: Pair, opts: AvgPool2dOptions, avg: boolean): PoolParams {
  checkOptions(where, opts, avg ? AVG_POOL2D_OPTIONS : MAX_POOL2D_OPTIONS);
  const kernel = intPair(where, 'kernelSize', kernelSize);
  const p: PoolParams = {
    kernel,
    stride: intPair(where, 'stride', opts.stride ?? kernel),
    padding: intPair(where, 'padding', opts.padding ?? 0, 0),
    dilation: intPair(where, 'dilation', opts.dilation ?? 1),
    ceilMode: bool(where, 'ceilMode', opts.ceilMode ?? false),
    countIncludePad: bool(where, 'countIncludePad', opts.countIncludePad ?? true),
  };
  for (let i = 0; i < 2; i++) {
    const window = (p.kernel[i]! - 1) * p.dilation[i]! + 1;
    if (p.padding[i]! * 2 > window) {
      throw new RangeError(`${where}: padding ${show(opts.padding)} must be at most half the ${p.kernel[0]}x${p.kernel[1]} window${avg ? '' : ' (after dilation)'}`);
    }
  }
  return p;
}

function poolGeometry(x: Tensor, p: PoolParams, op: string): Pool2dGeometry {
  if (x.ndim !== 4) throw new Error(`${op}: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [[KH, KW], [strideH, strideW], [padH, padW], [dilationH, dilationW]] = [p.kernel, p.stride, p.padding, p.dilation];
  return { planes: N * C, H, W, KH, KW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode: p.ceilMode };
}

function outShape(x: Tensor, g: Pool2dGeometry, op: string): number[] {
  try {
    const { OH, OW } = poolOutputSize(g, op);
    return [x.shape[0]!, x.shape[1]!, OH, OW];
  } catch (e) {
    throw new Error(`${(e as Error).message} (input ${formatShape(x.shape)})`);
  }
}

/** PyTorch's F.max_pool2d (stride defaults to the kernel size). */
export const maxPool2d = defineOp('maxPool2d', 'x', function maxPool2d(x: Tensor, kernelSize: Pair, opts: Pool2dOptions = {}): Tensor {
  return maxPool('maxPool2d', x, kernelSize, opts, false);
});

/**
 * F.max_pool2d(F.relu(x)) as one op, one pass over x: ReLU is monotone, so this is also relu of the
 * pooled maxima, and only the pooled result is written (no ReLU output of x's size, no ReLU
 * gradient pass: a window whose maximum is not positive sends no gradient). The same values and
 * gradients as the two ops (NaN propagates; a pooled -0 reads +0). Sequential runs a ReLU followed
 * by a MaxPool2d through it.
 */
export const reluMaxPool2d = defineOp('reluMaxPool2d', 'x', function reluMaxPool2d(x: Tensor, kernelSize: Pair, opts: Pool2dOptions = {}): Tensor {
  return maxPool('reluMaxPool2d', x, kernelSize, opts, true);
});

function maxPool(op: string, x: Tensor, kernelSize: Pair, opts: Pool2dOptions, relu: boolean): Tensor {
  const g = poolGeometry(x, readPoolOptions(op, kernelSize, opts, false), op);
  const out = Tensor.empty(outShape(x, g, op));
  const k = x.k;
  const needsGrad = x.tracksGrad;
  // The winners' positions are kept only when a backward pass may need them.
  const idx = needsGrad ? Tensor.empty(out.shape) : null;
  const idxPtr = idx?.ptr ?? k.arena.alloc(out.size * 4);
  maxPoolKernel(k, g, x.ptr, out.ptr, idxPtr, relu);
  if (idx === null) {
    k.arena.free(idxPtr);
    return out;
  }
  return recordOp(
    out,
    op,
    [x],
    (grad) => {
      const dx = Tensor.empty(x.shape);
      // When x's op takes the planes' sums of its gradient (a convolution's bias), the pass sums them.
      const sums = x.node?.usesPlaneSums === true ? Tensor.empty([g.planes]) : null;
      maxPool2dBackward(k, g, grad.ptr, idx.ptr, dx.ptr, sums?.ptr ?? 0);
      return [sums === null ? dx : withPlaneSums(dx, sums)];
    },
    [idx],
  );
}

/** PyTorch's F.avg_pool2d (countIncludePad defaults to true, as in PyTorch). */
export const avgPool2d = defineOp('avgPool2d', 'x', function avgPool2d(x: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  const p = readPoolOptions('avgPool2d', kernelSize, opts, true);
  const g = poolGeometry(x, p, 'avgPool2d');
  const include = p.countIncludePad;
  const out = Tensor.empty(outShape(x, g, 'avgPool2d'));
  const k = x.k;
  avgPoolKernel(k, g, x.ptr, out.ptr, include);
  return recordOp(out, 'avgPool2d', [x], (grad) => {
    const dx = Tensor.empty(x.shape);
    avgPool2dBackward(k, g, grad.ptr, dx.ptr, include);
    return [dx];
  });
});

/** Global average pooling: [N, C, H, W] -> [N, C, 1, 1] (AdaptiveAvgPool2d(1)). */
export const globalAvgPool2d = defineOp('globalAvgPool2d', 'x', function globalAvgPool2d(x: Tensor): Tensor {
  if (x.ndim !== 4) throw new Error(`globalAvgPool2d: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  return mean(x, [2, 3], true);
});

/**
 * PyTorch's adaptive average pooling to [outH, outW]: output cell i averages input rows
 * floor(i*H/outH) .. ceil((i+1)*H/outH) (bins may overlap or repeat when the input is smaller).
 * Divisible sizes use the pooling kernel; other sizes loop over the bins.
 */
export const adaptiveAvgPool2d = defineOp('adaptiveAvgPool2d', 'x', function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  if (x.ndim !== 4) throw new Error(`adaptiveAvgPool2d: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [oh, ow] = intPair('adaptiveAvgPool2d', 'outputSize', outputSize);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (oh === 1 && ow === 1) return globalAvgPool2d(x);
  if (H === oh && W === ow) return x;
  if (H % oh === 0 && W % ow === 0) return avgPool2d(x, [H / oh, W / ow]);
  const bins = (size: number, out: number) =>
    Array.from({ length: out }, (_, i) => [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)] as const);
  const rows = bins(H, oh);
  const cols = bins(W, ow);
  const out = Tensor.empty([N, C, oh, ow]);
  const src = x.data;
  const dst = out.data;
  for (let p = 0; p < N * C; p++) {
    for (let i = 0; i < oh; i++) {
      const [h0, h1] = rows[i]!;
      for (let j = 0; j < ow; j++) {
        const [w0, w1] = cols[j]!;
        let s = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += src[(p * H + h) * W + w]!;
        dst[(p * oh + i) * ow + j] = s / ((h1 - h0) * (w1 - w0));
      }
    }
  }
  return recordOp(out, 'adaptiveAvgPool2d', [x], (grad) => {
    const dx = Tensor.empty(x.shape);
    const d = dx.data;
    d.fill(0);
    const g = grad.data;
    for (let p = 0; p < N * C; p++) {
      for (let i = 0; i < oh; i++) {
        const [h0, h1] = rows[i]!;
        for (let j = 0; j < ow; j++) {
          const [w0, w1] = cols[j]!;
          const v = g[(p * oh + i) * ow + j]! / ((h1 - h0) * (w1 - w0));
          for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) d[(p * H + h) * W + w]! += v;
        }
      }
    }
    return [dx];
  });
});
