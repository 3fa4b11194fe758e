/**
 * Inference of stride-1, undilated 3x3 convolutions by Winograd F(4x4, 3x3)
 * (assembly/conv/f32-winograd-4x4-3x3.ts): the input transform, 36 GEMMs on filters transformed and
 * packed once, and the output transform with the batch norm, residual and ReLU in its store. 4x fewer
 * multiply-adds than the direct sum (F(2x2, 3x3): 2.25x) and no pass over the output afterwards.
 * F(4x4)'s larger interpolation points cost float32 digits (test/winograd-4x4.test.ts measures them
 * against a float64 reference), so only inference uses it.
 */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import type { Conv2dGeometry } from './conv.js';
import { gemmChannelAffineBatch, packA, packedAFloats, type ChannelAffine } from './gemm-channel-affine.js';
import { tileRowChunks, type Piece } from './winograd.js';
import { PIECES_PER_THREAD, runTasks, splitOver, splitRange, threadsFor, type Task } from '../threads/index.js';

/**
 * Tiles (4x4 output blocks over the batch) from which F(4x4) runs: a 14 x 14 map at batch 1 has 16.
 * A 7 x 7 map at batch 1 (4 tiles, GEMMs 4 columns wide) stays on F(2x2, 3x3) (16 tiles).
 */
export const MIN_TILES_4X4 = 16;

/** Whether winograd4x4Inference takes a geometry (3x3, stride 1, undilated, ungrouped, pad <= 2, >= 16 channels each way). */
export function winograd4x4Applies(g: Conv2dGeometry): boolean {
  if (!(g.KH === 3 && g.KW === 3 && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1)) return false;
  if (g.groups !== 1 || g.padH > 2 || g.padW > 2 || g.C < 16 || g.OC < 16) return false;
  const OH = g.H + 2 * g.padH - 2;
  const OW = g.W + 2 * g.padW - 2;
  return OH >= 1 && OW >= 1 && g.N * Math.ceil(OH / 4) * Math.ceil(OW / 4) >= MIN_TILES_4X4;
}

/** Floats of each transformed-input and GEMM-output buffer per chunk of tile rows (4 MB). */
const CHUNK_FLOATS = 1 << 20;

/**
 * Runs a transform over the pieces of a chunk of tile rows, split over the threads by channels: each
 * task takes whole rows of the transformed planes (or whole output planes), so the two cores do not
 * write the same cache lines as tasks of a few tiles each would on a 14 x 14 map (4 tiles a row).
 * Each channel's values are the same whoever computes them. `floats`: the transform's output, about
 * four vector operations per float, so the 28 x 28 and 14 x 14 layers of ResNet-50 split too.
 */
function channelPieces(
  k: Kernels, fn: string, pieces: readonly Piece[], channels: number, floats: number,
  args: (n: number, th0: number, th1: number, col: number, c0: number, c1: number) => number[], scratch: { index: number; bytes: number; ptr: number },
): void {
  const threads = threadsFor(k, 4 * floats);
  if (threads <= 1) {
    for (const [n, th0, th1, col] of pieces) {
      const a = args(n, th0, th1, col, 0, channels);
      a[scratch.index] = scratch.ptr;
      kernel(k, fn)(...a);
    }
    return;
  }
  const parts = Math.ceil((threads * PIECES_PER_THREAD) / pieces.length);
  const tasks: Task[] = [];
  for (const [n, th0, th1, col] of pieces) {
    for (const [c0, c1] of splitRange(channels, parts)) tasks.push({ fn, args: args(n, th0, th1, col, c0, c1), scratch: scratch.index });
  }
  runTasks(k, tasks, scratch.bytes);
}

/** Units of each transform a thread of winogradLayerJob's job (the threads finish within one small unit of each other). */
const UNITS_PER_THREAD = 8;

const states = new WeakMap<Kernels, number>();

/**
 * A chunk of one image's tile rows on several threads as one job (f32_winograd_4x4_3x3_layer, or
 * f32_winograd_2x2_3x3_layer: every thread one call, the input transform's channel ranges, the GEMMs
 * and the output transform's channel ranges claimed between them, phase after phase). `args`: the
 * kernel's arguments up to OW; C and OC its channels. F(4x4) ran three jobs before (the transforms by
 * 2 fixed channel ranges a thread, the products one a task), F(2x2) its transforms on the calling
 * thread around a job of products, then an epilogue pass: the same kernels' arithmetic on the same
 * rows, the same bits.
 */
export function winogradLayerJob(k: Kernels, fn: string, threads: number, scratchBytes: number, C: number, OC: number, args: number[]): void {
  let state = states.get(k);
  if (state === undefined) {
    state = k.arena.alloc(64);
    states.set(k, state);
  }
  k.arena.i32(state, 5).fill(0);
  const chunk = (n: number) => Math.ceil(n / (UNITS_PER_THREAD * threads));
  const all = [...args, chunk(C), chunk(OC), state, 0];
  runTasks(k, Array.from({ length: threads }, (): Task => ({ fn, args: all, scratch: all.length - 1 })), scratchBytes);
}

/** Floats winograd4x4PackFilters writes: 36 packed OC x C matrices. */
export function winograd4x4PackedFloats(k: Kernels, OC: number, C: number): number {
  return 36 * packedAFloats(k, OC, C);
}

/** Transforms w [OC, C, 3, 3] (G g G^T in float64) and packs each of the 36 matrices as GEMM A panels into dst. */
export function winograd4x4PackFilters(k: Kernels, OC: number, C: number, w: number, dst: number): void {
  const u = k.arena.alloc(36 * OC * C * 4);
  try {
    const task = (r0: number, r1: number) => ({ fn: 'f32_winograd_4x4_3x3_filter_rows', args: [w, OC, C, u, r0, r1] });
    if (!splitOver(k, 60 * OC * C * 9, OC, 1, task)) kernel(k, 'f32_winograd_4x4_3x3_filter_rows')(w, OC, C, u, 0, OC);
    const per = packedAFloats(k, OC, C);
    for (let xi = 0; xi < 36; xi++) packA(k, OC, C, u + xi * OC * C * 4, C, dst + xi * per * 4);
  } finally {
    k.arena.free(u);
  }
}

/**
 * y [N, OC, OH, OW] = act(scale conv(x, w) + shift + residual) for a geometry winograd4x4Applies
 * takes, with the filters prepared by winograd4x4PackFilters.
 */
export function winograd4x4Inference(k: Kernels, g: Conv2dGeometry, x: number, packed: number, e: ChannelAffine, y: number, OH: number, OW: number): void {
  const tilesH = Math.ceil(OH / 4);
  const tilesW = Math.ceil(OW / 4);
  const rowsPerChunk = Math.max(1, Math.min(g.N * tilesH, Math.floor(CHUNK_FLOATS / (36 * Math.max(g.C, g.OC) * tilesW))));
  const maxT = rowsPerChunk * tilesW;
  const extra = kernel(k, 'f32_winograd_4x4_3x3_scratch_bytes')() as number;
  const planeBytes = (4 * rowsPerChunk + 2) * (16 * Math.ceil(tilesW / 4) + 4) * 4 + extra;
  const v = k.arena.alloc(36 * g.C * maxT * 4);
  const m = k.arena.alloc(36 * g.OC * maxT * 4);
  const scratch = k.arena.alloc(planeBytes);
  const imageIn = g.C * g.H * g.W * 4;
  const imageOut = g.OC * OH * OW * 4;
  const per = packedAFloats(k, g.OC, g.C) * 4;
  try {
    for (const { T, pieces } of tileRowChunks(g.N, tilesH, tilesW, rowsPerChunk)) {
      const threads = threadsFor(k, 36 * g.OC * T * g.C);
      if (threads > 1 && pieces.length === 1) {
        const [n, th0, th1, col] = pieces[0]!;
        winogradLayerJob(k, 'f32_winograd_4x4_3x3_layer', threads, Math.max(planeBytes, kernel(k, 'f32_gemm_channel_affine_work_bytes')() as number), g.C, g.OC, [
          x + n * imageIn, g.C, g.H, g.W, g.padH, g.padW, th0, th1, tilesW, col, v, T, packed, per, m, g.OC, e.scale, e.shift,
          e.residual === 0 ? 0 : e.residual + n * imageOut, +e.relu, y + n * imageOut, OH, OW,
        ]);
        continue;
      }
      channelPieces(k, 'f32_winograd_4x4_3x3_input', pieces, g.C, 36 * g.C * T,
        (n, th0, th1, col, c0, c1) => [x + n * imageIn, g.C, g.H, g.W, g.padH, g.padW, th0, th1, tilesW, c0, c1, v, T, col, 0],
        { index: 14, bytes: planeBytes, ptr: scratch });
      const calls = Array.from({ length: 36 }, (_, xi) => ({ a: packed + xi * per, b: v + xi * g.C * T * 4, c: m + xi * g.OC * T * 4 }));
      gemmChannelAffineBatch(k, g.OC, T, g.C, calls);
      channelPieces(k, 'f32_winograd_4x4_3x3_output', pieces, g.OC, 36 * g.OC * T,
        (n, th0, th1, col, o0, o1) => [m, g.OC, T, col, th0, th1, tilesW, o0, o1, e.scale, e.shift,
          e.residual === 0 ? 0 : e.residual + n * imageOut, +e.relu, y + n * imageOut, OH, OW, 0],
        { index: 16, bytes: extra, ptr: scratch });
    }
  } finally {
    for (const ptr of [v, m, scratch]) k.arena.free(ptr);
  }
}
