/**
 * Stride-1, undilated 3x3 convolutions by Winograd F(2x2, 3x3) (assembly/conv/f32-winograd-2x2-3x3.ts):
 * filter, input and output transforms around 16 GEMMs, 2.25x fewer multiply-adds than im2col.
 * The input gradient of such a convolution is again one (the filters rotated by 180 degrees, input
 * and output channels swapped, padding 2 - pad), so it runs the same way. The filter gradient runs
 * the adjoint transforms around 16 GEMMs over the tiles (conv-winograd-backward.ts).
 */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import { gemmChannelAffineBatch, packA, packedAFloats } from './gemm-channel-affine.js';
import { PIECES_PER_THREAD, runTasks, splitOver, splitRange, threadsFor, type Task } from '../threads/index.js';
import { runOrCall } from './conv-tasks.js';
import type { Conv2dGeometry } from './conv.js';

/**
 * Whether conv2dForward (and the input gradient) take the Winograd path. Measured here, one process,
 * against im2col + GEMM (GFLOP/s counted as direct convolution): 64x56x56 -> 64 at batch 1, 2.0x;
 * 256x56x56 -> 256, 2.3x; 512x14x14 -> 512, 1.1-1.3x; 512x7x7 at batch 8, 1.3-1.5x, but at batch 1
 * (16 tiles) 0.6x: each of the 16 GEMMs packs its OC x C filter matrix, which a few tiles cannot
 * repay. With few channels (VGG conv1: 3 inputs) the transforms cost more than the GEMMs they save.
 */
export function winogradApplies(g: Conv2dGeometry, minTiles = MIN_TILES): boolean {
  if (!(g.KH === 3 && g.KW === 3 && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1)) return false;
  if (g.groups !== 1 || g.padH > 2 || g.padW > 2 || g.C < 16 || g.OC < 16) return false;
  const tiles = g.N * Math.ceil((g.H + 2 * g.padH - 2) / 2) * Math.ceil((g.W + 2 * g.padW - 2) / 2);
  return tiles >= minTiles;
}

/** Tiles (2x2 output blocks over the batch) below which Winograd loses: 7x7 at batch 3 is even. */
const MIN_TILES = 48;

/**
 * The same with the filters transformed and packed once (inference, conv2dForwardWinogradPacked): no
 * filter packing per call to repay. ResNet-50's 512 x 7 x 7 3x3 layer at batch 1 (16 tiles), relaxed,
 * measured here against im2col + the packed GEMM: 1.60x on one thread, 1.54x on two.
 */
export const MIN_TILES_PACKED = 16;

/** Floats of each transformed-input and GEMM-output buffer per chunk of tile rows (4 MB). */
const CHUNK_FLOATS = 1 << 20;

export interface Plane {
  N: number;
  C: number;
  H: number;
  W: number;
  padH: number;
  padW: number;
  OC: number;
  OH: number;
  OW: number;
}

/** One image's share of a chunk of tile rows: its tile rows th0..th1, starting at column col of the chunk. */
export type Piece = [n: number, th0: number, th1: number, col: number];

/**
 * The tile rows of the whole batch (image after image) in chunks small enough for the transformed
 * buffers (16 * max(C, OC) floats per tile, CHUNK_FLOATS in all); a chunk may span images.
 */
export interface TileChunks {
  tilesW: number;
  /** Floats of the zero-padded plane f32_winograd_2x2_3x3_input needs for a chunk. */
  planeFloats: number;
  /** Tiles in the largest chunk. */
  maxT: number;
  chunks(): Generator<{ first: boolean; T: number; pieces: Piece[] }>;
}

/**
 * The batch's tile rows (image after image, tilesH per image) in chunks of rowsPerChunk rows; a
 * chunk may span images. Shared by F(2x2) and F(4x4).
 */
export function* tileRowChunks(
  N: number, tilesH: number, tilesW: number, rowsPerChunk: number,
): Generator<{ first: boolean; T: number; pieces: Piece[] }> {
  const rows = N * tilesH;
  for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
    const r1 = Math.min(r0 + rowsPerChunk, rows);
    const pieces: Piece[] = [];
    for (let n = Math.floor(r0 / tilesH); n * tilesH < r1; n++) {
      const th0 = Math.max(r0 - n * tilesH, 0);
      pieces.push([n, th0, Math.min(r1 - n * tilesH, tilesH), (n * tilesH + th0 - r0) * tilesW]);
    }
    yield { first: r0 === 0, T: (r1 - r0) * tilesW, pieces };
  }
}

export function tileChunks(N: number, OH: number, OW: number, channels: number): TileChunks {
  const tilesH = Math.ceil(OH / 2);
  const tilesW = Math.ceil(OW / 2);
  const rows = N * tilesH;
  const rowsPerChunk = Math.max(1, Math.min(rows, Math.floor(CHUNK_FLOATS / (16 * channels * tilesW))));
  return {
    tilesW,
    planeFloats: (2 * rowsPerChunk + 2) * (8 * Math.ceil(tilesW / 4) + 2),
    maxT: rowsPerChunk * tilesW,
    chunks: () => tileRowChunks(N, tilesH, tilesW, rowsPerChunk),
  };
}

/**
 * Runs a transform over a chunk's pieces: one call per piece on one thread; with more threads each
 * piece is cut into ranges of tile rows (a range starting at tile row a starts at column
 * col + (a - th0) * tilesW of the chunk). args(n, a, b, col) gives a call's arguments.
 */
export function transformPieces(
  k: Kernels, fn: string, pieces: readonly Piece[], tilesW: number, work: number,
  args: (n: number, th0: number, th1: number, col: number) => number[], scratch?: { index: number; bytes: number; ptr: number },
): void {
  const threads = threadsFor(k, work);
  if (threads <= 1) {
    for (const [n, th0, th1, col] of pieces) {
      const a = args(n, th0, th1, col);
      if (scratch !== undefined) a[scratch.index] = scratch.ptr;
      kernel(k, fn)(...a);
    }
    return;
  }
  const tasks: Task[] = [];
  for (const [n, th0, th1, col] of pieces) {
    for (const [a, b] of splitRange(th1 - th0, Math.ceil((2 * threads) / pieces.length))) {
      tasks.push({ fn, args: args(n, th0 + a, th0 + b, col + a * tilesW), scratch: scratch?.index });
    }
  }
  runTasks(k, tasks, scratch?.bytes ?? 0);
}

/**
 * u (16 x OC x C) = the transformed filters of w [OC, C, 3, 3] (flip: rotated by 180 degrees with the
 * channels swapped, for the input gradient), split over the threads by rows of u (each row is the
 * same arithmetic whoever computes it). About 40 multiply-adds per weight.
 */
function filterTransform(k: Kernels, w: number, OC: number, C: number, flip: 0 | 1, u: number): void {
  const rows = flip !== 0 ? C : OC;
  const task = (r0: number, r1: number) => ({ fn: 'f32_winograd_2x2_3x3_filter_rows', args: [w, OC, C, flip, u, r0, r1] });
  if (!splitOver(k, 40 * OC * C * 9, rows, 1, task)) kernel(k, 'f32_winograd_2x2_3x3_filter')(w, OC, C, flip, u);
}

/** The 16 GEMMs of a chunk, C[xi] = alpha A[xi] B[xi] + beta C[xi]. */
type SixteenGemms = (
  k: Kernels, transB: boolean, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
) => void;

/**
 * y[N, OC, OH, OW] = 3x3 convolution of x[N, C, H, W] with filters already transformed into u
 * (16 x OC x C floats, f32_winograd_2x2_3x3_filter), plus bias (0 for none).
 */
function winogradTransformed(k: Kernels, p: Plane, x: number, u: number, bias: number, y: number, gemms: SixteenGemms): void {
  const tc = tileChunks(p.N, p.OH, p.OW, Math.max(p.C, p.OC));
  const v = k.arena.alloc(16 * p.C * tc.maxT * 4);
  const m = k.arena.alloc(16 * p.OC * tc.maxT * 4);
  const plane = k.arena.alloc(tc.planeFloats * 4);
  const imageIn = p.C * p.H * p.W * 4;
  const imageOut = p.OC * p.OH * p.OW * 4;
  const planeScratch = { index: 12, bytes: tc.planeFloats * 4, ptr: plane };
  try {
    for (const { T, pieces } of tc.chunks()) {
      transformPieces(k, 'f32_winograd_2x2_3x3_input', pieces, tc.tilesW, 16 * p.C * T,
        (n, th0, th1, col) => [x + n * imageIn, p.C, p.H, p.W, p.padH, p.padW, th0, th1, tc.tilesW, v, T, col, 0], planeScratch);
      gemms(k, false, p.OC, T, p.C, u, p.C, v, T, 0, m, T);
      transformPieces(k, 'f32_winograd_2x2_3x3_output', pieces, tc.tilesW, 16 * p.OC * T,
        (n, th0, th1, col) => [m, p.OC, T, col, th0, th1, tc.tilesW, bias, y + n * imageOut, p.OH, p.OW]);
    }
  } finally {
    for (const ptr of [v, m, plane]) k.arena.free(ptr);
  }
}

/** Tiles a task of the fused training path aims at (whole tile rows: ResNet's 56 x 56, 2 rows of 28). */
const FUSED_TILES = 64;

/** Rows of the packed filters a unit of f32_winograd_2x2_3x3_fused_packing (a multiple of 4). */
const PACK_UNIT_ROWS = 16;

/**
 * The plan's tile tasks as f32_winograd_2x2_3x3_fused_packing calls: each first makes sure the
 * filters are transformed and packed, claiming 16-row units by their i32 flags at `flags` (zeroed,
 * packUnits(plan) of them), so the filters need no job (nor the calling thread) before the tiles.
 */
export function packingTasks(plan: FusedPlan, flags: number): Task[] {
  const f = plan.filters;
  return plan.tasks.map((t) => ({
    fn: 'f32_winograd_2x2_3x3_fused_packing', args: [flags, PACK_UNIT_ROWS, f.w, f.wOC, f.wC, f.flip, f.u, ...t.args], scratch: 7 + t.scratch!,
  }));
}

/** The flags packingTasks needs. */
export const packUnits = (plan: FusedPlan): number => Math.ceil(plan.filters.R / PACK_UNIT_ROWS);

/**
 * y = the 3x3 convolution of x with w (flip: the input gradient's rotated filters, see
 * filterTransform), plus bias (0: none), for training: one job of tasks of a few tile rows of an
 * image, each running the input transform, the 16 GEMMs and the output transform of its tiles
 * (f32_winograd_2x2_3x3_fused), the first tasks transforming and packing the filters in units as they
 * start (packingTasks; on one thread, or with one task, the filters first by row ranges). ResNet's 64
 * x 56 x 56 3x3 layer ran four jobs (filters, input transform, 32 GEMM panels, output transform), and
 * its transforms, streaming 3.2 MB buffers, hardly scaled; then the filters on the calling thread
 * (0.11 ms) and the tiles' job.
 */
export function winogradFused(k: Kernels, p: Plane, x: number, w: number, flip: 0 | 1, bias: number, y: number): void {
  const plan = fusedPlan(k, p, x, w, flip, bias, y, threadsFor(k, 16 * p.N * Math.ceil(p.OH / 2) * Math.ceil(p.OW / 2) * p.OC * p.C), PREP_JOB_WORK);
  const flags = plan.threads > 1 && plan.tasks.length > 1 ? k.arena.alloc(packUnits(plan) * 4) : 0;
  try {
    if (flags !== 0) {
      k.arena.i32(flags, packUnits(plan)).fill(0);
      runOrCall(k, plan.threads, packingTasks(plan, flags), plan.scratchBytes);
    } else {
      runOrCall(k, plan.prepThreads, plan.prep, 0);
      runOrCall(k, plan.threads, plan.tasks, plan.scratchBytes);
    }
  } finally {
    plan.free();
    if (flags !== 0) k.arena.free(flags);
  }
}

/** The two jobs of winogradFused as task lists (for a caller that merges them with others), and what to free after them. */
export interface FusedPlan {
  /** The filters' transform and packing, and the threads it is worth. */
  prep: Task[];
  prepThreads: number;
  /** The tile-row tasks (after prep), their scratch bytes, and the threads they are worth. */
  tasks: Task[];
  scratchBytes: number;
  threads: number;
  /** What the filters' tasks transform (w, its OC x C, flip) and where (u, packed), and the rows R of packed. */
  filters: { w: number; wOC: number; wC: number; flip: 0 | 1; u: number; packed: number; R: number };
  free(): void;
}

/**
 * Multiply-adds of the filters' transform below which winogradFused runs it on the calling thread: as
 * a job of its own, ResNet's 64 x 64 filters took 0.23 ms on 2 threads against 0.10 ms on one (a
 * dispatch and a wait for about 1.5M multiply-adds and 0.6 MB of stores).
 */
const PREP_JOB_WORK = 1 << 22;

/**
 * The plan of winogradFused on `threads` threads; the filters' tasks split only when their work
 * (about 40 multiply-adds a weight) reaches prepWork (a caller merging them into a job of other
 * tasks passes 0).
 */
export function fusedPlan(k: Kernels, p: Plane, x: number, w: number, flip: 0 | 1, bias: number, y: number, threads: number, prepWork: number): FusedPlan {
  const R = p.OC;
  const packed = k.arena.alloc((kernel(k, 'f32_winograd_2x2_3x3_packed_floats')(flip !== 0 ? p.C : p.OC, flip !== 0 ? p.OC : p.C, flip) as number) * 4);
  const u = k.arena.alloc(16 * p.OC * p.C * 4);
  const [wOC, wC] = flip !== 0 ? [p.C, p.OC] : [p.OC, p.C];
  const prepTask = (r0: number, r1: number): Task => ({ fn: 'f32_winograd_2x2_3x3_filter_packed', args: [w, wOC, wC, flip, u, packed, r0, r1] });
  const prepThreads = 40 * p.OC * p.C * 9 >= prepWork ? Math.min(threads, threadsFor(k, 40 * p.OC * p.C * 9)) : 1;
  const prep = prepThreads > 1 ? splitRange(R, prepThreads * PIECES_PER_THREAD, 4).map(([a, b]) => prepTask(a, b)) : [prepTask(0, R)];
  const tilesH = Math.ceil(p.OH / 2);
  const tilesW = Math.ceil(p.OW / 2);
  const ranges = splitRange(tilesH, Math.ceil(tilesH / Math.max(1, Math.floor(FUSED_TILES / tilesW))));
  const rows = Math.max(...ranges.map(([a, b]) => b - a));
  const imageIn = p.C * p.H * p.W * 4;
  const imageOut = p.OC * p.OH * p.OW * 4;
  const tasks: Task[] = [];
  for (let n = 0; n < p.N; n++) {
    for (const [th0, th1] of ranges) {
      tasks.push({
        fn: 'f32_winograd_2x2_3x3_fused',
        args: [x + n * imageIn, p.C, p.H, p.W, p.padH, p.padW, th0, th1, tilesW, packed, p.OC, bias, y + n * imageOut, p.OH, p.OW, 0],
        scratch: 15,
      });
    }
  }
  const scratchBytes = kernel(k, 'f32_winograd_2x2_3x3_fused_scratch_bytes')(p.C, p.OC, rows, tilesW) as number;
  return {
    prep, prepThreads, tasks, scratchBytes, threads,
    filters: { w, wOC, wC, flip, u, packed, R },
    free: () => {
      k.arena.free(packed);
      k.arena.free(u);
    },
  };
}

/** y = conv(x, w) + b (b may be 0) for a geometry winogradApplies accepts. */
export function conv2dForwardWinograd(k: Kernels, g: Conv2dGeometry, x: number, w: number, b: number, y: number, OH: number, OW: number): void {
  winogradFused(k, { N: g.N, C: g.C, H: g.H, W: g.W, padH: g.padH, padW: g.padW, OC: g.OC, OH, OW }, x, w, 0, b, y);
}

/** dx (overwritten) = the input gradient of a convolution winogradApplies accepts, from dy [N, OC, OH, OW]. */
export function conv2dInputGradWinograd(k: Kernels, g: Conv2dGeometry, w: number, dy: number, dx: number, OH: number, OW: number): void {
  winogradFused(k, { N: g.N, C: g.OC, H: OH, W: OW, padH: 2 - g.padH, padW: 2 - g.padW, OC: g.C, OH: g.H, OW: g.W }, dy, w, 1, 0, dx);
}

/**
 * Inference with the filters transformed and packed once (winogradPackFilters): the 16 GEMMs read
 * their A panels as packed and the transformed input in place (f32_gemm_4x8_channel_affine with no
 * epilogue: the same sums as f32_gemm_4x8's), so a call packs nothing. y = conv(x, w), no bias.
 */
export function conv2dForwardWinogradPacked(k: Kernels, g: Conv2dGeometry, x: number, packed: number, y: number, OH: number, OW: number): void {
  const per = packedAFloats(k, g.OC, g.C);
  const gemms = (_k: Kernels, _t: boolean, M: number, N: number, K: number, _a: number, _lda: number, b: number, _ldb: number, _beta: number, c: number): void => {
    const calls = Array.from({ length: 16 }, (_, xi) => ({ a: packed + xi * per * 4, b: b + xi * K * N * 4, c: c + xi * M * N * 4 }));
    gemmChannelAffineBatch(k, M, N, K, calls);
  };
  winogradTransformed(k, { N: g.N, C: g.C, H: g.H, W: g.W, padH: g.padH, padW: g.padW, OC: g.OC, OH, OW }, x, 0, 0, y, gemms);
}

/** Floats winogradPackFilters writes: 16 packed OC x C matrices. */
export function winogradPackedFloats(k: Kernels, OC: number, C: number): number {
  return 16 * packedAFloats(k, OC, C);
}

/** Transforms w [OC, C, 3, 3] (f32_winograd_2x2_3x3_filter) and packs each of the 16 matrices as GEMM A panels into dst. */
export function winogradPackFilters(k: Kernels, OC: number, C: number, w: number, dst: number): void {
  const u = k.arena.alloc(16 * OC * C * 4);
  try {
    filterTransform(k, w, OC, C, 0, u);
    const per = packedAFloats(k, OC, C);
    for (let xi = 0; xi < 16; xi++) packA(k, OC, C, u + xi * OC * C * 4, C, dst + xi * per * 4);
  } finally {
    k.arena.free(u);
  }
}
