/**
 * GEMM: C = alpha * op(A) * op(B) + beta * C on row-major f32 matrices in kernel memory.
 * op(X) is X or its transpose; leading dimensions are in elements. The packing workspace is
 * allocated once per Kernels and reused, so a call allocates nothing.
 */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import { fill, scale } from './elementwise.js';
import { PIECES_PER_THREAD, runTasks, settleThreads, splitOver, splitRange, threadsFor, type Task } from '../threads/index.js';

const workspaces = new WeakMap<Kernels, number>();

function workspace(k: Kernels): number {
  let ptr = workspaces.get(k);
  if (ptr === undefined) {
    ptr = k.arena.alloc(workspaceBytes(k));
    workspaces.set(k, ptr);
  }
  return ptr;
}

/** Nothing to multiply (K == 0 or alpha == 0): C = beta * C, and beta == 0 clears C without reading it. */
function scaleC(k: Kernels, M: number, N: number, beta: number, c: number, ldc: number): void {
  for (let i = 0; i < M; i++) {
    const row = c + i * ldc * 4;
    if (beta === 0) fill(k, row, N, 0);
    else if (beta !== 1) scale(k, row, row, N, beta, 0);
  }
}

/** Bytes spanned by a rows x cols matrix with leading dimension ld. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : ((rows - 1) * ld + cols) * 4;
}

export function gemm(
  k: Kernels,
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  beta: number,
  c: number,
  ldc: number,
): void {
  if (!checkGemm('gemm', k, transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc)) return;
  // One row or one column: matrix-vector products read B in place; packing would cost as much as the product.
  const name = M === 1 || N === 1 ? 'f32_gemv' : 'f32_gemm_4x8';
  const work = gemvOrGemmWorkspace(k, name, K);
  const threads = threadsFor(k, M * N * K);
  if (threads > 1 && name === 'f32_gemm_4x8' && sharedAApplies(M, N, K, threads)) return gemmSharedA(k, transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, threads);
  if (threads > 1) return runTasks(k, gemmTasks(k, name, transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, threads), workspaceBytes(k));
  kernel(k, name)(transA ? 1 : 0, transB ? 1 : 0, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, work);
}

/**
 * Checks a GEMM's arguments (`where` names the op in errors); returns false when nothing is left to
 * multiply (an empty C, or K == 0 / alpha == 0, where C has been scaled by beta).
 */
function checkGemm(
  where: string, k: Kernels, transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
): boolean {
  size(where, 'M', M);
  size(where, 'N', N);
  size(where, 'K', K);
  // Stored shapes: A is M x K (K x M when transposed), B is K x N (N x K when transposed).
  const [aRows, aCols] = transA ? [K, M] : [M, K];
  const [bRows, bCols] = transB ? [N, K] : [K, N];
  if (lda < Math.max(1, aCols)) throw new RangeError(`${where}: lda ${lda} is smaller than the ${aCols} columns of A${transA ? ' (stored transposed)' : ''}`);
  if (ldb < Math.max(1, bCols)) throw new RangeError(`${where}: ldb ${ldb} is smaller than the ${bCols} columns of B${transB ? ' (stored transposed)' : ''}`);
  if (ldc < Math.max(1, N)) throw new RangeError(`${where}: ldc ${ldc} is smaller than the ${N} columns of C`);
  if (M === 0 || N === 0) return false;
  inMemory(k, where, 'C', c, span(M, N, ldc));
  if (K === 0 || alpha === 0) {
    scaleC(k, M, N, beta, c, ldc);
    return false;
  }
  inMemory(k, where, 'A', a, span(aRows, aCols, lda));
  inMemory(k, where, 'B', b, span(bRows, bCols, ldb));
  return true;
}

/** The arguments of one gemm() call (see gemm), for gemmMany. */
export interface GemmCall {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  a: number;
  lda: number;
  b: number;
  ldb: number;
  beta: number;
  c: number;
  ldc: number;
}

/**
 * Several independent GEMMs (their C disjoint, none reading another's C) in one parallel job instead
 * of one job each: one wake-up and one wait for the last task, and a thread that finishes its part of
 * one product early helps with the others'. Each product is cut into the panels gemm() would cut it
 * into for the job's thread count, and the panels are ordered so that each thread's block of the job
 * (the pool's contiguous share) holds its share of every product: the same calls as separate gemm()
 * calls, so the same bits. Products that take another path (a matrix-vector product, op(A) packed once
 * for all threads) or a job too small to split run as gemm() calls, one after the other.
 */
export function gemmMany(k: Kernels, calls: readonly GemmCall[]): void {
  const work = calls.reduce((s, g) => s + g.M * g.N * g.K, 0);
  const threads = threadsFor(k, work);
  const split: Task[][] = [];
  for (const g of calls) {
    const { transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc } = g;
    const apart = threads <= 1 || M === 1 || N === 1 || sharedAApplies(M, N, K, threads);
    if (apart) gemm(k, transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
    else if (checkGemm('gemmMany', k, transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc)) {
      split.push(gemmTasks(k, 'f32_gemm_4x8', transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, threads));
    }
  }
  if (split.length === 0) return;
  const tasks: Task[] = [];
  for (let t = 0; t < threads; t++) {
    for (const panels of split) tasks.push(...panels.slice(Math.floor((t * panels.length) / threads), Math.floor(((t + 1) * panels.length) / threads)));
  }
  runTasks(k, tasks, workspaceBytes(k));
}

/** Largest op(A) (floats) packed once for all the threads of a GEMM split by columns (16 MB). */
const SHARED_A_FLOATS = 4 << 20;

/**
 * Whether a GEMM on several threads packs op(A) once for all its column panels (gemmSharedA): when C
 * is split by columns (as gemmTasks would: wide enough, not twice as tall as wide), it has 128+
 * columns a thread, A is not huge, and the product has 2^24+ multiply-adds (about 0.5 ms here).
 * Smaller ones keep gemmTasks' one job of 2 panels a thread, each packing its own A: through
 * gemmSharedA (relaxed, 2 threads, 10th percentiles of single calls, 10:33 UTC 2026-11-26, load 7)
 * 128³ took 56 against 49 us, LeNet's 64x400 by 400x120 89 against 78 us, 32x128 by 128x512 (an LSTM
 * step) 56 against 55 us, and 1600x64 by 64x512 (row panels) 1177 against 1174 us: a small op(A) is
 * one packing unit, which the other thread waits for.
 */
function sharedAApplies(M: number, N: number, K: number, threads: number): boolean {
  return (
    M * N * K >= 1 << 24 && N >= 16 * SHARED_A_PIECES * threads && (N >= M || (N >= 64 * threads && M < 2 * N)) &&
    ((M + 3) & ~3) * K <= SHARED_A_FLOATS
  );
}

/**
 * Largest chunk of columns a thread of gemmSharedA claims: N / (SHARED_A_PIECES * threads), as the
 * panels of before, which at 256^3 on 2 threads took 5-7% less time at 8 a thread than at 4.
 */
const SHARED_A_PIECES = 8;

/** Rows of op(A) in a block of f32_gemm_4x8_shared_a (its GEMM_MC): packing units divide it. */
const BLOCK_ROWS = 128;

/**
 * Rows of op(A) a thread packs per claim: a power of two from 4 to BLOCK_ROWS, the smallest whose
 * unit holds 2^14 floats or more (64 KB, a few us of copying), so a GEMM of few rows over a deep K
 * (64 x 3136: a 3x3 filter gradient) is packed in units by both threads, not by one as one block.
 */
function unitRows(K: number): number {
  let rows = 4;
  while (rows < BLOCK_ROWS && rows * K < 1 << 14) rows *= 2;
  return rows;
}

/**
 * Per Kernels: one block for gemmSharedA (the threads' claim words, 64 bytes apart, then `units` i32
 * packing flags, then op(A) from byte `packedAt`), the number of the last GEMM (the kernel's `gen`: the
 * flags and words are never cleared between GEMMs, only when the block is made or the numbers wrap),
 * and each thread count's tasks, whose arguments are rewritten in place (a call allocates nothing).
 */
interface SharedA {
  ptr: number;
  bytes: number;
  units: number;
  gen: number;
  tasks: Map<number, Task[]>;
}

const sharedA = new WeakMap<Kernels, SharedA>();

/**
 * The front of the block: each thread's region claim word (and its count of columns written), then each
 * thread's phase and chunk (f32_gemm_4x8_shared_a's `states`), 64 bytes apart.
 */
const CLAIMS_BYTES = 2 * 64 * 64;

/** The last GEMM number before the flags are cleared and numbering starts again (2 gen fits an i32). */
const MAX_GEN = (1 << 30) - 1;

/** Where op(A) starts in the block (bytes), after the claim words and `units` flags. */
function packedAt(units: number): number {
  return (CLAIMS_BYTES + units * 4 + 63) & ~63;
}

function sharedABlock(k: Kernels, units: number, packedBytes: number): SharedA {
  let s = sharedA.get(k);
  if (s === undefined || s.units < units || s.bytes < packedAt(s.units) + packedBytes || s.gen >= MAX_GEN) {
    if (s !== undefined) {
      // A worker may still be leaving a GEMM the caller finished without it (reading the block).
      settleThreads(k);
      k.arena.free(s.ptr);
    }
    const have = s === undefined ? 0 : s.bytes;
    // Room for twice the flags asked for, so a GEMM of a few more units does not move the block.
    const flagUnits = Math.max(units * 2, s?.units ?? 0);
    const front = packedAt(flagUnits);
    const bytes = Math.max(have, front + packedBytes);
    s = { ptr: k.arena.alloc(bytes), bytes, units: flagUnits, gen: 0, tasks: s?.tasks ?? new Map() };
    k.arena.i32(s.ptr, front / 4).fill(0);
    sharedA.set(k, s);
  }
  return s;
}

/**
 * A GEMM split by columns with op(A) packed once: one call of f32_gemm_4x8_shared_a a thread, each
 * claiming chunks of columns (multiples of 8) by compare-exchange, first of its own region, then of
 * the others', and packing each chunk's columns of B and, between them, the units of op(A) as they
 * first need them (a claim flag per unit; thread t starts on its own part of the rows, so the
 * threads pack side by side). A region's chunks shrink from N / 16 columns to 8 as it runs out, so the
 * threads finish within one small chunk of each other, and a thread that starts late finds its
 * region taken. One job, one task a thread, no serial part. The packed values and the K blocks are
 * those of f32_gemm_4x8: the same bits at any split.
 */
function gemmSharedA(
  k: Kernels, transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number, threads: number,
): void {
  const rows = unitRows(K);
  const units = Math.ceil(M / rows);
  const s = sharedABlock(k, units, ((M + 3) & ~3) * K * 4);
  const gen = ++s.gen;
  const claims = s.ptr;
  const flags = claims + CLAIMS_BYTES;
  const packed = s.ptr + packedAt(s.units);
  // With K of TAKEOVER_K or more, a chunk of the other threads' is computed in their scratch first
  // (at most 2^15 floats, which stay in cache), so that the caller may take over a descheduled one's.
  const takeover = K >= TAKEOVER_K;
  const cap = takeover ? Math.floor((1 << 15) / M / 8) : Infinity;
  const maxCols = Math.max(MIN_CHUNK, Math.min(Math.ceil(N / (SHARED_A_PIECES * threads) / 8), cap) * 8);
  let tasks = s.tasks.get(threads);
  if (tasks === undefined) {
    tasks = Array.from({ length: threads }, (): Task => ({ fn: 'f32_gemm_4x8_shared_a', args: new Array<number>(24).fill(0), scratch: 13 }));
    s.tasks.set(threads, tasks);
  }
  for (let slot = 0; slot < threads; slot++) {
    const x = tasks[slot]!.args;
    x[0] = +transA; x[1] = +transB; x[2] = M; x[3] = N; x[4] = K; x[5] = alpha; x[6] = a; x[7] = lda; x[8] = b; x[9] = ldb;
    x[10] = beta; x[11] = c; x[12] = ldc; x[14] = packed; x[15] = flags; x[16] = rows; x[17] = slot; x[18] = threads;
    x[19] = claims; x[20] = MIN_CHUNK; x[21] = maxCols; x[22] = gen; x[23] = takeover ? claims + 64 * 64 : 0;
  }
  if (takeover) {
    // The calling thread's call returns 1 once every column is in C (it computes itself a chunk that a
    // descheduled thread holds), and the job ends there.
    runTasks(k, tasks, workspaceBytes(k) + M * maxCols * 4, undefined, true);
  } else {
    // The caller's wait for the others' last chunks: two of the smallest, at 20 multiply-adds a ns.
    runTasks(k, tasks, workspaceBytes(k), (2 * MIN_CHUNK * M * K) / 20_000);
  }
}

/**
 * Depth from which gemmSharedA's other threads compute their chunks in scratch, so that the caller can
 * take over a descheduled one's: the copy into C costs about 1/K of the chunk's products (VGG's first
 * convolution, K = 27, would pay for it on every chunk).
 */
const TAKEOVER_K = 128;

/** Columns of the smallest chunk a thread claims in gemmSharedA (a region's last ones). */
const MIN_CHUNK = 8;

const workspaceSizes = new WeakMap<Kernels, number>();

/** Bytes of f32_gemm_4x8's workspace (asked of the module once per Kernels). */
function workspaceBytes(k: Kernels): number {
  let bytes = workspaceSizes.get(k);
  if (bytes === undefined) {
    bytes = kernel(k, 'gemm_workspace_bytes')() as number;
    workspaceSizes.set(k, bytes);
  }
  return bytes;
}

/**
 * One GEMM as independent calls of the same kernel over panels of C: column panels (multiples of the
 * tile's 8 columns) when C is wide, else row panels (multiples of 4). Every element of C is then the
 * same sum in the same order as in the single call, so the results do not depend on the split.
 * Each call gets its thread's workspace (argument 13). Arguments as for gemm, already checked.
 */
export function gemmTasks(
  k: Kernels, name: string, transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number, threads: number,
): Task[] {
  if (name === 'f32_gemv' && M === 1 && N === 1) return [{ fn: name, args: [+transA, +transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, 0], scratch: 13 }];
  // Column panels when each is at least 64 wide, unless C is at least twice as tall as wide: then each
  // column panel would re-pack an A twice the size of all of B, and row panels re-pack only B (the RBM
  // weight statistics h^T v of a 510-2000 layer: 2000 x 510 from K = 64, about 30% faster on 2 threads
  // by rows). gemv splits its long side.
  const byColumns = name === 'f32_gemv' ? M === 1 : N >= M || (N >= 64 * threads && M < 2 * N);
  const [n, align] = byColumns ? [N, name === 'f32_gemv' ? 4 : 8] : [M, 4];
  const ranges = splitRange(n, pieces(threads, n, byColumns ? PANEL_COLUMNS : 16), align);
  // f32_gemv takes another path for a single row and column: keep every piece of a column at 2+ rows.
  if (name === 'f32_gemv' && !byColumns && ranges.length > 1 && ranges[ranges.length - 1]![1] - ranges[ranges.length - 1]![0] === 1) {
    ranges[ranges.length - 2]![1] = ranges.pop()![1];
  }
  return ranges.map(([s, e]) => {
    const args = byColumns
      ? [+transA, +transB, M, e - s, K, alpha, a, lda, b + (transB ? s * ldb : s) * 4, ldb, beta, c + s * 4, ldc, 0]
      : [+transA, +transB, e - s, N, K, alpha, a + (transA ? s : s * lda) * 4, lda, b, ldb, beta, c + s * ldc * 4, ldc, 0];
    return { fn: name, args, scratch: 13 };
  });
}

/**
 * Columns a panel keeps before a GEMM is cut into more panels than threads. Each column panel packs
 * all of A again: measured here on one thread, 256^3 as four 64-column calls took 10% longer than one
 * call, as two 128-column calls no longer (so 256^3 on 2 threads now runs one panel per thread).
 */
const PANEL_COLUMNS = 128;

/**
 * Panels of a GEMM: PIECES_PER_THREAD per thread while each stays about `least` wide (re-packing the
 * other side per panel), always a multiple of the threads: 3 panels on 2 threads leave one thread two
 * of them and the other idle for a third of the GEMM (the RBM's 500-wide products, 3 x 168 columns,
 * now 4 x 125).
 */
function pieces(threads: number, n: number, least: number): number {
  const p = Math.min(threads * PIECES_PER_THREAD, Math.round(n / least));
  return Math.max(threads, p - (p % threads));
}

/** The shared GEMM workspace; f32_gemv needs K floats of it, more only for a K beyond 589,824. */
function gemvOrGemmWorkspace(k: Kernels, name: string, K: number): number {
  if (name === 'f32_gemm_4x8' || K * 4 <= workspaceBytes(k)) return workspace(k);
  throw new RangeError(`gemm: K = ${K} is too deep for a matrix-vector product's workspace`);
}

/** A K x N op(B) packed once for gemmPackedB (see assembly/gemm/pack.ts: f32_pack_b_panels). */
export interface PackedB {
  readonly ptr: number;
  readonly K: number;
  readonly N: number;
}

/** Floats needed to pack a K x N op(B). */
export function packedBFloats(k: Kernels, K: number, N: number): number {
  size('packB', 'K', K);
  size('packB', 'N', N);
  return kernel(k, 'f32_packed_b_floats')(K, N) as number;
}

/** Packs op(B) (B is K x N, or N x K stored when transB) into dst (packedBFloats(K, N) floats); large ones split over threads by panels. */
export function packB(k: Kernels, transB: boolean, K: number, N: number, b: number, ldb: number, dst: number): PackedB {
  const [bRows, bCols] = transB ? [N, K] : [K, N];
  if (ldb < Math.max(1, bCols)) throw new RangeError(`packB: ldb ${ldb} is smaller than the ${bCols} columns of B${transB ? ' (stored transposed)' : ''}`);
  inMemory(k, 'packB', 'B', b, span(bRows, bCols, ldb));
  inMemory(k, 'packB', 'dst', dst, packedBFloats(k, K, N) * 4);
  if (K === 0 || N === 0) return { ptr: dst, K, N };
  // Column ranges of whole 8-column panels, one call each: a copy, so the same bits at any split.
  const task = (s: number, e: number) => ({ fn: 'f32_pack_b_panels', args: [transB ? 1 : 0, b + (transB ? s * ldb : s) * 4, ldb, K, e - s, dst + s * K * 4] });
  if (!splitOver(k, K * N, N, 8, task)) kernel(k, 'f32_pack_b_panels')(transB ? 1 : 0, b, ldb, K, N, dst);
  return { ptr: dst, K, N };
}

/** C = alpha * op(A) * B + beta * C with B packed by packB (same results as gemm with that B). */
export function gemmPackedB(
  k: Kernels, transA: boolean, M: number, alpha: number, a: number, lda: number, b: PackedB, beta: number, c: number, ldc: number,
): void {
  const { K, N } = b;
  size('gemmPackedB', 'M', M);
  const [aRows, aCols] = transA ? [K, M] : [M, K];
  if (lda < Math.max(1, aCols)) throw new RangeError(`gemmPackedB: lda ${lda} is smaller than the ${aCols} columns of A${transA ? ' (stored transposed)' : ''}`);
  if (ldc < Math.max(1, N)) throw new RangeError(`gemmPackedB: ldc ${ldc} is smaller than the ${N} columns of C`);
  if (M === 0 || N === 0) return;
  inMemory(k, 'gemmPackedB', 'C', c, span(M, N, ldc));
  if (K === 0 || alpha === 0) return scaleC(k, M, N, beta, c, ldc);
  inMemory(k, 'gemmPackedB', 'A', a, span(aRows, aCols, lda));
  const threads = threadsFor(k, M * N * K);
  if (threads > 1) return runTasks(k, gemmPackedBTasks(transA, M, alpha, a, lda, b, beta, c, ldc, threads), workspaceBytes(k));
  kernel(k, 'f32_gemm_4x8_packed_b')(transA ? 1 : 0, M, N, K, alpha, a, lda, b.ptr, beta, c, ldc, workspace(k));
}

/** gemmPackedB as calls over column panels (multiples of 8: whole packed panels) or row panels. */
export function gemmPackedBTasks(
  transA: boolean, M: number, alpha: number, a: number, lda: number, b: PackedB, beta: number, c: number, ldc: number, threads: number,
): Task[] {
  const { K, N } = b;
  const byColumns = N >= 64 * threads || N >= M;
  return splitRange(byColumns ? N : M, pieces(threads, byColumns ? N : M, byColumns ? PANEL_COLUMNS : 16), byColumns ? 8 : 4).map(([s, e]) => ({
    fn: 'f32_gemm_4x8_packed_b',
    args: byColumns
      ? [+transA, M, e - s, K, alpha, a, lda, b.ptr + s * K * 4, beta, c + s * 4, ldc, 0]
      : [+transA, e - s, N, K, alpha, a + (transA ? s : s * lda) * 4, lda, b.ptr, beta, c + s * ldc * 4, ldc, 0],
    scratch: 11,
  }));
}

/** Chunks the calling thread of gemmSharedA has computed for a descheduled thread so far (for tools/bench/study; not exported by the package). */
export function sharedATakeovers(k: Kernels): number {
  const s = sharedA.get(k);
  return s === undefined ? 0 : Number(new BigInt64Array(k.memory.buffer, s.ptr + 64 * 64 + 8, 1)[0]);
}
