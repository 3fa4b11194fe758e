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
