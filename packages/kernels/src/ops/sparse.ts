/**
 * Sparse kernels: CSR times dense (spmm), sampled dense-dense products (sddmm), softmax, sum, mean
 * and max over the edges of each row, and per-edge sums of source and destination rows.
 *
 * A CSR structure is checked once, when it is copied into kernel memory (`csrToKernels`): row
 * pointers start at 0, never decrease and end at the edge count; columns lie in [0, cols). The
 * wrappers then check only sizes and that every buffer lies in memory, so a graph used for hundreds
 * of epochs is validated once, not on every call. Weights and features are rows of `heads * dim`
 * floats; edge arrays hold one row per edge, in CSR order.
 *
 * Threads: every kernel here walks the rows of the index and writes only its own rows' outputs (the
 * node rows and the edges of those rows), so a call splits into row ranges (balanced by edges,
 * splitOverCsrRows); each row is computed by the same code in the same order, so the bits do not
 * depend on the thread count. Edge arrays are addressed by absolute edge number, so a range's call
 * gets only its row pointers (and its node rows) offset.
 */
import type { Kernels } from '../load.js';
import { splitOverCsrRows } from '../threads/index.js';
import { inMemory, kernel, size } from './check.js';

/** A CSR index in kernel memory: `rows + 1` row pointers and `nnz` column indices (i32). */
export interface Csr {
  readonly k: Kernels;
  readonly rows: number;
  /** Columns index rows of the dense operand: every column is below this. */
  readonly cols: number;
  readonly nnz: number;
  /** Byte offsets of the i32 arrays. */
  readonly rowptr: number;
  readonly col: number;
  /** False once freed (freeCsr): the wrappers refuse it. */
  readonly live: boolean;
}

interface MutableCsr extends Csr {
  live: boolean;
}

/** Throws unless rowptr/col describe a valid CSR index of `rows` rows over `cols` columns. */
export function checkCsr(where: string, rowptr: ArrayLike<number>, col: ArrayLike<number>, rows: number, cols: number): void {
  size(where, 'rows', rows);
  size(where, 'cols', cols);
  if (rowptr.length !== rows + 1) throw new RangeError(`${where}: rowptr has ${rowptr.length} entries, expected rows + 1 = ${rows + 1}`);
  if (rowptr[0] !== 0) throw new RangeError(`${where}: rowptr[0] must be 0, got ${rowptr[0]}`);
  for (let i = 0; i < rows; i++) {
    const a = rowptr[i]!;
    const b = rowptr[i + 1]!;
    if (!Number.isInteger(b) || b < a) throw new RangeError(`${where}: rowptr must not decrease, but rowptr[${i + 1}] = ${b} < rowptr[${i}] = ${a}`);
  }
  if (rowptr[rows] !== col.length) throw new RangeError(`${where}: rowptr[${rows}] = ${rowptr[rows]} but there are ${col.length} column indices`);
  for (let e = 0; e < col.length; e++) {
    const c = col[e]!;
    if (!(Number.isInteger(c) && c >= 0 && c < cols)) throw new RangeError(`${where}: column ${c} of entry ${e} is outside [0, ${cols})`);
  }
  if (col.length > 0x7fffffff) throw new RangeError(`${where}: ${col.length} entries do not fit 32-bit indices`);
}

/** Checks a CSR index and copies it into fresh kernel memory; free it with freeCsr. */
export function csrToKernels(k: Kernels, rowptr: ArrayLike<number>, col: ArrayLike<number>, rows: number, cols: number): Csr {
  checkCsr('csrToKernels', rowptr, col, rows, cols);
  const nnz = col.length;
  const rp = k.arena.alloc((rows + 1) * 4);
  const cp = k.arena.alloc(Math.max(1, nnz) * 4);
  k.arena.i32(rp, rows + 1).set(rowptr);
  k.arena.i32(cp, nnz).set(col);
  const csr: MutableCsr = { k, rows, cols, nnz, rowptr: rp, col: cp, live: true };
  return csr;
}

/** Returns a CSR index's memory to the arena. Safe to call twice. */
export function freeCsr(csr: Csr): void {
  if (!csr.live) return;
  (csr as MutableCsr).live = false;
  csr.k.arena.free(csr.rowptr);
  csr.k.arena.free(csr.col);
}

function live(where: string, k: Kernels, csr: Csr): void {
  if (!csr.live) throw new Error(`${where}: the CSR index was freed (a disposed graph?)`);
  if (csr.k !== k) throw new Error(`${where}: the CSR index lives in another kernel module (${csr.k.isa}) than this call (${k.isa})`);
}

export interface SpmmOptions {
  /** Divide each output row by its edge count. */
  mean?: boolean;
  /**
   * Read edge p's weights at row valuesAt.col[p] of val (an index with the same entries as csr, e.g.
   * the edge ids of a transposed CSR), instead of row p: Aᵀ's product reads A's weights in place.
   */
  valuesAt?: Csr;
}

/**
 * out[rows, heads*dim] = A · x: out[i, h, :] = sum over edges e of row i of w(e, h) * x[col[e], h, :],
 * w = val[e, h] (val = 0: all ones; valuesAt: val[valuesAt.col[e], h]). x has csr.cols rows.
 */
export function spmmCsr(k: Kernels, csr: Csr, out: number, x: number, val: number, heads: number, dim: number, opts: SpmmOptions = {}): void {
  live('spmmCsr', k, csr);
  size('spmmCsr', 'heads', heads);
  size('spmmCsr', 'dim', dim);
  const row = heads * dim * 4;
  if (csr.rows === 0 || row === 0) return;
  inMemory(k, 'spmmCsr', 'out', out, csr.rows * row);
  inMemory(k, 'spmmCsr', 'x', x, csr.cols * row);
  let vidx = 0;
  let weights = csr.nnz;
  if (opts.valuesAt !== undefined) {
    live('spmmCsr', k, opts.valuesAt);
    if (opts.valuesAt.nnz !== csr.nnz || opts.valuesAt.rows !== csr.rows) {
      throw new RangeError(`spmmCsr: valuesAt has ${opts.valuesAt.rows} rows and ${opts.valuesAt.nnz} entries, the index ${csr.rows} and ${csr.nnz}`);
    }
    vidx = opts.valuesAt.col;
    weights = opts.valuesAt.cols;
  }
  if (val !== 0) inMemory(k, 'spmmCsr', 'val', val, weights * heads * 4);
  const vi = val === 0 ? 0 : vidx;
  const mean = opts.mean ? 1 : 0;
  const task = (r0: number, r1: number) => ({ fn: 'f32_spmm_csr', args: [out + r0 * row, csr.rowptr + r0 * 4, csr.col, val, vi, x, r1 - r0, heads, dim, mean] });
  if (splitOverCsrRows(k, (csr.nnz + csr.rows) * heads * dim, csr.rowptr, csr.rows, task)) return;
  kernel(k, 'f32_spmm_csr')(out, csr.rowptr, csr.col, val, vi, x, csr.rows, heads, dim, mean);
}

/** out[nnz, heads]: out[e, h] = a[i, h, :] · b[col[e], h, :] for each edge e of row i. */
export function sddmmCsr(k: Kernels, csr: Csr, out: number, a: number, b: number, heads: number, dim: number): void {
  live('sddmmCsr', k, csr);
  size('sddmmCsr', 'heads', heads);
  size('sddmmCsr', 'dim', dim);
  if (csr.nnz === 0 || heads === 0) return;
  inMemory(k, 'sddmmCsr', 'out', out, csr.nnz * heads * 4);
  inMemory(k, 'sddmmCsr', 'a', a, csr.rows * heads * dim * 4);
  inMemory(k, 'sddmmCsr', 'b', b, csr.cols * heads * dim * 4);
  const row = heads * dim * 4;
  const task = (r0: number, r1: number) => ({ fn: 'f32_sddmm_csr', args: [out, csr.rowptr + r0 * 4, csr.col, a + r0 * row, b, r1 - r0, heads, dim] });
  if (splitOverCsrRows(k, (csr.nnz * dim + csr.rows) * heads, csr.rowptr, csr.rows, task)) return;
  kernel(k, 'f32_sddmm_csr')(out, csr.rowptr, csr.col, a, b, csr.rows, heads, dim);
}

function edgeArgs(where: string, k: Kernels, csr: Csr, dim: number, ...edgeArrays: Array<[string, number]>): boolean {
  live(where, k, csr);
  size(where, 'dim', dim);
  if (csr.rows === 0 || dim === 0) return false;
  for (const [what, p] of edgeArrays) inMemory(k, where, what, p, csr.nnz * dim * 4);
  return true;
}

/** out[nnz, heads] = softmax of src over the edges of each row, per head. */
export function segmentSoftmax(k: Kernels, csr: Csr, out: number, src: number, heads: number): void {
  if (!edgeArgs('segmentSoftmax', k, csr, heads, ['out', out], ['src', src])) return;
  // Weighted: an exp per entry and three passes.
  if (splitOverCsrRows(k, 8 * (csr.nnz + csr.rows) * heads, csr.rowptr, csr.rows, (r0, r1) => ({ fn: 'f32_segment_softmax', args: [out, src, csr.rowptr + r0 * 4, r1 - r0, heads] }))) return;
  kernel(k, 'f32_segment_softmax')(out, src, csr.rowptr, csr.rows, heads);
}

/** dsrc = y * (dy - rowsum(y * dy)) per head (the backward pass of segmentSoftmax). */
export function segmentSoftmaxBackward(k: Kernels, csr: Csr, dsrc: number, y: number, dy: number, heads: number): void {
  if (!edgeArgs('segmentSoftmaxBackward', k, csr, heads, ['dsrc', dsrc], ['y', y], ['dy', dy])) return;
  const task = (r0: number, r1: number) => ({ fn: 'f32_segment_softmax_backward', args: [dsrc, y, dy, csr.rowptr + r0 * 4, r1 - r0, heads] });
  if (splitOverCsrRows(k, 3 * (csr.nnz + csr.rows) * heads, csr.rowptr, csr.rows, task)) return;
  kernel(k, 'f32_segment_softmax_backward')(dsrc, y, dy, csr.rowptr, csr.rows, heads);
}

/** out[rows, dim] = sum (or mean) of src[nnz, dim] over the edges of each row; empty rows give 0. */
export function segmentSum(k: Kernels, csr: Csr, out: number, src: number, dim: number, mean = false): void {
  if (!edgeArgs('segmentSum', k, csr, dim, ['src', src])) return;
  inMemory(k, 'segmentSum', 'out', out, csr.rows * dim * 4);
  const task = (r0: number, r1: number) => ({ fn: 'f32_segment_sum', args: [out + r0 * dim * 4, src, csr.rowptr + r0 * 4, r1 - r0, dim, mean ? 1 : 0] });
  if (splitOverCsrRows(k, (csr.nnz + csr.rows) * dim, csr.rowptr, csr.rows, task)) return;
  kernel(k, 'f32_segment_sum')(out, src, csr.rowptr, csr.rows, dim, mean ? 1 : 0);
}

/** out[nnz, dim]: each edge gets its row's src[rows, dim] (divided by the row's edge count with mean). */
export function segmentBroadcast(k: Kernels, csr: Csr, out: number, src: number, dim: number, mean = false): void {
  if (!edgeArgs('segmentBroadcast', k, csr, dim, ['out', out])) return;
  inMemory(k, 'segmentBroadcast', 'src', src, csr.rows * dim * 4);
  const task = (r0: number, r1: number) => ({ fn: 'f32_segment_broadcast', args: [out, src + r0 * dim * 4, csr.rowptr + r0 * 4, r1 - r0, dim, mean ? 1 : 0] });
  if (splitOverCsrRows(k, (csr.nnz + csr.rows) * dim, csr.rowptr, csr.rows, task)) return;
  kernel(k, 'f32_segment_broadcast')(out, src, csr.rowptr, csr.rows, dim, mean ? 1 : 0);
}

/** out[rows, dim] = max over each row's edges of src[nnz, dim]; arg (i32 [rows, dim]) the edge, -1 for empty rows (out 0). */
export function segmentMax(k: Kernels, csr: Csr, out: number, arg: number, src: number, dim: number): void {
  if (!edgeArgs('segmentMax', k, csr, dim, ['src', src])) return;
  inMemory(k, 'segmentMax', 'out', out, csr.rows * dim * 4);
  inMemory(k, 'segmentMax', 'arg', arg, csr.rows * dim * 4);
  const task = (r0: number, r1: number) => ({ fn: 'f32_segment_max', args: [out + r0 * dim * 4, arg + r0 * dim * 4, src, csr.rowptr + r0 * 4, r1 - r0, dim] });
  if (splitOverCsrRows(k, 2 * (csr.nnz + csr.rows) * dim, csr.rowptr, csr.rows, task)) return;
  kernel(k, 'f32_segment_max')(out, arg, src, csr.rowptr, csr.rows, dim);
}

/**
 * dsrc[arg[i, d], d] += dout[i, d] (dsrc [nnz, dim], zeroed by the caller); arg as segmentMax wrote it:
 * an edge of row i or -1 (checked, so that row ranges write disjoint entries and split over threads).
 */
export function segmentMaxBackward(k: Kernels, csr: Csr, dsrc: number, dout: number, arg: number, dim: number): void {
  if (!edgeArgs('segmentMaxBackward', k, csr, dim, ['dsrc', dsrc])) return;
  inMemory(k, 'segmentMaxBackward', 'dout', dout, csr.rows * dim * 4);
  inMemory(k, 'segmentMaxBackward', 'arg', arg, csr.rows * dim * 4);
  const args = k.arena.i32(arg, csr.rows * dim);
  const rp = k.arena.i32(csr.rowptr, csr.rows + 1);
  for (let i = 0; i < csr.rows; i++) {
    const e0 = rp[i]!;
    const e1 = rp[i + 1]!;
    for (let j = i * dim; j < (i + 1) * dim; j++) {
      const e = args[j]!;
      if (e !== -1 && !(e >= e0 && e < e1)) throw new RangeError(`segmentMaxBackward: arg ${e} at ${j} is not an edge of row ${i} (edges ${e0}..${e1 - 1}) or -1`);
    }
  }
  const task = (r0: number, r1: number) => ({ fn: 'f32_segment_max_backward', args: [dsrc, dout + r0 * dim * 4, arg + r0 * dim * 4, r1 - r0, dim] });
  if (splitOverCsrRows(k, (csr.nnz + csr.rows) * dim, csr.rowptr, csr.rows, task)) return;
  kernel(k, 'f32_segment_max_backward')(dsrc, dout, arg, csr.rows, dim);
}

/** out[nnz, dim]: out[e, :] = u[col[e], :] + v[i, :] for each edge e of row i (u has csr.cols rows, v csr.rows). */
export function csrAddSrcDst(k: Kernels, csr: Csr, out: number, u: number, v: number, dim: number): void {
  if (!edgeArgs('csrAddSrcDst', k, csr, dim, ['out', out])) return;
  inMemory(k, 'csrAddSrcDst', 'u', u, csr.cols * dim * 4);
  inMemory(k, 'csrAddSrcDst', 'v', v, csr.rows * dim * 4);
  const task = (r0: number, r1: number) => ({ fn: 'f32_csr_add_src_dst', args: [out, csr.rowptr + r0 * 4, csr.col, u, v + r0 * dim * 4, r1 - r0, dim] });
  if (splitOverCsrRows(k, (csr.nnz + csr.rows) * dim, csr.rowptr, csr.rows, task)) return;
  kernel(k, 'f32_csr_add_src_dst')(out, csr.rowptr, csr.col, u, v, csr.rows, dim);
}

/**
 * out[i] = u[i] < p ? 0 : scale * v[i] (v = 0: scale): an inverted-dropout mask, or dropped-out stored
 * values, from uniforms in [0, 1). out may alias u.
 */
export function dropoutValues(k: Kernels, out: number, u: number, v: number, n: number, p: number, scale: number): void {
  size('dropoutValues', 'n', n);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropoutValues: p must be in [0, 1], got ${p}`);
  if (!Number.isFinite(scale)) throw new RangeError(`dropoutValues: scale must be finite, got ${scale}`);
  if (n === 0) return;
  inMemory(k, 'dropoutValues', 'out', out, n * 4);
  inMemory(k, 'dropoutValues', 'u', u, n * 4);
  if (v !== 0) inMemory(k, 'dropoutValues', 'v', v, n * 4);
  kernel(k, 'f32_dropout_values')(out, u, v, n, p, scale);
}
