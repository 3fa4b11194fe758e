/**
 * The im2col backward pass of a convolution (groups 1) in chunks of a few images: one
 * f32_conv2d_backward_chunk call per chunk builds the chunk's columns, its filter gradient and its
 * input gradient while they stay in cache, and the chunks are the threads' tasks. The chunk size
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
  const scratchBytes = kernel(k, 'f32_conv2d_backward_chunk_scratch_bytes')(kk, g.OC, nb * P) as number;
  const table = tapTableApplies(g, OH, OW) ? tapTable(k, g, OH, OW) : 0;
  // Each chunk's filter gradient in its own block (the only one's straight into dw).
  const parts = dw !== 0 && chunks.length > 1 ? k.arena.alloc(chunks.length * g.OC * kk * 4) : 0;
  const image = g.C * g.H * g.W * 4;
  const args = (i: number, work: number) => {
    const [n0, n1] = chunks[i]!;
    return [
      x + n0 * image, dy + n0 * g.OC * P * 4, w, n1 - n0, g.C, g.H, g.W, g.OC, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW,
      g.dilationH, g.dilationW, OH, OW, table, dx !== 0 ? dx + n0 * image : 0, dw === 0 ? 0 : parts !== 0 ? parts + i * g.OC * kk * 4 : dw, work,
    ];
  };
  try {
    const threads = threadsFor(k, g.N * P * g.OC * kk * ((dx !== 0 ? 1 : 0) + (dw !== 0 ? 1 : 0)));
    const sums = db !== 0 ? splitRange(g.OC, threads).map(([c0, c1]): Task => ({ fn: 'f32_channel_sums', args: [dy, g.N, g.OC, P, c0, c1, db] })) : [];
    const tasks = chunks.map((_, i): Task => ({ fn: 'f32_conv2d_backward_chunk', args: args(i, 0), scratch: 21 }));
    if (threads > 1 && dx !== 0 && dw !== 0) {
      // On threads, each chunk's input and filter gradients as two tasks (the same calls, computed
      // apart: the same bits), so that the tail the caller waits for is half a chunk (LeNet C3 at
      // batch 64: 16 chunks of ~270 us, the caller waited 135-220 us a step).
      const halves = tasks.flatMap((t): Task[] => {
        const dwOnly = t.args.slice();
        dwOnly[19] = 0;
        const dxOnly = t.args.slice();
        dxOnly[20] = 0;
        return [{ ...t, args: dwOnly }, { ...t, args: dxOnly }];
      });
      tasks.splice(0, tasks.length, ...halves);
    }
    runOrCall(k, threads > 1 && chunks.length > 1 ? threads : 1, [...sums, ...tasks], scratchBytes);
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
