/** Kernels of the energy-based models (assembly/energy/): free-energy terms in one pass, AIS half-steps in one call. */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import { runTasks, splitOver, splitRange, threadsFor, type Task } from '../threads/index.js';
import { keyArgs, philoxBlocks, PHILOX_COST, type PhiloxKey } from './random.js';
import { packedBFloats, type PackedB } from './gemm.js';

/** out[r] = sum_j softplus(beta x[r, j]) for x [rows, cols] (softplus(y) = log(1 + e^y), overflow-free). */
export function softplusRowSum(k: Kernels, x: number, out: number, rows: number, cols: number, beta = 1): void {
  size('softplusRowSum', 'rows', rows);
  size('softplusRowSum', 'cols', cols);
  if (rows === 0) return;
  inMemory(k, 'softplusRowSum', 'x', x, rows * cols * 4);
  inMemory(k, 'softplusRowSum', 'out', out, rows * 4);
  kernel(k, 'f32_softplus_rowsum')(x, out, rows, cols, beta);
}

/**
 * Splits [0, n) into FINE_PIECES calls per thread (at multiples of align) when the work is worth
 * threads: the CD step's kernels have no per-call cost to amortise (each piece streams only its own
 * part), and small pieces let whichever thread is free (the other may be descheduled on a busy
 * machine) take what is left. Returns false to run one call.
 */
function splitFine(k: Kernels, work: number, n: number, align: number, task: (s: number, e: number) => Task, scratchBytes = 0): boolean {
  const t = threadsFor(k, work);
  if (t <= 1 || n <= align) return false;
  runTasks(k, splitRange(n, t * FINE_PIECES, align).map(([s, e]) => task(s, e)), scratchBytes);
  return true;
}

const FINE_PIECES = 8;

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

/** Ints a list buffer of a [rows, cols] 0/1 matrix takes (binaryLists, binaryHalfStep's outLists): a count and up to cols columns per row. */
export function binaryListsInts(rows: number, cols: number): number {
  return rows * (cols + 1);
}

/**
 * Lists of the ones of each row of x [rows, cols] into lists (binaryListsInts(rows, cols) ints), for
 * binaryHalfStep; false (lists unusable) when a value is not 0 or 1 (-0 counts as 0). Rows split over threads.
 */
export function binaryLists(k: Kernels, x: number, rows: number, cols: number, lists: number): boolean {
  size('binaryLists', 'rows', rows);
  size('binaryLists', 'cols', cols);
  if (rows === 0) return true;
  inMemory(k, 'binaryLists', 'x', x, rows * cols * 4);
  inMemory(k, 'binaryLists', 'lists', lists, binaryListsInts(rows, cols) * 4);
  const args = (r0: number, r1: number): number[] => [x + r0 * cols * 4, r1 - r0, cols, lists + r0 * (cols + 1) * 4];
  if (splitOver(k, 2 * rows * cols, rows, 1, (r0, r1) => ({ fn: 'f32_binary_lists', args: args(r0, r1) }))) {
    const ints = k.arena.i32(lists, binaryListsInts(rows, cols));
    for (let r = 0; r < rows; r++) if (ints[r * (cols + 1)]! < 0) return false;
    return true;
  }
  return kernel(k, 'f32_binary_lists')(...args(0, rows)) === 1;
}

/** The product a binary half-step starts with: bias + (the 0/1 matrix [rows, B.K] of the row lists) B, B packed by packB. */
export interface BinaryProduct {
  /** Row lists of the 0/1 matrix (binaryLists, or a half-step's outLists). */
  lists: number;
  B: PackedB;
  /** Bias row [B.N] added first, or 0. */
  bias: number;
}

/**
 * A Gibbs half-step of binary units, [rows, n], in one kernel call on one thread: when `product` is given,
 * x = bias + (0/1 matrix of the lists) B (the total inputs, summed as additions of B's rows); then
 * with a key, sample = 1 with probability sigmoid(beta x) and prob (when not 0) = that probability,
 * the bits bernoulliSigmoidPhilox gives with the key; without one, prob = sigmoid(beta x) alone; and
 * when outLists is not 0, the sample's row lists (for the next product). On threads, two jobs: the
 * product by whole 8-column panels, the rest by rows at whole Philox groups; the same bits at any
 * thread count. prob may alias x.
 */
export function binaryHalfStep(
  k: Kernels, product: BinaryProduct | null, x: number, rows: number, n: number, prob: number, sample: number, outLists: number, beta: number, key: PhiloxKey | null,
): void {
  size('binaryHalfStep', 'rows', rows);
  size('binaryHalfStep', 'n', n);
  if (rows === 0 || n === 0) return;
  if ((sample === 0) !== (key === null)) throw new Error('binaryHalfStep: a sample needs a key, and a key a sample');
  if (sample === 0 && prob === 0) throw new Error('binaryHalfStep: nothing to write (no prob, no sample)');
  if (outLists !== 0 && sample === 0) throw new Error('binaryHalfStep: outLists lists a sample');
  const total = rows * n;
  inMemory(k, 'binaryHalfStep', 'x', x, total * 4);
  if (prob !== 0) inMemory(k, 'binaryHalfStep', 'prob', prob, total * 4);
  if (sample !== 0) inMemory(k, 'binaryHalfStep', 'sample', sample, total * 4);
  if (outLists !== 0) inMemory(k, 'binaryHalfStep', 'outLists', outLists, binaryListsInts(rows, n) * 4);
  const p = product;
  if (p !== null) {
    if (p.B.N !== n) throw new RangeError(`binaryHalfStep: the product's B has ${p.B.N} columns, x ${n}`);
    inMemory(k, 'binaryHalfStep', 'lists', p.lists, binaryListsInts(rows, p.B.K) * 4);
    inMemory(k, 'binaryHalfStep', 'B', p.B.ptr, packedBFloats(k, p.B.K, n) * 4);
    if (p.bias !== 0) inMemory(k, 'binaryHalfStep', 'bias', p.bias, n * 4);
  }
  const [k0, k1, b0] = key === null ? [0, 0, 0] : keyArgs('binaryHalfStep', key, total);
  const at = (ptr: number, r0: number, width: number) => (ptr === 0 ? 0 : ptr + r0 * width * 4);
  const args = (q: BinaryProduct | null, r0: number, r1: number): number[] => [
    q === null ? 0 : at(q.lists, r0, q.B.K + 1), q?.B.K ?? 0, q?.B.ptr ?? 0, q?.bias ?? 0,
    at(x, r0, n), r1 - r0, n, at(prob, r0, n), at(sample, r0, n), at(outLists, r0, n + 1), beta, k0, k1, b0 + philoxBlocks(r0 * n),
  ];
  // Per element: the sampler (or a sigmoid), and about K / 4 additions when the product runs (a quarter of the units on).
  const productWork = p === null ? 0 : (total * p.B.K) / 4;
  if (threadsFor(k, (PHILOX_COST + 8) * total + productWork) <= 1) {
    kernel(k, 'f32_binary_half_step')(...args(p, 0, rows));
    return;
  }
  // On threads the product splits by whole panels (each thread streams its part of B once; split by
  // rows, every piece would stream all of it), then the rest by rows at whole Philox groups.
  if (p !== null) {
    const K = p.B.K;
    const task = (c0: number, c1: number) => ({ fn: 'f32_binary_product', args: [p.lists, K, p.B.ptr + c0 * K * 4, p.bias === 0 ? 0 : p.bias + c0 * 4, x + c0 * 4, n, rows, c1 - c0] });
    if (!splitFine(k, productWork, n, 8, task)) kernel(k, 'f32_binary_product')(p.lists, K, p.B.ptr, p.bias, x, n, rows, n);
  }
  if (splitFine(k, (PHILOX_COST + 8) * total, rows, rowAlign(n), (r0, r1) => ({ fn: 'f32_binary_half_step', args: args(null, r0, r1) }))) return;
  kernel(k, 'f32_binary_half_step')(...args(null, 0, rows));
}

const outerScratch = new WeakMap<Kernels, { ptr: number; bytes: number }>();

/** The calling thread's scratch of at least `bytes` for binaryOuterGrad (kept, grown when needed). */
function serialScratch(k: Kernels, bytes: number): number {
  const have = outerScratch.get(k);
  if (have !== undefined && have.bytes >= bytes) return have.ptr;
  if (have !== undefined) k.arena.free(have.ptr);
  const ptr = k.arena.alloc(bytes);
  outerScratch.set(k, { ptr, bytes });
  return ptr;
}

/**
 * The weight statistics of a contrastive-divergence step with binary visible states, straight into
 * the gradient g [m, n]: g (+)= alphaA a^T va - alphaB b^T vb for a [rowsA, m], b [rowsB, m] and 0/1
 * matrices va [rowsA, n], vb [rowsB, n] (b = 0: the first term alone), each element's sums over the
 * rows where its column of va (vb) is one, as additions; one pass over g instead of two GEMMs. The
 * caller vouches that va and vb hold only 0 and 1 (binaryLists checks). Columns split over threads.
 */
export function binaryOuterGrad(
  k: Kernels, g: number, a: number, va: number, rowsA: number, alphaA: number, b: number, vb: number, rowsB: number, alphaB: number, m: number, n: number, accumulate: boolean,
): void {
  size('binaryOuterGrad', 'm', m);
  size('binaryOuterGrad', 'n', n);
  size('binaryOuterGrad', 'rowsA', rowsA);
  size('binaryOuterGrad', 'rowsB', rowsB);
  if (m === 0 || n === 0) return;
  inMemory(k, 'binaryOuterGrad', 'g', g, m * n * 4);
  inMemory(k, 'binaryOuterGrad', 'a', a, rowsA * m * 4);
  inMemory(k, 'binaryOuterGrad', 'va', va, rowsA * n * 4);
  if (b !== 0) {
    inMemory(k, 'binaryOuterGrad', 'b', b, rowsB * m * 4);
    inMemory(k, 'binaryOuterGrad', 'vb', vb, rowsB * n * 4);
  }
  const rb = b === 0 ? 0 : rowsB;
  const scratch = kernel(k, 'binary_outer_grad_scratch_bytes')(m, rowsA, rb) as number;
  const args = (j0: number, j1: number, s: number): number[] => [
    g + j0 * 4, n, a, va + j0 * 4, rowsA, alphaA, b, b === 0 ? 0 : vb + j0 * 4, rb, alphaB, m, j1 - j0, n, accumulate ? 1 : 0, s,
  ];
  // Per element of g: about a quarter of the rows' additions, and the pass over g.
  const work = m * n * ((rowsA + rb) / 4 + 2);
  if (splitFine(k, work, n, 16, (j0, j1) => ({ fn: 'f32_binary_outer_grad', args: args(j0, j1, 0), scratch: 14 }), scratch)) return;
  kernel(k, 'f32_binary_outer_grad')(...args(0, n, serialScratch(k, scratch)));
}
