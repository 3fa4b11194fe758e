/** Batch normalisation over [N, C, P]: fixed statistics in one pass (eval), and the batch's moments and gradients (training). */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';

export interface BatchNormInferenceArgs {
  /** Batch, channels, and positions per channel (H * W, or L, or 1). */
  N: number;
  C: number;
  P: number;
  /** Running mean and variance, C floats each. */
  mean: number;
  variance: number;
  /** Affine weight and bias, C floats each, or 0 for none. */
  weight: number;
  bias: number;
  eps: number;
}

/** y[n, c, p] = (x[n, c, p] - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]; y may be x. */
export function batchNormInference(k: Kernels, y: number, x: number, a: BatchNormInferenceArgs): void {
  const n = size('batchNormInference', 'N', a.N) * size('batchNormInference', 'C', a.C) * size('batchNormInference', 'P', a.P);
  if (!(a.eps >= 0)) throw new RangeError(`batchNormInference: eps must be >= 0, got ${a.eps}`);
  if (n === 0) return;
  inMemory(k, 'batchNormInference', 'x', x, n * 4);
  inMemory(k, 'batchNormInference', 'y', y, n * 4);
  inMemory(k, 'batchNormInference', 'mean', a.mean, a.C * 4);
  inMemory(k, 'batchNormInference', 'variance', a.variance, a.C * 4);
  if (a.weight !== 0) inMemory(k, 'batchNormInference', 'weight', a.weight, a.C * 4);
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

export interface BatchNormBackwardArgs {
  N: number;
  C: number;
  P: number;
  /** The batch's mean and biased variance (batchNormMoments), C floats each. */
  mean: number;
  variance: number;
  /** Affine weight (C floats) or 0 for none. */
  weight: number;
  eps: number;
  /** Outputs, overwritten; 0 skips one. dx is [N, C, P], dweight and dbias C floats. */
  dx: number;
  dweight: number;
  dbias: number;
}

/** Gradients of training-mode batch norm, whose statistics depend on x, from dy [N, C, P]. */
export function batchNormBackward(k: Kernels, x: number, dy: number, a: BatchNormBackwardArgs): void {
  const n = size('batchNormBackward', 'N', a.N) * size('batchNormBackward', 'C', a.C) * size('batchNormBackward', 'P', a.P);
  if (!(a.eps >= 0)) throw new RangeError(`batchNormBackward: eps must be >= 0, got ${a.eps}`);
  if (n === 0) return;
  inMemory(k, 'batchNormBackward', 'x', x, n * 4);
  inMemory(k, 'batchNormBackward', 'dy', dy, n * 4);
  inMemory(k, 'batchNormBackward', 'mean', a.mean, a.C * 4);
  inMemory(k, 'batchNormBackward', 'variance', a.variance, a.C * 4);
  if (a.weight !== 0) inMemory(k, 'batchNormBackward', 'weight', a.weight, a.C * 4);
  if (a.dx !== 0) inMemory(k, 'batchNormBackward', 'dx', a.dx, n * 4);
  if (a.dweight !== 0) inMemory(k, 'batchNormBackward', 'dweight', a.dweight, a.C * 4);
  if (a.dbias !== 0) inMemory(k, 'batchNormBackward', 'dbias', a.dbias, a.C * 4);
  kernel(k, 'f32_batchnorm_backward')(x, dy, a.N, a.C, a.P, a.mean, a.variance, a.weight, a.eps, a.dx, a.dweight, a.dbias);
}
