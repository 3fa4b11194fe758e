/**
 * Softmax and log-softmax over the last axis of a row-major [rows, cols] matrix, max-subtracted.
 * A row of -Inf with one finite entry works (one-hot / 0 and -Inf); a row holding +Inf or NaN, or
 * only -Inf, gives NaN, like PyTorch. Outputs may be the inputs (in place).
 */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import { splitOver } from '../threads/index.js';

function run(k: Kernels, name: string, where: string, ptrs: [string, number][], rows: number, cols: number): boolean {
  size(where, 'rows', rows);
  size(where, 'cols', cols);
  if (rows === 0 || cols === 0) return false;
  for (const [what, p] of ptrs) inMemory(k, where, what, p, rows * cols * 4);
  // Rows are independent: the threads take ranges of rows.
  const task = (r0: number, r1: number) => ({ fn: name, args: [...ptrs.map(([, p]) => p + r0 * cols * 4), r1 - r0, cols] });
  if (!splitOver(k, 8 * rows * cols, rows, 1, task)) kernel(k, name)(...ptrs.map(([, p]) => p), rows, cols);
  return true;
}

/** out[r, :] = softmax(x[r, :]). */
export function softmaxRows(k: Kernels, out: number, x: number, rows: number, cols: number): void {
  run(k, 'f32_softmax_rows', 'softmaxRows', [['out', out], ['x', x]], rows, cols);
}

/** out[r, :] = log_softmax(x[r, :]) = x - max - log(sum exp(x - max)). */
export function logSoftmaxRows(k: Kernels, out: number, x: number, rows: number, cols: number): void {
  run(k, 'f32_log_softmax_rows', 'logSoftmaxRows', [['out', out], ['x', x]], rows, cols);
}

/** dx = y * (dy - sum(dy * y)) per row, y = softmaxRows output. dx may be dy. */
export function softmaxRowsBackward(k: Kernels, dx: number, dy: number, y: number, rows: number, cols: number): void {
  run(k, 'f32_softmax_rows_backward', 'softmaxRowsBackward', [['dx', dx], ['dy', dy], ['y', y]], rows, cols);
}

/** dx = dy - exp(y) * sum(dy) per row, y = logSoftmaxRows output. dx may be dy. */
export function logSoftmaxRowsBackward(k: Kernels, dx: number, dy: number, y: number, rows: number, cols: number): void {
  run(k, 'f32_log_softmax_rows_backward', 'logSoftmaxRowsBackward', [['dx', dx], ['dy', dy], ['y', y]], rows, cols);
}

/**
 * Cross-entropy against class labels, the forward half: logp = logSoftmaxRows(x) (same bits) and
 * loss[r] = -logp[r, target[r]] (0 where target[r] is -1: an ignored row). target: i32, one per row,
 * each -1 or in [0, cols).
 */
export function crossEntropyRows(k: Kernels, logp: number, loss: number, x: number, target: number, rows: number, cols: number): void {
  size('crossEntropyRows', 'rows', rows);
  size('crossEntropyRows', 'cols', cols);
  if (rows === 0 || cols === 0) return;
  for (const [what, p] of [['logp', logp], ['x', x]] as const) inMemory(k, 'crossEntropyRows', what, p, rows * cols * 4);
  inMemory(k, 'crossEntropyRows', 'loss', loss, rows * 4);
  inMemory(k, 'crossEntropyRows', 'target', target, rows * 4);
  checkTargets(k, 'crossEntropyRows', target, rows, cols);
  const task = (r0: number, r1: number) => ({ fn: 'f32_cross_entropy_rows', args: [logp + r0 * cols * 4, loss + r0 * 4, x + r0 * cols * 4, target + r0 * 4, r1 - r0, cols] });
  if (!splitOver(k, 8 * rows * cols, rows, 1, task)) kernel(k, 'f32_cross_entropy_rows')(logp, loss, x, target, rows, cols);
}

/**
 * Cross-entropy's backward half: dx[r] = c_r * (softmax(x[r]) - onehot(target[r])) with c_r =
 * g[r * gStride] * scale (gStride 0: one gradient for every row, e.g. the mean's with scale
 * 1 / rows counted), 0 for ignored rows; logp is crossEntropyRows' output.
 */
export function crossEntropyRowsBackward(k: Kernels, dx: number, logp: number, target: number, g: number, gStride: 0 | 1, scale: number, rows: number, cols: number): void {
  size('crossEntropyRowsBackward', 'rows', rows);
  size('crossEntropyRowsBackward', 'cols', cols);
  if (rows === 0 || cols === 0) return;
  for (const [what, p] of [['dx', dx], ['logp', logp]] as const) inMemory(k, 'crossEntropyRowsBackward', what, p, rows * cols * 4);
  inMemory(k, 'crossEntropyRowsBackward', 'target', target, rows * 4);
  inMemory(k, 'crossEntropyRowsBackward', 'g', g, (gStride === 0 ? 1 : rows) * 4);
  checkTargets(k, 'crossEntropyRowsBackward', target, rows, cols);
  const task = (r0: number, r1: number) => ({
    fn: 'f32_cross_entropy_rows_backward',
    args: [dx + r0 * cols * 4, logp + r0 * cols * 4, target + r0 * 4, g + r0 * gStride * 4, gStride, scale, r1 - r0, cols],
  });
  if (!splitOver(k, 8 * rows * cols, rows, 1, task)) kernel(k, 'f32_cross_entropy_rows_backward')(dx, logp, target, g, gStride, scale, rows, cols);
}

/** Throws unless every target is -1 or a class in [0, cols) (the kernels index rows with them). */
function checkTargets(k: Kernels, where: string, target: number, rows: number, cols: number): void {
  const t = k.arena.i32(target, rows);
  for (let r = 0; r < rows; r++) {
    const v = t[r]!;
    if (v < -1 || v >= cols) throw new RangeError(`${where}: target[${r}] is ${v}, expected -1 (ignored) or a class in [0, ${cols})`);
  }
}
