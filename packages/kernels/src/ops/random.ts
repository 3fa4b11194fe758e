/**
 * Sampling on the Philox4x32-10 counter-based generator (assembly/random/). A call takes a key
 * (two u32 words, drawn by the caller from its seeded generator) and the first block; element i's
 * bits depend only on (key, block of i), so samples are the same however the range is split.
 * `firstBlock` lets a caller continue one stream over several calls: a call over n elements uses
 * blocks firstBlock .. firstBlock + 4 ceil(n / 16) - 1 (see philoxBlocks).
 *
 * Threads: a call splits into ranges starting at multiples of 16 elements, each call continuing the
 * stream at its own first block, so the samples are the same bits at any thread count.
 */
import type { Kernels } from '../load.js';
import { splitOver } from '../threads/index.js';
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

/** The checked key words and first block of a call over n elements (shared with the fused energy samplers). */
export function keyArgs(where: string, key: PhiloxKey, n: number): [number, number, number] {
  const b0 = key.firstBlock ?? 0;
  for (const [what, v] of [['k0', key.k0], ['k1', key.k1], ['firstBlock', b0]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${where}: ${what} must be a u32, got ${v}`);
  }
  if (b0 + philoxBlocks(n) > 2 ** 32) throw new RangeError(`${where}: blocks ${b0} + ${philoxBlocks(n)} pass 2^32; use a new key`);
  return [key.k0 >>> 0, key.k1 >>> 0, b0 >>> 0];
}

/** Philox element-wise work per element, against MIN_PARALLEL_WORK (ten rounds of four products per 4 elements). */
export const PHILOX_COST = 16;

/**
 * Runs a Philox kernel over [0, n), split over threads when large enough: args(s, e, b) are the
 * kernel's arguments for elements [s, e) starting at block b.
 */
function philoxCall(k: Kernels, fn: string, n: number, b0: number, args: (s: number, e: number, b: number) => number[]): void {
  if (splitOver(k, PHILOX_COST * n, n, 16, (s, e) => ({ fn, args: args(s, e, b0 + philoxBlocks(s)) }))) return;
  kernel(k, fn)(...args(0, n, b0));
}

/** out[i] uniform in [0, 1) on the 2^-24 grid. */
export function uniformPhilox(k: Kernels, out: number, n: number, key: PhiloxKey): void {
  size('uniformPhilox', 'n', n);
  if (n === 0) return;
  inMemory(k, 'uniformPhilox', 'out', out, n * 4);
  const [k0, k1, b0] = keyArgs('uniformPhilox', key, n);
  philoxCall(k, 'f32_uniform_philox', n, b0, (s, e, b) => [out + s * 4, e - s, k0, k1, b]);
}

/** out[i] = 1 with probability p[i], else 0. out may alias p. */
export function bernoulliPhilox(k: Kernels, p: number, out: number, n: number, key: PhiloxKey): void {
  size('bernoulliPhilox', 'n', n);
  if (n === 0) return;
  inMemory(k, 'bernoulliPhilox', 'p', p, n * 4);
  inMemory(k, 'bernoulliPhilox', 'out', out, n * 4);
  const [k0, k1, b0] = keyArgs('bernoulliPhilox', key, n);
  philoxCall(k, 'f32_bernoulli_philox', n, b0, (s, e, b) => [p + s * 4, out + s * 4, e - s, k0, k1, b]);
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
  const [k0, k1, b0] = keyArgs('bernoulliSigmoidPhilox', key, n);
  philoxCall(k, 'f32_bernoulli_sigmoid_philox', n, b0, (s, e, b) => [x + s * 4, prob === 0 ? 0 : prob + s * 4, out + s * 4, e - s, beta, k0, k1, b]);
}

/** out[i] = mean[i] (or 0 when mean is 0) + std z_i, z_i standard normal. out may alias mean. */
export function normalPhilox(k: Kernels, mean: number, out: number, n: number, std: number, key: PhiloxKey): void {
  size('normalPhilox', 'n', n);
  if (n === 0) return;
  if (mean !== 0) inMemory(k, 'normalPhilox', 'mean', mean, n * 4);
  inMemory(k, 'normalPhilox', 'out', out, n * 4);
  const [k0, k1, b0] = keyArgs('normalPhilox', key, n);
  philoxCall(k, 'f32_normal_philox', n, b0, (s, e, b) => [mean === 0 ? 0 : mean + s * 4, out + s * 4, e - s, std, k0, k1, b]);
}

/**
 * Inverted dropout in one pass: m_i = 0 with probability p (u_i < p), else scale; out[i] = src[i] m_i,
 * or m_i when src is 0 (the mask alone). out may alias src. Called again with the same key on the
 * output gradient it gives the backward pass (the same mask), so no mask needs keeping.
 */
export function dropoutPhilox(k: Kernels, src: number, out: number, n: number, p: number, scale: number, key: PhiloxKey): void {
  size('dropoutPhilox', 'n', n);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropoutPhilox: p must be in [0, 1], got ${p}`);
  if (!Number.isFinite(scale)) throw new RangeError(`dropoutPhilox: scale must be finite, got ${scale}`);
  if (n === 0) return;
  if (src !== 0) inMemory(k, 'dropoutPhilox', 'src', src, n * 4);
  inMemory(k, 'dropoutPhilox', 'out', out, n * 4);
  const [k0, k1, b0] = keyArgs('dropoutPhilox', key, n);
  philoxCall(k, 'f32_dropout_philox', n, b0, (s, e, b) => [src === 0 ? 0 : src + s * 4, out + s * 4, e - s, p, scale, k0, k1, b]);
}
