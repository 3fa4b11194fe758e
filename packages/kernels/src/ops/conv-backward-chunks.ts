/**
 * The backward pass of a convolution (groups 1) in chunks of a few images: one call per chunk computes
 * its filter gradient and its input gradient while they stay in cache (f32_conv2d_backward_direct
 * with no column matrix for stride 1 without padding, else f32_conv2d_backward_chunk: im2col, two
 * GEMMs, col2im), and the chunks are the threads' tasks. The chunk size
 * depends on the geometry only, and the chunks' filter gradients are summed in chunk order, so the
 * bits do not depend on the thread count.
 */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import type { Conv2dGeometry } from './conv.js';
import { tapTable, tapTableApplies } from './conv-taps.js';
import { reduce } from './reduce.js';
import { splitRange, threadsFor, type Task } from '../threads/index.js';
import { runOrCall } from './conv-tasks.js';

/**
 * Output pixels a chunk aims at, and the most column floats it may hold (1 MB): measured here on
 * LeNet C3's backward pass at batch 64 (one thread), chunks of 4 images (400 pixels, 240 KB of
 * columns) against the whole batch at once (3.8 MB of columns).
 */
const CHUNK_PIXELS = 400;
const CHUNK_COLUMN_FLOATS = 1 << 18;

/** Images per chunk for this geometry, or 0 when an image alone exceeds a chunk (the batch-wide path runs). */
export function backwardChunkImages(g: Conv2dGeometry, P: number): number {
  const kk = g.C * g.KH * g.KW;
  const pixels = Math.min(CHUNK_PIXELS, Math.floor(CHUNK_COLUMN_FLOATS / kk));
  if (g.groups !== 1 || g.N < 2 || P > pixels) return 0;
  return Math.min(g.N, Math.floor(pixels / P));
}

/**
 * Whether the chunks run f32_conv2d_backward_direct (no column matrix: the filter gradient
 * pixels-major from the image, the input gradient row by row in registers): stride 1, no padding or
 * dilation, KW 3 to 5, few outputs and taps (LeNet C3: 16 outputs, 150 taps). Otherwise
 * f32_conv2d_backward_chunk (im2col, two GEMMs, col2im): a 1x1 convolution's input gradient is a GEMM
 * over its channels, which the row-by-row sums (one tap, three accumulators) would run far slower.
 */
export function backwardDirectApplies(g: Conv2dGeometry): boolean {
  return g.groups === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0 &&
    g.dilationH === 1 && g.dilationW === 1 && g.KW >= 3 && g.KW <= 5 && g.OC <= 32 && g.C * g.KH * g.KW <= 1024;
}

/**
 * dx, dw and db (each may be 0; the others overwritten) of a convolution backwardChunkImages accepts;
 * the bias sums (f32_channel_sums by channel ranges) run in the chunks' job.
 */
export function conv2dBackwardChunks(
  k: Kernels, g: Conv2dGeometry, x: number, w: number, dy: number, dx: number, dw: number, db: number, OH: number, OW: number,
): void {
  const P = OH * OW;
  const kk = g.C * g.KH * g.KW;
  const nb = backwardChunkImages(g, P);
  const chunks = splitRange(g.N, Math.ceil(g.N / nb));
  const direct = backwardDirectApplies(g);
  const scratchBytes = direct
    ? (kernel(k, 'f32_conv2d_backward_direct_scratch_bytes')(nb, g.OC, OH, OW, g.W, g.KW) as number)
    : (kernel(k, 'f32_conv2d_backward_chunk_scratch_bytes')(kk, g.OC, nb * P) as number);
  const table = !direct && tapTableApplies(g, OH, OW) ? tapTable(k, g, OH, OW) : 0;
  // Each chunk's filter gradient in its own block (the only one's straight into dw).
  const parts = dw !== 0 && chunks.length > 1 ? k.arena.alloc(chunks.length * g.OC * kk * 4) : 0;
  const image = g.C * g.H * g.W * 4;
  const fn = direct ? 'f32_conv2d_backward_direct' : 'f32_conv2d_backward_chunk';
  const scratchAt = direct ? 12 : 21;
  // Chunk i's call, with its input gradient dxi and filter gradient dwi (0 skips either).
  const args = (i: number, dxi: number, dwi: number): number[] => {
    const [n0, n1] = chunks[i]!;
    const xi = x + n0 * image;
    const dyi = dy + n0 * g.OC * P * 4;
    if (direct) return [xi, dyi, w, n1 - n0, g.C, g.H, g.W, g.OC, g.KH, g.KW, dxi, dwi, 0];
    return [xi, dyi, w, n1 - n0, g.C, g.H, g.W, g.OC, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, OH, OW, table, dxi, dwi, 0];
  };
  try {
    const threads = threadsFor(k, g.N * P * g.OC * kk * ((dx !== 0 ? 1 : 0) + (dw !== 0 ? 1 : 0)));
    const tasks: Task[] = [];
    if (db !== 0) for (const [c0, c1] of splitRange(g.OC, threads)) tasks.push({ fn: 'f32_channel_sums', args: [dy, g.N, g.OC, P, c0, c1, db] });
    // On threads, each chunk's input and filter gradients as two tasks (the same calls, computed
    // apart: the same bits), so that the tail the caller waits for is half a chunk (LeNet C3 at
    // batch 64: 16 chunks of ~270 us, the caller waited 135-220 us a step).
    const halves = threads > 1 && dx !== 0 && dw !== 0;
    for (let i = 0; i < chunks.length; i++) {
      const dxi = dx !== 0 ? dx + chunks[i]![0] * image : 0;
      const dwi = dw === 0 ? 0 : parts !== 0 ? parts + i * g.OC * kk * 4 : dw;
      if (halves) tasks.push({ fn, args: args(i, 0, dwi), scratch: scratchAt }, { fn, args: args(i, dxi, 0), scratch: scratchAt });
      else tasks.push({ fn, args: args(i, dxi, dwi), scratch: scratchAt });
    }
    runOrCall(k, threads > 1 && chunks.length > 1 ? threads : 1, tasks, scratchBytes);
    if (parts !== 0) reduce(k, 'sum', dw, parts, 1, chunks.length, g.OC * kk);
  } finally {
    if (parts !== 0) k.arena.free(parts);
    if (table !== 0) k.arena.free(table);
  }
}

/**
 * Column floats a chunk of the input gradient alone may hold (256 KB): without a filter gradient
 * sharing its columns, a chunk takes whole images of any size (LeNet C1: 784 pixels, 3 images a chunk).
 */
const INPUT_GRAD_COLUMN_FLOATS = 1 << 16;

/**
 * dx (overwritten) of a convolution with groups 1 as tasks of f32_conv2d_backward_chunk without the
 * filter gradient, in chunks of whole images fixed by the geometry (W^T dY's sums run over the output
 * channels, col2im's over one image's taps: the bits depend on neither the chunks nor the threads),
 * for a caller that runs them in a job of its own tasks. Free `table` (when not 0) after the job.
 */
export function inputGradChunkTasks(
  k: Kernels, g: Conv2dGeometry, w: number, dy: number, dx: number, OH: number, OW: number,
): { tasks: Task[]; scratchBytes: number; table: number } {
  const P = OH * OW;
  const kk = g.C * g.KH * g.KW;
  const nb = Math.max(1, Math.min(g.N, Math.floor(INPUT_GRAD_COLUMN_FLOATS / (kk * P))));
  const chunks = splitRange(g.N, Math.ceil(g.N / nb));
  const scratchBytes = kernel(k, 'f32_conv2d_backward_chunk_scratch_bytes')(kk, g.OC, nb * P) as number;
  const table = tapTableApplies(g, OH, OW) ? tapTable(k, g, OH, OW) : 0;
  const image = g.C * g.H * g.W * 4;
  const tasks = chunks.map(([n0, n1]): Task => ({
    fn: 'f32_conv2d_backward_chunk',
    args: [
      0, dy + n0 * g.OC * P * 4, w, n1 - n0, g.C, g.H, g.W, g.OC, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW,
      g.dilationH, g.dilationW, OH, OW, table, dx + n0 * image, 0, 0,
    ],
    scratch: 21,
  }));
  return { tasks, scratchBytes, table };
}
