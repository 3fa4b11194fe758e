/** Batch normalisation over [N, C, P]: fixed statistics in one pass (eval), and the batch's moments and gradients (training). */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';

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
  kernel(k, 'f32_batchnorm_moments')(x, N, C, P, mean, variance);
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
  kernel(k, 'f32_batchnorm_backward')(x, dy, a.N, a.C, a.P, a.mean, a.variance, a.weight, a.eps, a.dx, a.dweight, a.dbias);
}
