/** Batch normalisation over [N, C, P]: fixed statistics in one pass (eval), and the batch's moments and gradients (training). */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import { splitOver } from '../threads/index.js';

/** What both directions read: the layout, the statistics and the affine scale. */
interface BatchNormStats {
  /** Batch, channels, and positions per channel (H * W, or L, or 1). */
  N: number;
  C: number;
  P: number;
  /** Mean and variance, C floats each: the running estimates, or the batch's (batchNormMoments). */
  mean: number;
  variance: number;
  /** Affine weight, C floats, or 0 for none. */
  weight: number;
  eps: number;
}

export interface BatchNormInferenceArgs extends BatchNormStats {
  /** Affine bias, C floats, or 0 for none. */
  bias: number;
}

/** Checks the sizes, eps and the pointers of BatchNormStats; returns N * C * P. */
function checkStats(k: Kernels, where: string, a: BatchNormStats): number {
  const n = size(where, 'N', a.N) * size(where, 'C', a.C) * size(where, 'P', a.P);
  if (!(a.eps >= 0)) throw new RangeError(`${where}: eps must be >= 0, got ${a.eps}`);
  if (n === 0) return 0;
  inMemory(k, where, 'mean', a.mean, a.C * 4);
  inMemory(k, where, 'variance', a.variance, a.C * 4);
  if (a.weight !== 0) inMemory(k, where, 'weight', a.weight, a.C * 4);
  return n;
}

/** y[n, c, p] = (x[n, c, p] - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]; y may be x. */
export function batchNormInference(k: Kernels, y: number, x: number, a: BatchNormInferenceArgs): void {
  const n = checkStats(k, 'batchNormInference', a);
  if (n === 0) return;
  inMemory(k, 'batchNormInference', 'x', x, n * 4);
  inMemory(k, 'batchNormInference', 'y', y, n * 4);
  if (a.bias !== 0) inMemory(k, 'batchNormInference', 'bias', a.bias, a.C * 4);
  // Images are independent; a single image's channels are too (one image has no channel stride).
  const perChannel = (p: number, c0: number) => (p === 0 ? 0 : p + c0 * 4);
  const task = a.N > 1
    ? (n0: number, n1: number) => ({ fn: 'f32_batchnorm_inference', args: [y + n0 * a.C * a.P * 4, x + n0 * a.C * a.P * 4, n1 - n0, a.C, a.P, a.mean, a.variance, a.weight, a.bias, a.eps] })
    : (c0: number, c1: number) => ({
      fn: 'f32_batchnorm_inference',
      args: [y + c0 * a.P * 4, x + c0 * a.P * 4, 1, c1 - c0, a.P, a.mean + c0 * 4, a.variance + c0 * 4, perChannel(a.weight, c0), perChannel(a.bias, c0), a.eps],
    });
  if (splitOver(k, 2 * n, a.N > 1 ? a.N : a.C, 1, task)) return;
  kernel(k, 'f32_batchnorm_inference')(y, x, a.N, a.C, a.P, a.mean, a.variance, a.weight, a.bias, a.eps);
}

/** Per-channel mean and biased variance of x [N, C, P] over N and P, into C floats each. */
export function batchNormMoments(k: Kernels, x: number, N: number, C: number, P: number, mean: number, variance: number): void {
  const n = size('batchNormMoments', 'N', N) * size('batchNormMoments', 'C', C) * size('batchNormMoments', 'P', P);
  if (C === 0) return;
  if (N * P === 0) throw new RangeError(`batchNormMoments: no values per channel (N = ${N}, P = ${P})`);
  inMemory(k, 'batchNormMoments', 'x', x, n * 4);
  inMemory(k, 'batchNormMoments', 'mean', mean, C * 4);
  inMemory(k, 'batchNormMoments', 'variance', variance, C * 4);
  // Each channel's sums run over the whole batch in one order: split the channels.
  if (splitOver(k, 2 * n, C, 1, (c0, c1) => ({ fn: 'f32_batchnorm_moments', args: [x, N, C, P, c0, c1, mean, variance] }))) return;
  kernel(k, 'f32_batchnorm_moments')(x, N, C, P, 0, C, mean, variance);
}

export interface BatchNormBackwardArgs extends BatchNormStats {
  /** Outputs, overwritten; 0 skips one. dx is [N, C, P], dweight and dbias C floats. */
  dx: number;
  dweight: number;
  dbias: number;
}

/** Gradients of training-mode batch norm, whose statistics depend on x, from dy [N, C, P]. */
export function batchNormBackward(k: Kernels, x: number, dy: number, a: BatchNormBackwardArgs): void {
  const n = checkStats(k, 'batchNormBackward', a);
  if (n === 0) return;
  inMemory(k, 'batchNormBackward', 'x', x, n * 4);
  inMemory(k, 'batchNormBackward', 'dy', dy, n * 4);
  if (a.dx !== 0) inMemory(k, 'batchNormBackward', 'dx', a.dx, n * 4);
  if (a.dweight !== 0) inMemory(k, 'batchNormBackward', 'dweight', a.dweight, a.C * 4);
  if (a.dbias !== 0) inMemory(k, 'batchNormBackward', 'dbias', a.dbias, a.C * 4);
  const args = (c0: number, c1: number) => [x, dy, a.N, a.C, a.P, c0, c1, a.mean, a.variance, a.weight, a.eps, a.dx, a.dweight, a.dbias];
  if (splitOver(k, 4 * n, a.C, 1, (c0, c1) => ({ fn: 'f32_batchnorm_backward', args: args(c0, c1) }))) return;
  kernel(k, 'f32_batchnorm_backward')(...args(0, a.C));
}

/**
 * s[c] = weight[c] / sqrt(var[c] + eps) and t[c] = bias[c] - mean[c] s[c] (C floats each), computed
 * as batchNormInference computes them, for an epilogue that applies them after a convolution.
 */
export function batchNormScaleShift(k: Kernels, C: number, mean: number, variance: number, weight: number, bias: number, eps: number, s: number, t: number): void {
  size('batchNormScaleShift', 'C', C);
  if (!(eps >= 0)) throw new RangeError(`batchNormScaleShift: eps must be >= 0, got ${eps}`);
  if (C === 0) return;
  for (const [what, p] of [['mean', mean], ['variance', variance], ['weight', weight], ['bias', bias], ['s', s], ['t', t]] as const) if (p !== 0) inMemory(k, 'batchNormScaleShift', what, p, C * 4);
  kernel(k, 'f32_batchnorm_scale_shift')(C, mean, variance, weight, bias, eps, s, t);
}
