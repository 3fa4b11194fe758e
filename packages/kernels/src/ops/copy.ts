/**
 * Copies: contiguous, strided (transpose / permute / slice / concat / expand) and a blocked 2-D
 * transpose. Strides are in elements.
 */
import type { Kernels } from '../load.js';
import { checkStrides, inMemory, kernel, MAX_RANK, shapeSize, size, writeMeta } from './check.js';
import { PIECES_PER_THREAD, runTasks, splitOver, splitRange, threadsFor } from '../threads/index.js';

/** Bytes of one f32_copy_strided metadata block (shape, strides, loop counters). */
const META_BYTES = 4 * MAX_RANK * 4;
const metaBlocks = new WeakMap<Kernels, { ptr: number; count: number }>();

/** `count` metadata blocks of k's own (grown on demand): one per parallel call, since the kernel uses its block's counters. */
function metaBlocksFor(k: Kernels, count: number): number {
  let b = metaBlocks.get(k);
  if (b === undefined || b.count < count) {
    if (b !== undefined) k.arena.free(b.ptr);
    b = { ptr: k.arena.alloc(count * META_BYTES), count };
    metaBlocks.set(k, b);
  }
  return b.ptr;
}

/**
 * A strided copy split over the threads along its outermost (collapsed) dimension: each call copies
 * its own slab with its own metadata block. Returns false when it stays on this thread.
 */
function copyStridedParallel(k: Kernels, dst: number, src: number, dims: readonly Dim[], total: number): boolean {
  const threads = threadsFor(k, total);
  if (threads <= 1 || dims[0]!.n < 2) return false;
  const ranges = splitRange(dims[0]!.n, threads * PIECES_PER_THREAD);
  const meta = metaBlocksFor(k, ranges.length);
  const rank = dims.length;
  runTasks(k, ranges.map(([s, e], i) => {
    const view = new Int32Array(k.memory.buffer, meta + i * META_BYTES, 4 * rank);
    dims.forEach((d, j) => {
      view[j] = j === 0 ? e - s : d.n;
      view[rank + j] = d.d;
      view[2 * rank + j] = d.s;
      view[3 * rank + j] = 0;
    });
    return { fn: 'f32_copy_strided', args: [dst + s * dims[0]!.d * 4, src + s * dims[0]!.s * 4, rank, meta + i * META_BYTES] };
  }));
  return true;
}

/** dst[0..n) = src[0..n) (memory.copy: overlapping ranges are fine). */
export function copy(k: Kernels, dst: number, src: number, n: number): void {
  size('copy', 'n', n);
  if (n === 0 || dst === src) return;
  inMemory(k, 'copy', 'src', src, n * 4);
  inMemory(k, 'copy', 'dst', dst, n * 4);
  kernel(k, 'f32_copy')(dst, src, n);
}

/** Byte range [lo, hi) touched by a strided view (strides may be 0 or negative). */
function extent(ptr: number, strides: readonly number[], shape: readonly number[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < shape.length; i++) {
    const span = (shape[i]! - 1) * strides[i]!;
    if (span < 0) lo += span;
    else hi += span;
  }
  return [ptr + lo * 4, ptr + (hi + 1) * 4];
}

interface Dim {
  n: number;
  d: number;
  s: number;
}

/**
 * dst[idx . dstStrides] = src[idx . srcStrides] for every index of `shape`. Source strides may be 0
 * (expand / broadcast) or negative; destination elements must not repeat or overlap the source.
 */
export function copyStrided(
  k: Kernels,
  dst: number,
  dstStrides: readonly number[],
  src: number,
  srcStrides: readonly number[],
  shape: readonly number[],
): void {
  if (dstStrides.length !== shape.length || srcStrides.length !== shape.length) {
    throw new Error(
      `copyStrided: shape [${shape.join(', ')}] needs ${shape.length} strides, got dst [${dstStrides.join(', ')}] ` +
        `and src [${srcStrides.join(', ')}]`,
    );
  }
  const total = shapeSize('copyStrided', 'shape', shape);
  checkStrides('copyStrided', 'dstStrides', dstStrides);
  checkStrides('copyStrided', 'srcStrides', srcStrides);
  if (total === 0) return;
  for (const [what, p, st] of [['dst', dst, dstStrides], ['src', src, srcStrides]] as const) {
    const [lo, hi] = extent(p, st, shape);
    inMemory(k, 'copyStrided', what, lo, hi - lo);
  }
  // Drop size-1 dims, then merge neighbours that are contiguous in both dst and src.
  const dims: Dim[] = [];
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 1) continue;
    const prev = dims[dims.length - 1];
    if (prev !== undefined && prev.d === dstStrides[i]! * n && prev.s === srcStrides[i]! * n) {
      prev.n *= n;
      prev.d = dstStrides[i]!;
      prev.s = srcStrides[i]!;
    } else dims.push({ n, d: dstStrides[i]!, s: srcStrides[i]! });
  }
  if (dims.length === 0) dims.push({ n: 1, d: 1, s: 1 });
  const last = dims[dims.length - 1]!;
  if (dims.length === 1 && last.d === 1 && last.s === 1) return void kernel(k, 'f32_copy')(dst, src, last.n);
  if (dims.length === 2) {
    const [d0, d1] = dims as [Dim, Dim];
    // A plain 2-D transpose: src [r, c] row-major read column by column into a contiguous dst.
    if (d1.d === 1 && d0.d === d1.n && d0.s === 1 && d1.s === d0.n) {
      return transposeRows(k, dst, src, d1.n, d0.n);
    }
  }
  if (dims.length > MAX_RANK) {
    throw new Error(`copyStrided: shape [${shape.join(', ')}] has more than ${MAX_RANK} dims after collapsing`);
  }
  if (copyStridedParallel(k, dst, src, dims, total)) return;
  const meta = writeMeta(k, [dims.map((x) => x.n), dims.map((x) => x.d), dims.map((x) => x.s)]);
  kernel(k, 'f32_copy_strided')(dst, src, dims.length, meta);
}

/** dst [cols, rows] = transpose of src [rows, cols] (cache-blocked, SIMD 4x4). dst must not overlap src. */
export function transpose2d(k: Kernels, dst: number, src: number, rows: number, cols: number): void {
  size('transpose2d', 'rows', rows);
  size('transpose2d', 'cols', cols);
  const n = rows * cols;
  if (n === 0) return;
  inMemory(k, 'transpose2d', 'src', src, n * 4);
  inMemory(k, 'transpose2d', 'dst', dst, n * 4);
  transposeRows(k, dst, src, rows, cols);
}

/**
 * The transpose as ranges of src rows (multiples of 32, the kernel's tile) over the threads, each a
 * block of dst's columns; a copy, so the bits cannot depend on the split. Checked by the caller.
 */
function transposeRows(k: Kernels, dst: number, src: number, rows: number, cols: number): void {
  const task = (r0: number, r1: number) => ({ fn: 'f32_transpose2d_strided', args: [dst + r0 * 4, rows, src + r0 * cols * 4, cols, r1 - r0, cols] });
  if (!splitOver(k, rows * cols, rows, 32, task)) kernel(k, 'f32_transpose2d')(dst, src, rows, cols);
}
