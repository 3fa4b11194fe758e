/**
 * Sampling on the Philox4x32-10 counter-based generator (assembly/random/). A call takes a key
 * (two u32 words, drawn by the caller from its seeded generator) and the first block; element i's
 * bits depend only on (key, block of i), so samples are the same however the range is split.
 * `firstBlock` lets a caller continue one stream over several calls: a call over n elements uses
 * blocks firstBlock .. firstBlock + 4 ceil(n / 16) - 1 (see philoxBlocks).
 */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';

export interface PhiloxKey {
  k0: number;
  k1: number;
  /** First counter block (default 0). */
  firstBlock?: number;
}

/** Counter blocks a call over n elements consumes (16 elements per 4 blocks, whole groups). */
export function philoxBlocks(n: number): number {
  return Math.ceil(n / 16) * 4;
}

function keyArgs(where: string, key: PhiloxKey, n: number): [number, number, number] {
  const b0 = key.firstBlock ?? 0;
  for (const [what, v] of [['k0', key.k0], ['k1', key.k1], ['firstBlock', b0]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${where}: ${what} must be a u32, got ${v}`);
  }
  if (b0 + philoxBlocks(n) > 2 ** 32) throw new RangeError(`${where}: blocks ${b0} + ${philoxBlocks(n)} pass 2^32; use a new key`);
  return [key.k0 >>> 0, key.k1 >>> 0, b0 >>> 0];
}

/** out[i] uniform in [0, 1) on the 2^-24 grid. */
export function uniformPhilox(k: Kernels, out: number, n: number, key: PhiloxKey): void {
  size('uniformPhilox', 'n', n);
  if (n === 0) return;
  inMemory(k, 'uniformPhilox', 'out', out, n * 4);
  kernel(k, 'f32_uniform_philox')(out, n, ...keyArgs('uniformPhilox', key, n));
}

/** out[i] = 1 with probability p[i], else 0. out may alias p. */
export function bernoulliPhilox(k: Kernels, p: number, out: number, n: number, key: PhiloxKey): void {
  size('bernoulliPhilox', 'n', n);
  if (n === 0) return;
  inMemory(k, 'bernoulliPhilox', 'p', p, n * 4);
  inMemory(k, 'bernoulliPhilox', 'out', out, n * 4);
  kernel(k, 'f32_bernoulli_philox')(p, out, n, ...keyArgs('bernoulliPhilox', key, n));
}

/**
 * prob[i] = sigmoid(beta x[i]) (when prob is not 0) and out[i] = 1 with that probability: a binary
 * unit's conditional and its sample in one pass. out and prob may alias x.
 */
export function bernoulliSigmoidPhilox(k: Kernels, x: number, prob: number, out: number, n: number, beta: number, key: PhiloxKey): void {
  size('bernoulliSigmoidPhilox', 'n', n);
  if (n === 0) return;
  inMemory(k, 'bernoulliSigmoidPhilox', 'x', x, n * 4);
  if (prob !== 0) inMemory(k, 'bernoulliSigmoidPhilox', 'prob', prob, n * 4);
  inMemory(k, 'bernoulliSigmoidPhilox', 'out', out, n * 4);
  kernel(k, 'f32_bernoulli_sigmoid_philox')(x, prob, out, n, beta, ...keyArgs('bernoulliSigmoidPhilox', key, n));
}

/** out[i] = mean[i] (or 0 when mean is 0) + std z_i, z_i standard normal. out may alias mean. */
export function normalPhilox(k: Kernels, mean: number, out: number, n: number, std: number, key: PhiloxKey): void {
  size('normalPhilox', 'n', n);
  if (n === 0) return;
  if (mean !== 0) inMemory(k, 'normalPhilox', 'mean', mean, n * 4);
  inMemory(k, 'normalPhilox', 'out', out, n * 4);
  kernel(k, 'f32_normal_philox')(mean, out, n, std, ...keyArgs('normalPhilox', key, n));
}
