/** Row gather / scatter-add by index (embedding lookup and its gradient). Indices are checked here. */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';

function checkIndices(k: Kernels, where: string, idx: number, n: number, rows: number): void {
  inMemory(k, where, 'indices', idx, n * 4);
  const view = k.arena.i32(idx, n);
  for (let i = 0; i < n; i++) {
    const v = view[i]!;
    if (v < 0 || v >= rows) throw new RangeError(`${where}: index ${v} at position ${i} is outside [0, ${rows})`);
  }
}

/** out[i,:] = table[idx[i],:]; idx is an i32 buffer of n entries, table has `rows` rows of dim floats. */
export function gatherRows(k: Kernels, out: number, table: number, rows: number, dim: number, idx: number, n: number): void {
  size('gatherRows', 'n', n);
  size('gatherRows', 'dim', dim);
  if (n === 0 || dim === 0) return;
  checkIndices(k, 'gatherRows', idx, n, rows);
  inMemory(k, 'gatherRows', 'table', table, rows * dim * 4);
  inMemory(k, 'gatherRows', 'out', out, n * dim * 4);
  kernel(k, 'f32_gather_rows')(out, table, idx, n, dim);
}

/** dtable[idx[i],:] += dout[i,:] (repeated indices accumulate). */
export function scatterAddRows(k: Kernels, dtable: number, rows: number, dim: number, dout: number, idx: number, n: number): void {
  size('scatterAddRows', 'n', n);
  size('scatterAddRows', 'dim', dim);
  if (n === 0 || dim === 0) return;
  checkIndices(k, 'scatterAddRows', idx, n, rows);
  inMemory(k, 'scatterAddRows', 'dtable', dtable, rows * dim * 4);
  inMemory(k, 'scatterAddRows', 'dout', dout, n * dim * 4);
  kernel(k, 'f32_scatter_add_rows')(dtable, dout, idx, n, dim);
}
