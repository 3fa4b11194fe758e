/** Normalisation with fixed statistics: batch norm of a network in eval mode, one pass. */
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
