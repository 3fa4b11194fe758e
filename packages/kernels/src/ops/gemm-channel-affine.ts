/**
 * The inference GEMM of a convolution with its batch norm, residual and ReLU in the store
 * (assembly/gemm/f32-gemm-4x8-channel-affine.ts): C = act(s[i] (A · B)[i, j] + t[i] + R[i, j]), with
 * the weights A packed once (packA) and B (an image, its columns, Winograd's transformed tiles) read
 * in place. The same K blocking as gemm, so the product has gemm's bits on the plain build.
 */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import { PIECES_PER_THREAD, runTasks, splitOver, splitRange, threadsFor, type Task } from '../threads/index.js';

/** Per-channel epilogue: pointers (0 for none: scale 1, shift 0, no residual) and ReLU. */
export interface ChannelAffine {
  /** M floats (one per output channel), or 0. */
  scale: number;
  /** M floats, or 0. */
  shift: number;
  /** Added after the scale and shift: M x N with the output's layout, or 0. */
  residual: number;
  relu: boolean;
}

export const NO_EPILOGUE: ChannelAffine = { scale: 0, shift: 0, residual: 0, relu: false };

const workspaces = new WeakMap<Kernels, number>();

function workBytes(k: Kernels): number {
  return kernel(k, 'f32_gemm_channel_affine_work_bytes')() as number;
}

function workspace(k: Kernels): number {
  let ptr = workspaces.get(k);
  if (ptr === undefined) {
    ptr = k.arena.alloc(workBytes(k));
    workspaces.set(k, ptr);
  }
  return ptr;
}

/** Floats packA writes for an M x K matrix (rows rounded up to 4). */
export function packedAFloats(k: Kernels, M: number, K: number): number {
  size('packA', 'M', M);
  size('packA', 'K', K);
  return kernel(k, 'f32_packed_a_floats')(M, K) as number;
}

/** Packs A [M, K] (row stride lda) into dst (packedAFloats(M, K) floats), by panels of 4 rows over the threads. */
export function packA(k: Kernels, M: number, K: number, a: number, lda: number, dst: number): void {
  if (M === 0 || K === 0) return;
  if (lda < K) throw new RangeError(`packA: lda ${lda} is smaller than K ${K}`);
  inMemory(k, 'packA', 'A', a, ((M - 1) * lda + K) * 4);
  inMemory(k, 'packA', 'dst', dst, packedAFloats(k, M, K) * 4);
  const task = (r0: number, r1: number): Task => ({ fn: 'f32_pack_a_panels', args: [a + r0 * lda * 4, lda, r1 - r0, K, dst + r0 * K * 4] });
  if (!splitOver(k, M * K, M, 4, task)) kernel(k, 'f32_pack_a_panels')(a, lda, M, K, dst);
}

/**
 * Calls over panels of C: rows (multiples of 4) when C is taller than wide, else columns (multiples
 * of 8); every element is the same sum whoever computes it.
 */
function tasks(M: number, N: number, K: number, a: number, b: number, ldb: number, c: number, ldc: number, e: ChannelAffine, ldr: number, threads: number): Task[] {
  const byColumns = N >= M;
  const n = byColumns ? N : M;
  const parts = Math.max(threads, Math.min(threads * PIECES_PER_THREAD, Math.floor(n / (byColumns ? 64 : 16))));
  return splitRange(n, parts, byColumns ? 8 : 4).map(([s, t]): Task => {
    const args = byColumns
      ? [M, t - s, K, a, b + s * 4, ldb, c + s * 4, ldc, e.scale, e.shift, e.residual === 0 ? 0 : e.residual + s * 4, ldr, +e.relu, 0]
      : [t - s, N, K, a + s * K * 4, b, ldb, c + s * ldc * 4, ldc, e.scale === 0 ? 0 : e.scale + s * 4, e.shift === 0 ? 0 : e.shift + s * 4,
        e.residual === 0 ? 0 : e.residual + s * ldr * 4, ldr, +e.relu, 0];
    return { fn: 'f32_gemm_4x8_channel_affine', args, scratch: 13 };
  });
}

const panelBuffers = new WeakMap<Kernels, { ptr: number; bytes: number }>();

/** k's buffer for B packed as whole-K panels, their flags and the chunks' counters (grown as needed, kept for the next product). */
function panelBuffer(k: Kernels, bytes: number): number {
  const have = panelBuffers.get(k);
  if (have !== undefined && have.bytes >= bytes) return have.ptr;
  if (have !== undefined) k.arena.free(have.ptr);
  const ptr = k.arena.alloc(bytes);
  panelBuffers.set(k, { ptr, bytes });
  return ptr;
}

/** Sets the `slots` region counters at `at` to their regions' first units (the kernels' r * units / slots). */
function startCounters(k: Kernels, at: number, units: number, slots: number): void {
  const view = k.arena.i32(at, slots);
  for (let r = 0; r < slots; r++) view[r] = Math.floor((r * units) / slots);
}

/**
 * A product wider than tall on several threads (ResNet's 56x56 and 28x28 1x1 layers): one call a
 * thread, each taking chunks of 8-column panels of C, its own region first, a quarter of what is left
 * of a region at a time (f32_gemm_4x8_channel_affine_claimed_cols). Two fixed pieces a thread left the
 * caller waiting 14-16% of these jobs for the worker's last piece in busier minutes (load 2,
 * tools/bench/study/resnet50-tails.mjs), with the caller running exactly its share. The same column
 * ranges' products: the same bits.
 */
function byColumnsClaimed(
  k: Kernels, M: number, N: number, K: number, a: number, b: number, ldb: number, c: number, ldc: number, e: ChannelAffine, ldr: number, threads: number,
): void {
  const counters = panelBuffer(k, threads * 4);
  startCounters(k, counters, Math.ceil(N / 8), threads);
  runTasks(k, Array.from({ length: threads }, (_, slot): Task => ({
    fn: 'f32_gemm_4x8_channel_affine_claimed_cols',
    args: [M, N, K, a, b, ldb, c, ldc, e.scale, e.shift, e.residual, ldr, +e.relu, counters, slot, threads, 0],
    scratch: 16,
  })), workBytes(k));
}

/**
 * A product taller than wide on several threads (ResNet's 14x14 and 7x7 stages: N = 196 or 49 for
 * M = 256-2048): one call a thread, each reading one copy of B packed as whole-K column panels, which
 * the calls pack between them inside the same job (each 8-column panel claimed by compare-exchange on
 * its flag), then taking chunks of 4-row panels of C as the column chunks do
 * (f32_gemm_4x8_channel_affine_claimed_rows). Cutting rows with each task packing B for itself packed
 * all of B once per task (2-4 times per thread); packing it in a job of its own cost a dispatch and a
 * barrier per product; two fixed row pieces a thread (each packing B's panels, then its rows) left the
 * caller waiting as the column pieces did. The same K blocks: the same bits.
 */
function byRowsSharedB(
  k: Kernels, M: number, N: number, K: number, a: number, b: number, ldb: number, c: number, ldc: number, e: ChannelAffine, ldr: number, threads: number,
): void {
  const floats = kernel(k, 'f32_packed_b_floats')(K, N) as number;
  const units = Math.ceil(N / 8);
  const pb = panelBuffer(k, floats * 4 + units * 4 + threads * 4);
  const flags = pb + floats * 4;
  const counters = flags + units * 4;
  k.arena.i32(flags, units).fill(0);
  startCounters(k, counters, Math.ceil(M / 4), threads);
  runTasks(k, Array.from({ length: threads }, (_, slot): Task => ({
    fn: 'f32_gemm_4x8_channel_affine_claimed_rows',
    args: [M, N, K, a, b, ldb, pb, flags, c, ldc, e.scale, e.shift, e.residual, ldr, +e.relu, counters, slot, threads, 0],
    scratch: 18,
  })), workBytes(k));
}

/** C [M, N] (row stride ldc) = act(scale (A · B) + shift + residual), A packed by packA, B [K, N] with row stride ldb. */
export function gemmChannelAffine(
  k: Kernels, M: number, N: number, K: number, packedA: number, b: number, ldb: number, c: number, ldc: number, e: ChannelAffine = NO_EPILOGUE, ldr = ldc,
): void {
  size('gemmChannelAffine', 'M', M);
  size('gemmChannelAffine', 'N', N);
  size('gemmChannelAffine', 'K', K);
  if (M === 0 || N === 0) return;
  if (K === 0) throw new RangeError('gemmChannelAffine: K must be at least 1');
  if (ldb < N || ldc < N || ldr < N) throw new RangeError(`gemmChannelAffine: ldb ${ldb}, ldc ${ldc} and ldr ${ldr} must be at least N ${N}`);
  inMemory(k, 'gemmChannelAffine', 'A', packedA, packedAFloats(k, M, K) * 4);
  inMemory(k, 'gemmChannelAffine', 'B', b, ((K - 1) * ldb + N) * 4);
  inMemory(k, 'gemmChannelAffine', 'C', c, ((M - 1) * ldc + N) * 4);
  if (e.residual !== 0) inMemory(k, 'gemmChannelAffine', 'residual', e.residual, ((M - 1) * ldr + N) * 4);
  if (e.scale !== 0) inMemory(k, 'gemmChannelAffine', 'scale', e.scale, M * 4);
  if (e.shift !== 0) inMemory(k, 'gemmChannelAffine', 'shift', e.shift, M * 4);
  const threads = threadsFor(k, M * N * K);
  if (threads > 1 && N < M) return byRowsSharedB(k, M, N, K, packedA, b, ldb, c, ldc, e, ldr, threads);
  if (threads > 1) return byColumnsClaimed(k, M, N, K, packedA, b, ldb, c, ldc, e, ldr, threads);
  kernel(k, 'f32_gemm_4x8_channel_affine')(M, N, K, packedA, b, ldb, c, ldc, e.scale, e.shift, e.residual, ldr, +e.relu, workspace(k));
}

/** Several independent M x N x K products without epilogue (B and C contiguous: ldb = ldc = N), as one job. */
export function gemmChannelAffineBatch(k: Kernels, M: number, N: number, K: number, calls: ReadonlyArray<{ a: number; b: number; c: number }>): void {
  const threads = threadsFor(k, calls.length * M * N * K);
  if (threads <= 1) {
    for (const { a, b, c } of calls) gemmChannelAffine(k, M, N, K, a, b, N, c, N);
    return;
  }
  // Each product one task when there are enough of them for the threads (Winograd's 16 or 36: cut
  // into panels, each panel packed its own copy of B, and the tasks doubled), else cut into panels.
  const all = calls.length >= 4 * threads
    ? calls.map(({ a, b, c }): Task => ({ fn: 'f32_gemm_4x8_channel_affine', args: [M, N, K, a, b, N, c, N, 0, 0, 0, N, 0, 0], scratch: 13 }))
    : calls.flatMap(({ a, b, c }) => tasks(M, N, K, a, b, N, c, N, NO_EPILOGUE, N, threads));
  runTasks(k, all, workBytes(k));
}

/** y [N, C, P] = act(scale[c] x + shift[c] + residual) in one pass (y may be x). */
export function channelAffine(k: Kernels, y: number, x: number, N: number, C: number, P: number, e: ChannelAffine): void {
  const n = size('channelAffine', 'N', N) * size('channelAffine', 'C', C) * size('channelAffine', 'P', P);
  if (n === 0) return;
  for (const [what, ptr] of [['x', x], ['y', y], ['residual', e.residual]] as const) if (ptr !== 0) inMemory(k, 'channelAffine', what, ptr, n * 4);
  const at = (p: number, off: number) => (p === 0 ? 0 : p + off * 4);
  const task = N > 1
    ? (n0: number, n1: number): Task => ({ fn: 'f32_channel_affine_act', args: [at(y, n0 * C * P), at(x, n0 * C * P), n1 - n0, C, P, e.scale, e.shift, at(e.residual, n0 * C * P), +e.relu] })
    : (c0: number, c1: number): Task => ({ fn: 'f32_channel_affine_act', args: [at(y, c0 * P), at(x, c0 * P), 1, c1 - c0, P, at(e.scale, c0), at(e.shift, c0), at(e.residual, c0 * P), +e.relu] });
  if (splitOver(k, 2 * n, N > 1 ? N : C, 1, task)) return;
  kernel(k, 'f32_channel_affine_act')(y, x, N, C, P, e.scale, e.shift, e.residual, +e.relu);
}
