/** Kernels of the energy-based models (assembly/energy/): free-energy terms in one pass, AIS half-steps in one call. */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import { splitOver } from '../threads/index.js';
import { keyArgs, philoxBlocks, PHILOX_COST, type PhiloxKey } from './random.js';

/** out[r] = sum_j softplus(beta x[r, j]) for x [rows, cols] (softplus(y) = log(1 + e^y), overflow-free). */
export function softplusRowSum(k: Kernels, x: number, out: number, rows: number, cols: number, beta = 1): void {
  size('softplusRowSum', 'rows', rows);
  size('softplusRowSum', 'cols', cols);
  if (rows === 0) return;
  inMemory(k, 'softplusRowSum', 'x', x, rows * cols * 4);
  inMemory(k, 'softplusRowSum', 'out', out, rows * 4);
  kernel(k, 'f32_softplus_rowsum')(x, out, rows, cols, beta);
}

/** Rows per thread piece so that each piece starts at a multiple of 16 elements (a whole Philox group). */
function rowAlign(cols: number): number {
  let g = 16;
  while (cols % g !== 0) g >>= 1;
  return 16 / g;
}

/**
 * AIS hidden half-step (beta1 -> beta2) of a binary-hidden RBM, x [rows, cols] = W v + c and v
 * [rows, vcols]: inc[r] = (beta2 - beta1) v[r].d + sum_j (softplus(beta2 x[r, j]) - softplus(beta1 x[r, j]))
 * (betas rounded to f32, their difference exact), and out = 1 with probability sigmoid(beta2 x): the
 * samples bernoulliSigmoidPhilox(x, beta2) gives with the same key. Rows split over threads; the same
 * bits at any thread count. out must not alias x.
 */
export function aisHiddenStep(
  k: Kernels, x: number, v: number, d: number, inc: number, out: number, rows: number, cols: number, vcols: number, beta1: number, beta2: number, key: PhiloxKey,
): void {
  size('aisHiddenStep', 'rows', rows);
  size('aisHiddenStep', 'cols', cols);
  size('aisHiddenStep', 'vcols', vcols);
  if (rows === 0) return;
  const n = rows * cols;
  inMemory(k, 'aisHiddenStep', 'x', x, n * 4);
  inMemory(k, 'aisHiddenStep', 'v', v, rows * vcols * 4);
  inMemory(k, 'aisHiddenStep', 'd', d, vcols * 4);
  inMemory(k, 'aisHiddenStep', 'inc', inc, rows * 4);
  inMemory(k, 'aisHiddenStep', 'out', out, n * 4);
  const [k0, k1, b0] = keyArgs('aisHiddenStep', key, n);
  const args = (r0: number, r1: number): number[] => [
    x + r0 * cols * 4, v + r0 * vcols * 4, d, inc + r0 * 4, out + r0 * cols * 4, r1 - r0, cols, vcols, beta1, beta2, k0, k1, b0 + philoxBlocks(r0 * cols),
  ];
  // Per element: Philox, three exponentials and two logarithms; per row the dot product with d.
  if (splitOver(k, (PHILOX_COST + 24) * n + rows * vcols, rows, rowAlign(cols), (r0, r1) => ({ fn: 'f32_ais_hidden', args: args(r0, r1) }))) return;
  kernel(k, 'f32_ais_hidden')(...args(0, rows));
}

/**
 * AIS visible half-step of binary units at inverse temperature beta, y [rows, cols] = h W: the logits
 * y = (y + d) beta + a in place (d = b - bA, a = bA; rounded as separate add, scale and add ops), then
 * out = 1 with probability sigmoid(y). Rows split over threads; the same bits at any thread count.
 */
export function aisVisibleStep(k: Kernels, y: number, d: number, a: number, out: number, rows: number, cols: number, beta: number, key: PhiloxKey): void {
  size('aisVisibleStep', 'rows', rows);
  size('aisVisibleStep', 'cols', cols);
  if (rows === 0) return;
  const n = rows * cols;
  inMemory(k, 'aisVisibleStep', 'y', y, n * 4);
  inMemory(k, 'aisVisibleStep', 'd', d, cols * 4);
  inMemory(k, 'aisVisibleStep', 'a', a, cols * 4);
  inMemory(k, 'aisVisibleStep', 'out', out, n * 4);
  const [k0, k1, b0] = keyArgs('aisVisibleStep', key, n);
  const args = (r0: number, r1: number): number[] => [y + r0 * cols * 4, d, a, out + r0 * cols * 4, r1 - r0, cols, beta, k0, k1, b0 + philoxBlocks(r0 * cols)];
  if (splitOver(k, (PHILOX_COST + 8) * n, rows, rowAlign(cols), (r0, r1) => ({ fn: 'f32_ais_visible', args: args(r0, r1) }))) return;
  kernel(k, 'f32_ais_visible')(...args(0, rows));
}

/**
 * The bias gradient of a contrastive-divergence step: g (+)= alphaA colsum(a) - alphaB colsum(b), for a
 * [rowsA, cols] and b [rowsB, cols] (the model's and the data's statistics), in one call. The bits of
 * the separate ops (column sums as reduce sums them when cols > 1, scale, sub, then copy or axpy into g).
 */
export function cdBiasGrad(k: Kernels, g: number, a: number, rowsA: number, alphaA: number, b: number, rowsB: number, alphaB: number, cols: number, accumulate: boolean): void {
  size('cdBiasGrad', 'rowsA', rowsA);
  size('cdBiasGrad', 'rowsB', rowsB);
  size('cdBiasGrad', 'cols', cols);
  if (cols === 0) return;
  inMemory(k, 'cdBiasGrad', 'g', g, cols * 4);
  inMemory(k, 'cdBiasGrad', 'a', a, rowsA * cols * 4);
  inMemory(k, 'cdBiasGrad', 'b', b, rowsB * cols * 4);
  kernel(k, 'f32_cd_bias_grad')(g, a, rowsA, alphaA, b, rowsB, alphaB, cols, accumulate ? 1 : 0);
}
