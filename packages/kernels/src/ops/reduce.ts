/**
 * Reductions over the middle axis of x viewed as [outer, n, inner]; results are [outer, inner].
 * Sums use multiple SIMD accumulators and two-level (blocked) summation; max/min propagate NaN;
 * argmax/argmin return the first index on ties and treat NaN as the extreme (all like PyTorch).
 */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import { runTasks, splitOver, splitRange, threadsFor, type Task } from '../threads/index.js';

/** A reduction split over the threads along `outer` (each result keeps its own order of summation). */
function byOuter(k: Kernels, fn: string, lead: number[], out: number, x: number, outer: number, n: number, inner: number): boolean {
  const task = (o0: number, o1: number) => ({ fn, args: [...lead, out + o0 * inner * 4, x + o0 * n * inner * 4, o1 - o0, n, inner] });
  return splitOver(k, outer * n * inner, outer, 1, task);
}

/**
 * A reduction with few outer rows (outer below twice the threads: e.g. a bias gradient summed over
 * the batch, [1, n, inner]) split along `inner` instead, in column ranges cut at multiples of 16:
 * each column is reduced by f32_reduce_cols exactly as f32_reduce reduces it (same vector block,
 * same order over n), so the bits do not change.
 */
function byColumns(k: Kernels, code: number, out: number, x: number, outer: number, n: number, inner: number): boolean {
  if (n === 0 || inner < 32) return false;
  const t = threadsFor(k, outer * n * inner);
  if (t <= 1 || outer >= 2 * t) return false;
  const tasks: Task[] = [];
  for (let o = 0; o < outer; o++) {
    for (const [j0, j1] of splitRange(inner, Math.ceil((2 * t) / outer), 16)) {
      tasks.push({ fn: 'f32_reduce_cols', args: [code, out + (o * inner + j0) * 4, x + (o * n * inner + j0) * 4, n, inner, j1 - j0] });
    }
  }
  if (tasks.length < 2) return false;
  runTasks(k, tasks);
  return true;
}

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

const REDUCE_CODES: Record<ReduceOp, number> = { sum: 0, mean: 1, max: 2, min: 3 };

function checkDims(k: Kernels, where: string, out: number, x: number, outer: number, n: number, inner: number): boolean {
  size(where, 'outer', outer);
  size(where, 'n', n);
  size(where, 'inner', inner);
  if (outer * inner === 0) return false;
  inMemory(k, where, 'x', x, outer * n * inner * 4);
  inMemory(k, where, 'out', out, outer * inner * 4);
  return true;
}

/**
 * out[o, j] = op over i of x[o, i, j]. An empty axis (n = 0) gives 0 for sum and NaN for mean, and
 * is an error for max and min (as in PyTorch). out must not overlap x.
 */
export function reduce(k: Kernels, op: ReduceOp, out: number, x: number, outer: number, n: number, inner: number): void {
  const code = REDUCE_CODES[op];
  if (code === undefined) throw new Error(`reduce: unknown op "${op}" (expected sum, mean, max, min)`);
  if (!checkDims(k, `reduce(${op})`, out, x, outer, n, inner)) return;
  if (n === 0 && (op === 'max' || op === 'min')) {
    throw new Error(`reduce(${op}): cannot reduce an empty axis (x is [${outer}, 0, ${inner}]); ${op} has no identity`);
  }
  if (byColumns(k, code, out, x, outer, n, inner)) return;
  if (byOuter(k, 'f32_reduce', [code], out, x, outer, n, inner)) return;
  kernel(k, 'f32_reduce')(code, out, x, outer, n, inner);
}

function argIndex(k: Kernels, name: 'argmax' | 'argmin', outI32: number, x: number, outer: number, n: number, inner: number): void {
  if (!checkDims(k, name, outI32, x, outer, n, inner)) return;
  if (n === 0) throw new Error(`${name}: cannot reduce an empty axis (x is [${outer}, 0, ${inner}])`);
  if (byOuter(k, `f32_${name}`, [], outI32, x, outer, n, inner)) return;
  kernel(k, `f32_${name}`)(outI32, x, outer, n, inner);
}

/** outI32[o, j] = the first i maximising x[o, i, j] (NaN counts as the maximum). */
export function argmax(k: Kernels, outI32: number, x: number, outer: number, n: number, inner: number): void {
  argIndex(k, 'argmax', outI32, x, outer, n, inner);
}

/** outI32[o, j] = the first i minimising x[o, i, j] (NaN counts as the minimum). */
export function argmin(k: Kernels, outI32: number, x: number, outer: number, n: number, inner: number): void {
  argIndex(k, 'argmin', outI32, x, outer, n, inner);
}

/**
 * out[c] = sum over n and p of x[n, c, p] for x [N, C, P] (a convolution's bias gradient): one pass
 * (f32_channel_sums), the same bits as reducing each row and then the batch; channel ranges on the threads.
 */
export function channelSums(k: Kernels, out: number, x: number, N: number, C: number, P: number): void {
  size('channelSums', 'N', N);
  size('channelSums', 'C', C);
  size('channelSums', 'P', P);
  if (C === 0) return;
  inMemory(k, 'channelSums', 'x', x, N * C * P * 4);
  inMemory(k, 'channelSums', 'out', out, C * 4);
  const task = (c0: number, c1: number) => ({ fn: 'f32_channel_sums', args: [x, N, C, P, c0, c1, out] });
  if (!splitOver(k, N * C * P, C, 1, task)) kernel(k, 'f32_channel_sums')(x, N, C, P, 0, C, out);
}
