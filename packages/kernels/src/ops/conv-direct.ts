/**
 * Direct stride-1 convolution for layers with few taps (assembly/conv/f32-conv2d-direct-4x8.ts): each
 * task zero-pads the input rows it reads into its thread's scratch, and the forward pass and the filter
 * gradient read them in place, with no column matrix. LeNet's C1 (1 channel, 5x5) and VGG's first layer (3 channels, 3x3) are the cases.
 */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import { splitRange, threadsFor, type Task } from '../threads/index.js';
import { reduce } from './reduce.js';
import type { Conv2dGeometry } from './conv.js';
import { inputGradChunkTasks } from './conv-backward-chunks.js';
import { runOrCall } from './conv-tasks.js';

/** Largest C*KH*KW taken directly: above it im2col + GEMM (or the pixels-major tile) is faster. */
const MAX_TAPS = 32;

/**
 * Whether conv2dForward and the filter gradient run directly. Measured here, one process: LeNet C1
 * (64 x 1 x 28 x 28, 6 @ 5x5 pad 2) and VGG conv1 (3 -> 64, 224 x 224) against im2col + GEMM; with
 * many taps (LeNet C3: 150) the GEMM's reuse of each loaded input across a 4x8 tile wins.
 */
export function directApplies(g: Conv2dGeometry): boolean {
  return (
    g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1 && g.groups === 1 &&
    g.C * g.KH * g.KW <= MAX_TAPS && g.W + 2 * g.padW - g.KW + 1 >= 8
  );
}

/** Bytes of padded input rows a band of the direct forward pass keeps in cache (half of a 32 KB L1). */
const BAND_BYTES = 16384;

/** Output rows per band of f32_conv2d_direct_4x8: as many as keep their input rows (all channels) within BAND_BYTES. */
function bandRows(g: Conv2dGeometry, Wp: number): number {
  return Math.max(1, Math.floor(BAND_BYTES / (g.C * Wp * 4)) - (g.KH - 1));
}

/**
 * Pieces per thread of the forward pass (runs of images, or rows of few images): pieces of the same
 * cost whatever their number, so finer than the threads' PIECES_PER_THREAD, which bounds what a thread held up by
 * another process leaves the others to wait for (LeNet C1 at batch 64 in a training step: 4 tasks of
 * 16 images, the caller waited 50-130 us a step for the other thread's last one).
 */
const FINE_PIECES = 4;

/** Padded row length of the direct kernels: whole 8-pixel tiles plus the kernel's width. */
function paddedWidth(g: Conv2dGeometry, OW: number): number {
  return 8 * Math.ceil(OW / 8) + g.KW - 1;
}

/**
 * y = conv(x, w) + b (b may be 0) for a geometry directApplies accepts. Each task pads its own
 * input rows into its thread's scratch (f32_conv2d_direct_pad_4x8) just before its tile reads them:
 * one job, no padded copy of the batch (LeNet C1 at batch 64 padded 64 images in a job of its own
 * first, VGG conv1 its three 224 x 224 planes).
 */
export function conv2dForwardDirect(k: Kernels, g: Conv2dGeometry, x: number, w: number, b: number, y: number, OH: number, OW: number): void {
  const kk = g.C * g.KH * g.KW;
  const blocks = Math.ceil(g.OC / 4);
  const packed = k.arena.alloc(blocks * kk * 4 * 4);
  try {
    // packed[ob][t][j] = w[4 ob + j][t], zero past OC.
    const src = k.arena.f32(w, g.OC * kk);
    const dst = k.arena.f32(packed, blocks * kk * 4);
    dst.fill(0);
    for (let o = 0; o < g.OC; o++) for (let t = 0; t < kk; t++) dst[((o >> 2) * kk + t) * 4 + (o & 3)] = src[o * kk + t]!;
    const P = OH * OW;
    const Wp = paddedWidth(g, OW);
    const band = bandRows(g, Wp);
    const image = g.C * g.H * g.W * 4;
    const threads = threadsFor(k, g.N * g.OC * P * kk);
    const call = (n0: number, n1: number, r0: number, r1: number): Task => ({
      fn: 'f32_conv2d_direct_pad_4x8',
      args: [x + n0 * image, n1 - n0, g.C, g.H, g.W, g.padH, g.padW, g.KH, g.KW, Wp, r0, r1, OW, packed, g.OC, b, y + n0 * g.OC * P * 4, P, band, 0],
      scratch: 19,
    });
    // Images are independent: the threads take runs of them. With fewer images than pieces
    // (inference, batch 1) each image goes by ranges of output rows, every channel (its planes still
    // P apart), so each thread reads only its rows of the input and every output is computed as in
    // the whole call. By blocks of output channels instead, every thread streamed the whole padded
    // image (VGG conv1: 630 KB) once per block, and two threads ran it at 1.2-1.3x one.
    const tasks: Task[] = [];
    let rows = OH;
    if (threads > 1 && g.N < 2 * threads) {
      const ranges = splitRange(OH, Math.ceil((FINE_PIECES * threads) / g.N));
      rows = Math.max(...ranges.map(([r0, r1]) => r1 - r0));
      for (let n = 0; n < g.N; n++) for (const [r0, r1] of ranges) tasks.push(call(n, n + 1, r0, r1));
    } else if (threads > 1) {
      for (const [n0, n1] of splitRange(g.N, threads * FINE_PIECES)) tasks.push(call(n0, n1, 0, OH));
    } else {
      tasks.push(call(0, g.N, 0, OH));
    }
    const scratchBytes = kernel(k, 'f32_conv2d_direct_pad_scratch_bytes')(g.C, g.KH, g.KW, rows, Wp) as number;
    runOrCall(k, threads, tasks, scratchBytes);
  } finally {
    k.arena.free(packed);
  }
}

/**
 * Batches of at least this many images sum the filter gradient in FILTER_GRAD_RUNS runs of images,
 * one task each, and then add the runs' sums in order: each task reads only its own images (LeNet C1
 * at batch 64 on 2 threads: 1.56x by weights, where every task streamed the whole batch).
 */
const FILTER_GRAD_CHUNKS = 8;

/**
 * Runs of images of the filter gradient (at most; fixed by the batch size, so the bits do not depend
 * on the thread count). 16 runs of 4 images at LeNet C1's batch 64 (a shorter wait for a thread held
 * up by another process) changed the sums' order, and the demo's seeded LeNet-5 training then ended
 * at 97.90% test accuracy instead of 98.10%, under the main job's 98% floor: back to 8 runs of 8
 * images, the bits of the 98.10% run (2026-11-26 11:10, demo on 1 and 2 threads).
 */
const FILTER_GRAD_RUNS = 8;

/** Whether conv2dBackwardDirect takes the backward pass (a batch of runs of images). */
export function directBackwardApplies(g: Conv2dGeometry): boolean {
  return directApplies(g) && g.N >= FILTER_GRAD_CHUNKS;
}

/**
 * The backward pass of a convolution directBackwardApplies accepts, as one job (dx, dw, db may each
 * be 0 to skip; the others are overwritten): the bias gradient by channels (f32_channel_sums), the
 * filter gradient as FILTER_GRAD_RUNS runs of images, each padding its images into its thread's
 * scratch (f32_conv2d_direct_filter_grad_pad) and summing into its own block, and the input gradient
 * as chunks of whole images (inputGradChunkTasks). Then the runs' blocks are added in run order.
 * LeNet C1 at batch 64 ran six jobs (bias sums, padding, filter gradient, dY's permutation, W^T dY,
 * col2im), each a dispatch and a wait, and a serial fill of dx; the runs and chunks are fixed by the
 * batch size, so the bits do not depend on the thread count.
 */
export function conv2dBackwardDirect(
  k: Kernels, g: Conv2dGeometry, x: number, w: number, dy: number, dx: number, dw: number, db: number, OH: number, OW: number,
): void {
  const kk = g.C * g.KH * g.KW;
  const P = OH * OW;
  const threads = threadsFor(k, g.N * g.OC * P * kk * ((dx !== 0 ? 1 : 0) + (dw !== 0 ? 1 : 0)));
  const tasks: Task[] = [];
  let scratchBytes = 0;
  if (db !== 0) for (const [c0, c1] of splitRange(g.OC, threads)) tasks.push({ fn: 'f32_channel_sums', args: [dy, g.N, g.OC, P, c0, c1, db] });
  const runs = splitRange(g.N, FILTER_GRAD_RUNS);
  const parts = dw !== 0 ? k.arena.alloc(runs.length * g.OC * kk * 4) : 0;
  let table = 0;
  try {
    if (dw !== 0) {
      const Wp = paddedWidth(g, OW);
      const image = g.C * g.H * g.W * 4;
      runs.forEach(([n0, n1], i) => tasks.push({
        fn: 'f32_conv2d_direct_filter_grad_pad',
        args: [x + n0 * image, n1 - n0, g.C, g.H, g.W, g.padH, g.padW, g.KH, g.KW, Wp, OH, OW, dy + n0 * g.OC * P * 4, g.OC, parts + i * g.OC * kk * 4, 0],
        scratch: 15,
      }));
      scratchBytes = kernel(k, 'f32_conv2d_direct_pad_scratch_bytes')(g.C, g.KH, g.KW, OH, Wp) as number;
    }
    if (dx !== 0) {
      const chunks = inputGradChunkTasks(k, g, w, dy, dx, OH, OW);
      table = chunks.table;
      tasks.push(...chunks.tasks);
      scratchBytes = Math.max(scratchBytes, chunks.scratchBytes);
    }
    runOrCall(k, threads, tasks, scratchBytes);
    if (dw !== 0) reduce(k, 'sum', dw, parts, 1, runs.length, g.OC * kk);
  } finally {
    if (parts !== 0) k.arena.free(parts);
    if (table !== 0) k.arena.free(table);
  }
}

/**
 * Bands of output rows a batch smaller than FILTER_GRAD_CHUNKS is cut into for its filter gradient (all
 * images together, at least one band an image): fixed by the geometry, so the bits do not depend on
 * the thread count.
 */
const FILTER_GRAD_BANDS = 16;

/**
 * dw (overwritten, [OC, C, KH, KW]) = the filter gradient for a geometry directApplies accepts, and
 * the bias gradient db unless 0 (in the same job: VGG conv1's 12.8 MB dY summed in a job of its own
 * ran at 1.5x on 2 threads, and its wait came on top). Fewer images than FILTER_GRAD_CHUNKS go by
 * bands of output rows, each band's sums over every weight in a block of its own
 * (f32_conv2d_direct_filter_grad_rows: its inputs padded in the thread's scratch and in cache), then
 * the blocks are added in band order. VGG conv1 at batch 1 split the weights instead, 8 tasks each
 * streaming the whole padded image (630 KB) and 1.4x on 2 threads; by 16 bands of 14 rows it reads
 * the image and dY once.
 */
export function conv2dFilterGradDirect(k: Kernels, g: Conv2dGeometry, x: number, dy: number, dw: number, OH: number, OW: number, db = 0): void {
  if (g.N >= FILTER_GRAD_CHUNKS) return conv2dBackwardDirect(k, g, x, 0, dy, 0, dw, db, OH, OW);
  const kk = g.C * g.KH * g.KW;
  const P = OH * OW;
  const Wp = paddedWidth(g, OW);
  const threads = threadsFor(k, g.N * g.OC * P * kk);
  const tasks: Task[] = [];
  if (db !== 0) for (const [c0, c1] of splitRange(g.OC, threads)) tasks.push({ fn: 'f32_channel_sums', args: [dy, g.N, g.OC, P, c0, c1, db] });
  const bands = splitRange(OH, Math.ceil(FILTER_GRAD_BANDS / g.N));
  const parts = k.arena.alloc(g.N * bands.length * g.OC * kk * 4);
  try {
    const image = g.C * g.H * g.W * 4;
    for (let n = 0, i = 0; n < g.N; n++) {
      for (const [r0, r1] of bands) {
        tasks.push({
          fn: 'f32_conv2d_direct_filter_grad_rows',
          args: [x + n * image, g.C, g.H, g.W, g.padH, g.padW, g.KH, g.KW, Wp, r0, r1, OW, dy + n * g.OC * P * 4, g.OC, P, parts + i++ * g.OC * kk * 4, 0],
          scratch: 16,
        });
      }
    }
    const rows = Math.max(...bands.map(([r0, r1]) => r1 - r0));
    runOrCall(k, threads, tasks, kernel(k, 'f32_conv2d_direct_pad_scratch_bytes')(g.C, g.KH, g.KW, rows, Wp) as number);
    reduce(k, 'sum', dw, parts, 1, g.N * bands.length, g.OC * kk);
  } finally {
    k.arena.free(parts);
  }
}
