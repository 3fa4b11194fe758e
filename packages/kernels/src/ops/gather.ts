/**
 * Row gather / scatter-add by index (embedding lookup and its gradient, message passing). Indices are
 * checked here. Both split over threads: the gather by output rows; the scatter-add by destination
 * rows, through the positions grouped by destination (a counting sort, stable), so that each row
 * receives its additions in the order of the one-thread kernel and the bits do not change.
 */
import type { Kernels } from '../load.js';
import { PIECES_PER_THREAD, runTasks, splitCsrRows, splitOver, threadsFor } from '../threads/index.js';
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
  if (splitOver(k, n * dim, n, 1, (s, e) => ({ fn: 'f32_gather_rows', args: [out + s * dim * 4, table, idx + s * 4, e - s, dim] }))) return;
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
  const t = threadsFor(k, n * dim);
  if (t > 1 && rows > 1) scatterAddByRows(k, dtable, rows, dim, dout, idx, n, t);
  else kernel(k, 'f32_scatter_add_rows')(dtable, dout, idx, n, dim);
}

/** The parallel scatter-add: positions grouped by destination row (in increasing order), rows split over t threads. */
function scatterAddByRows(k: Kernels, dtable: number, rows: number, dim: number, dout: number, idx: number, n: number, t: number): void {
  const ix = k.arena.i32(idx, n);
  const rowptr = new Int32Array(rows + 1);
  for (let i = 0; i < n; i++) rowptr[ix[i]! + 1]!++;
  for (let r = 0; r < rows; r++) rowptr[r + 1]! += rowptr[r]!;
  const next = rowptr.slice(0, rows);
  const pos = new Int32Array(n);
  for (let i = 0; i < n; i++) pos[next[ix[i]!]!++] = i;
  const rp = k.arena.alloc((rows + 1) * 4);
  const pp = k.arena.alloc(n * 4);
  try {
    k.arena.i32(rp, rows + 1).set(rowptr);
    k.arena.i32(pp, n).set(pos);
    const row = dim * 4;
    runTasks(k, splitCsrRows(rowptr, rows, t * PIECES_PER_THREAD).map(([a, b]) => ({ fn: 'f32_scatter_add_csr', args: [dtable + a * row, dout, rp + a * 4, pp, b - a, dim] })));
  } finally {
    k.arena.free(rp);
    k.arena.free(pp);
  }
}
