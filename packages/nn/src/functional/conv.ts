/** 2-D convolution and pooling on NCHW tensors, forward and backward side by side. */
import {
  avgPool2d as avgPoolKernel, avgPool2dBackward, checkConvGeometry, conv2dBackward, conv2dForward, convColsFloats, maxPool2d as maxPoolKernel, convKeepsColumns,
  maxPool2dBackward, poolOutputSize, type Conv2dGeometry, type Pool2dGeometry,
} from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { isGradEnabled } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import { mean } from './reduce.js';
import { defineOp } from '../check/operands.js';

export type Pair = number | readonly [number, number];

function pair(v: Pair, name: string, op: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d))) throw new Error(`${op}: ${name} must be integers, got ${JSON.stringify(v)}`);
  return p;
}

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** PyTorch's F.conv2d: x [N, C, H, W], weight [OC, C/groups, KH, KW], bias [OC]. */
export const conv2d = defineOp('conv2d', 'x weight bias:tensor?', function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  if (x.ndim !== 4) throw new Error(`conv2d: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  if (weight.ndim !== 4) throw new Error(`conv2d: expected weight [OC, C/groups, KH, KW], got ${formatShape(weight.shape)}`);
  const groups = opts.groups ?? 1;
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
  const [strideH, strideW] = pair(opts.stride ?? 1, 'stride', 'conv2d');
  const [padH, padW] = pair(opts.padding ?? 0, 'padding', 'conv2d');
  const [dilationH, dilationW] = pair(opts.dilation ?? 1, 'dilation', 'conv2d');
  const g: Conv2dGeometry = { N, C, H, W, OC, KH, KW, strideH, strideW, padH, padW, dilationH, dilationW, groups };
  let OH: number;
  let OW: number;
  try {
    ({ OH, OW } = checkConvGeometry(g));
  } catch (e) {
    throw new Error(`${(e as Error).message} (input ${formatShape(x.shape)}, weight ${formatShape(weight.shape)})`);
  }
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
      conv2dBackward(k, g, x.ptr, weight.ptr, grad.ptr, dx?.ptr ?? 0, dw?.ptr ?? 0, db?.ptr ?? 0, cols?.ptr ?? 0);
      return bias ? [dx, dw, db] : [dx, dw];
    },
    cols ? [x, weight, cols] : [x, weight],
  );
});

export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  /** Round the output size up (PyTorch's ceil_mode). */
  ceilMode?: boolean;
}

function poolGeometry(x: Tensor, kernelSize: Pair, opts: Pool2dOptions, op: string): Pool2dGeometry {
  if (x.ndim !== 4) throw new Error(`${op}: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [KH, KW] = pair(kernelSize, 'kernelSize', op);
  const [strideH, strideW] = pair(opts.stride ?? kernelSize, 'stride', op);
  const [padH, padW] = pair(opts.padding ?? 0, 'padding', op);
  const [dilationH, dilationW] = pair(opts.dilation ?? 1, 'dilation', op);
  return { planes: N * C, H, W, KH, KW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode: opts.ceilMode ?? false };
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
  const g = poolGeometry(x, kernelSize, opts, 'maxPool2d');
  const out = Tensor.empty(outShape(x, g, 'maxPool2d'));
  const k = x.k;
  const needsGrad = x.tracksGrad;
  // The winners' positions are kept only when a backward pass may need them.
  const idx = needsGrad ? Tensor.empty(out.shape) : null;
  const idxPtr = idx?.ptr ?? k.arena.alloc(out.size * 4);
  maxPoolKernel(k, g, x.ptr, out.ptr, idxPtr);
  if (idx === null) {
    k.arena.free(idxPtr);
    return out;
  }
  return recordOp(
    out,
    'maxPool2d',
    [x],
    (grad) => {
      const dx = Tensor.empty(x.shape);
      maxPool2dBackward(k, g, grad.ptr, idx.ptr, dx.ptr);
      return [dx];
    },
    [idx],
  );
});

/** PyTorch's F.avg_pool2d (countIncludePad defaults to true, as in PyTorch). */
export const avgPool2d = defineOp('avgPool2d', 'x', function avgPool2d(x: Tensor, kernelSize: Pair, opts: Pool2dOptions & { countIncludePad?: boolean } = {}): Tensor {
  const g = poolGeometry(x, kernelSize, opts, 'avgPool2d');
  const include = opts.countIncludePad ?? true;
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
  const [oh, ow] = pair(outputSize, 'outputSize', 'adaptiveAvgPool2d');
  if (!(oh >= 1 && ow >= 1)) throw new Error(`adaptiveAvgPool2d: output size must be positive, got ${oh}x${ow}`);
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
