/**
 * PyTorch's F.conv_transpose2d on the convolution kernels, forward and backward side by side.
 *
 * A transposed convolution with weight [C_in, C_out/groups, KH, KW] is the input gradient of the
 * convolution that maps its output [N, C_out, H_out, W_out] back to its input [N, C_in, H, W] with
 * the same weight (a conv2d weight [OC, C/groups, KH, KW] with OC = C_in, C = C_out). So:
 *   forward           = conv2dBackward's input gradient (dy = x);
 *   input gradient    = conv2d forward of the output gradient;
 *   weight gradient   = conv2dBackward's filter gradient with the roles swapped (x = output gradient, dy = x);
 *   bias gradient     = the output gradient summed over N, H and W.
 * Every path of the convolution (dense, Winograd, im2col + GEMM, threads) is thereby reused.
 */
import { binary, checkConvGeometry, conv2dBackward, conv2dForward, copyStrided, fill, reduce, type Conv2dGeometry, type Kernels } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';
import { checkOptions, int, intPair, optionKeys } from '../check/options.js';
import type { Pair } from './conv.js';

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Extra rows and columns on the bottom and right of the output (each < stride or < dilation). */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  /**
   * The output's [H, W] (or [N, C, H, W]), as PyTorch's `output_size`: picks the output padding, so it
   * must lie between the smallest output and that plus stride - 1. Overrides outputPadding.
   */
  outputSize?: readonly number[];
}
export const CONV_TRANSPOSE2D_OPTIONS = optionKeys<ConvTranspose2dOptions>({
  stride: true, padding: true, outputPadding: true, dilation: true, groups: true, outputSize: true,
});

export interface ConvTransposeParams {
  stride: [number, number];
  padding: [number, number];
  outputPadding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** Checks convTranspose2d's options (without outputSize, which needs the input), naming `where`. */
export function readConvTransposeOptions(where: string, opts: ConvTranspose2dOptions = {}): ConvTransposeParams {
  checkOptions(where, opts, CONV_TRANSPOSE2D_OPTIONS);
  const p: ConvTransposeParams = {
    stride: intPair(where, 'stride', opts.stride ?? 1),
    padding: intPair(where, 'padding', opts.padding ?? 0, 0),
    outputPadding: intPair(where, 'outputPadding', opts.outputPadding ?? 0, 0),
    dilation: intPair(where, 'dilation', opts.dilation ?? 1),
    groups: int(where, 'groups', opts.groups ?? 1),
  };
  checkOutputPadding(where, p.outputPadding, p.stride, p.dilation);
  return p;
}

function checkOutputPadding(where: string, op: readonly number[], stride: readonly number[], dilation: readonly number[]): void {
  for (let i = 0; i < 2; i++) {
    if (op[i]! >= stride[i]! && op[i]! >= dilation[i]!) {
      throw new RangeError(
        `${where}: outputPadding ${op[0]}x${op[1]} must be smaller than either stride ${stride[0]}x${stride[1]} or dilation ${dilation[0]}x${dilation[1]}`,
      );
    }
  }
}

/** (in - 1) stride - 2 padding + dilation (k - 1) + outputPadding + 1, PyTorch's output size. */
export function convTransposeOutputSize(input: number, k: number, stride: number, pad: number, dilation = 1, outputPadding = 0): number {
  return (input - 1) * stride - 2 * pad + dilation * (k - 1) + outputPadding + 1;
}

/** The output padding that gives `outputSize` (PyTorch's _output_padding), or an error naming the range. */
function outputPaddingFor(where: string, outputSize: unknown, minSizes: [number, number], stride: [number, number]): [number, number] {
  const ok = Array.isArray(outputSize) && (outputSize.length === 2 || outputSize.length === 4) && outputSize.every((d) => Number.isSafeInteger(d) && d >= 0);
  if (!ok) throw new RangeError(`${where}: outputSize must be [H, W] or [N, C, H, W] of non-negative integers, got ${JSON.stringify(outputSize)}`);
  const [h, w] = (outputSize as number[]).slice(-2) as [number, number];
  const [hMin, wMin] = minSizes;
  if (h < hMin || h > hMin + stride[0] - 1 || w < wMin || w > wMin + stride[1] - 1) {
    throw new RangeError(
      `${where}: requested an output size of ${h}x${w}, but valid sizes range from ${hMin}x${wMin} to ${hMin + stride[0] - 1}x${wMin + stride[1] - 1} (for this input and stride ${stride[0]}x${stride[1]})`,
    );
  }
  return [h - hMin, w - wMin];
}

/**
 * PyTorch's F.conv_transpose2d: x [N, C_in, H, W], weight [C_in, C_out/groups, KH, KW], bias [C_out];
 * output [N, C_out, (H-1)·stride - 2·padding + dilation·(KH-1) + outputPadding + 1, likewise for W].
 */
export const convTranspose2d = defineOp('convTranspose2d', 'x weight bias:tensor?', function convTranspose2d(
  x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {},
): Tensor {
  const where = 'convTranspose2d';
  if (x.ndim !== 4) throw new Error(`${where}: expected input [N, C_in, H, W], got ${formatShape(x.shape)}`);
  if (weight.ndim !== 4) throw new Error(`${where}: expected weight [C_in, C_out/groups, KH, KW], got ${formatShape(weight.shape)}`);
  const p = readConvTransposeOptions(where, opts);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [CW, OG, KH, KW] = weight.shape as [number, number, number, number];
  const shapes = `(input ${formatShape(x.shape)}, weight ${formatShape(weight.shape)})`;
  if (CW !== C) throw new Error(`${where}: input ${formatShape(x.shape)} has ${C} channels, but weight ${formatShape(weight.shape)} expects ${CW}`);
  if (C % p.groups !== 0) throw new Error(`${where}: ${C} input channels are not divisible by groups ${p.groups} ${shapes}`);
  if (OG < 1 || KH < 1 || KW < 1) throw new Error(`${where}: weight ${formatShape(weight.shape)} is empty`);
  if (H < 1 || W < 1) throw new Error(`${where}: input ${formatShape(x.shape)} has no pixels`);
  const OC = OG * p.groups;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== OC)) {
    throw new Error(`${where}: bias ${formatShape(bias.shape)} does not match weight ${formatShape(weight.shape)} with groups ${p.groups}: expected [${OC}]`);
  }
  const { stride, padding, dilation } = p;
  const size = (i: 0 | 1, op: number) => convTransposeOutputSize(i === 0 ? H : W, i === 0 ? KH : KW, stride[i], padding[i], dilation[i], op);
  let op = p.outputPadding;
  if (opts.outputSize !== undefined) {
    op = outputPaddingFor(where, opts.outputSize, [size(0, 0), size(1, 0)], stride);
    checkOutputPadding(where, op, stride, dilation);
  }
  const [OH, OW] = [size(0, op[0]), size(1, op[1])];
  if (OH < 1 || OW < 1) {
    throw new RangeError(
      `${where}: the output would be ${OH}x${OW}: padding ${padding[0]}x${padding[1]} is too large for a ${KH}x${KW} kernel ` +
        `(dilation ${dilation[0]}x${dilation[1]}, stride ${stride[0]}x${stride[1]}) on a ${H}x${W} input`,
    );
  }
  // The convolution from the output back to the input: its output is [N, C, H', W'] with H' = H, or
  // more when outputPadding >= stride (allowed when < dilation): x is then zero-padded to H' x W'.
  const g: Conv2dGeometry = {
    N: Math.max(N, 1), C: OC, H: OH, W: OW, OC: C, KH, KW, strideH: stride[0], strideW: stride[1], padH: padding[0], padW: padding[1],
    dilationH: dilation[0], dilationW: dilation[1], groups: p.groups,
  };
  const { OH: HC, OW: WC } = checkConvGeometry(g, where);
  const outShape = [N, OC, OH, OW];
  if (N === 0) return emptyBatch(x, weight, bias ?? null, outShape);
  const k = x.k;
  const grown = HC !== H || WC !== W ? growInput(k, x, HC, WC) : null;
  const xc = grown ?? x;
  const out = Tensor.empty(outShape);
  conv2dBackward(k, g, 0, weight.ptr, xc.ptr, out.ptr, 0, 0);
  if (bias) binary(k, 'add', out.ptr, out.ptr, [N, OC, OH * OW], bias.ptr, [1, OC, 1]);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return recordOp(
    out,
    'convTranspose2d',
    inputs,
    (grad) => {
      let dx: Tensor | null = null;
      if (x.requiresGrad) {
        dx = Tensor.empty(x.shape);
        if (grown === null) conv2dForward(k, g, grad.ptr, weight.ptr, 0, dx.ptr);
        else {
          const full = k.arena.alloc(N * C * HC * WC * 4);
          try {
            conv2dForward(k, g, grad.ptr, weight.ptr, 0, full);
            copyStrided(k, dx.ptr, [H * W, W, 1], full, [HC * WC, WC, 1], [N * C, H, W]);
          } finally {
            k.arena.free(full);
          }
        }
      }
      const dw = weight.requiresGrad ? Tensor.empty(weight.shape) : null;
      if (dw) conv2dBackward(k, g, grad.ptr, weight.ptr, xc.ptr, 0, dw.ptr, 0);
      const db = bias?.requiresGrad ? Tensor.empty(bias.shape) : null;
      if (db) {
        const perImage = k.arena.alloc(N * OC * 4);
        reduce(k, 'sum', perImage, grad.ptr, N * OC, OH * OW, 1);
        reduce(k, 'sum', db.ptr, perImage, 1, N, OC);
        k.arena.free(perImage);
      }
      return bias ? [dx, dw, db] : [dx, dw];
    },
    grown ? [x, weight, grown] : [x, weight],
  );
});

/** x [N, C, H, W] zero-padded at the bottom and right to [N, C, HC, WC]. */
function growInput(k: Kernels, x: Tensor, HC: number, WC: number): Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const t = Tensor.empty([N, C, HC, WC]);
  fill(k, t.ptr, t.size, 0);
  copyStrided(k, t.ptr, [HC * WC, WC, 1], x.ptr, [H * W, W, 1], [N * C, H, W]);
  return t;
}

/** An empty batch: an empty output; the weight and bias get zero gradients. */
function emptyBatch(x: Tensor, weight: Tensor, bias: Tensor | null, shape: number[]): Tensor {
  const zerosOf = (t: Tensor) => (t.requiresGrad ? Tensor.empty(t.shape).fill_(0) : null);
  return recordOp(Tensor.empty(shape), 'convTranspose2d', bias ? [x, weight, bias] : [x, weight], () =>
    bias ? [zerosOf(x), zerosOf(weight), zerosOf(bias)] : [zerosOf(x), zerosOf(weight)],
  );
}
