/**
 * 2-D convolution (cross-correlation, as in every framework) on NCHW tensors with weights
 * [OC, C/groups, KH, KW]: stride, zero padding, dilation and groups, as im2col + the packed GEMM.
 */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import { gemm, packB, packedBFloats } from './gemm.js';
import { fill } from './elementwise.js';
import { channelSums } from './reduce.js';
import { copyStrided, transpose2d } from './copy.js';
import { conv2dBackwardDirect, conv2dFilterGradDirect, conv2dForwardDirect, directApplies, directBackwardApplies } from './conv-direct.js';
import { tapTable, tapTableApplies } from './conv-taps.js';
import { backwardChunkImages, backwardDirectApplies, conv2dBackwardChunks } from './conv-backward-chunks.js';
import { PIECES_PER_THREAD, runTasks, splitOver, splitRange, threadsFor, type Task } from '../threads/index.js';
import { conv2dBackwardWinograd, conv2dFilterGradWinograd } from './conv-winograd-backward.js';
import { conv2dForwardWinograd, conv2dInputGradWinograd, winogradApplies } from './winograd.js';

export interface Conv2dGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  OC: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** floor((in + 2 pad - dilation (k - 1) - 1) / stride) + 1: the seeds' (W - F + 2P) / S + 1 with dilation. */
export function convOutputSize(input: number, k: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((input + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

export function checkConvGeometry(g: Conv2dGeometry, where = 'conv2d'): { OH: number; OW: number } {
  for (const key of ['N', 'C', 'H', 'W', 'OC', 'KH', 'KW', 'strideH', 'strideW', 'dilationH', 'dilationW', 'groups'] as const) {
    if (!Number.isSafeInteger(g[key]) || g[key] < 1) throw new RangeError(`${where}: ${key} must be a positive integer, got ${g[key]}`);
  }
  for (const key of ['padH', 'padW'] as const) {
    if (!Number.isSafeInteger(g[key]) || g[key] < 0) throw new RangeError(`${where}: ${key} must be a non-negative integer, got ${g[key]}`);
  }
  if (g.C % g.groups !== 0 || g.OC % g.groups !== 0) {
    throw new RangeError(`${where}: ${g.C} input and ${g.OC} output channels must both be divisible by groups ${g.groups}`);
  }
  const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
  const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
  if (OH < 1 || OW < 1) {
    throw new RangeError(
      `${where}: a ${g.KH}x${g.KW} kernel (dilation ${g.dilationH}x${g.dilationW}) does not fit a ${g.H}x${g.W} input with padding ${g.padH}x${g.padW}`,
    );
  }
  return { OH, OW };
}

function colsArgs(g: Conv2dGeometry, OH: number, OW: number): number[] {
  return [g.C / g.groups, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, OH, OW];
}

/**
 * im2col (or col2im) of images n0..n0+nb-1 of group gr: image n's columns start at column n*P of
 * `cols` (rows of ld floats). The threads take runs of images or, with few images, (image, channel
 * range) pieces (each image's channels are independent), col2im (image, input row range) pieces; one
 * thread makes one call per image, as before.
 * Small outputs take the tap-table kernels (see tapTable), the same way.
 */
export function imagesToColumns(
  k: Kernels, fn: 'f32_im2col' | 'f32_col2im', g: Conv2dGeometry, OH: number, OW: number, x: number, gr: number, n0: number, nb: number, cols: number, ld: number,
): void {
  const cg = g.C / g.groups;
  const P = OH * OW;
  const taps = g.KH * g.KW;
  const table = tapTableApplies(g, OH, OW) ? tapTable(k, g, OH, OW) : 0;
  const name = table === 0 ? fn : `${fn}_table`;
  /** Geometry arguments after the channel count, for the row or the table kernels. */
  const geometryArgs = (channels: number) => {
    if (table !== 0) return [channels, g.H * g.W, taps, P, table];
    const args = colsArgs(g, OH, OW);
    args[0] = channels;
    return args;
  };
  const call = (n: number, c0: number, c1: number) => {
    const image = x + ((n0 + n) * g.C + gr * cg + c0) * g.H * g.W * 4;
    const block = cols + (c0 * taps * ld + n * P) * 4;
    return fn === 'f32_im2col' ? [image, ...geometryArgs(c1 - c0), block, ld] : [block, ...geometryArgs(c1 - c0), image, ld];
  };
  try {
    const threads = threadsFor(k, 4 * nb * cg * taps * P);
    if (threads > 1 && nb >= 2 * threads) {
      // Runs of whole images, so that threads meet only at the runs' ends: neighbouring images' blocks
      // share cache lines (a block's rows are P floats), and one image per task on alternating
      // threads made im2col twice as slow on 2 threads as on one (LeNet C3 backward, measured here).
      const stride = g.C * g.H * g.W;
      const tasks = splitRange(nb, 2 * threads).map(([a, b]): Task => {
        const image = x + ((n0 + a) * g.C + gr * cg) * g.H * g.W * 4;
        const block = cols + a * P * 4;
        return fn === 'f32_im2col'
          ? { fn: `${name}_images`, args: [image, stride, b - a, ...geometryArgs(cg), block, ld] }
          : { fn: `${name}_images`, args: [block, stride, b - a, ...geometryArgs(cg), image, ld] };
      });
      runTasks(k, tasks);
    } else if (threads > 1 && fn === 'f32_col2im' && table === 0) {
      // col2im of few images by ranges of input rows, every channel (each input gathers its terms in
      // tap order either way): VGG conv1 at batch 1 has 3 channels, 3 tasks on 2 threads by channels.
      const tasks: Task[] = [];
      for (let n = 0; n < nb; n++) {
        for (const [r0, r1] of splitRange(g.H, Math.ceil((4 * threads) / nb))) tasks.push({ fn: 'f32_col2im_rows', args: [...call(n, 0, cg), r0, r1] });
      }
      runTasks(k, tasks);
    } else if (threads > 1) {
      const tasks: Task[] = [];
      for (let n = 0; n < nb; n++) for (const [c0, c1] of splitRange(cg, Math.ceil((2 * threads) / nb))) tasks.push({ fn: name, args: call(n, c0, c1) });
      runTasks(k, tasks);
    } else {
      for (let n = 0; n < nb; n++) kernel(k, name)(...call(n, 0, cg));
    }
  } finally {
    if (table !== 0) k.arena.free(table);
  }
}

/** Images per chunk, so the columns of a chunk stay under about 64 MB. */
function chunkSize(g: Conv2dGeometry, kk: number, P: number): number {
  return Math.max(1, Math.min(g.N, Math.floor((16 << 20) / Math.max(1, kk * P))));
}

/**
 * y = conv(x, w) + b; b may be 0 (no bias). Images are processed in chunks: the columns of a chunk
 * form one [kk, nb*P] matrix per group, so each group is one GEMM over the whole chunk, and the
 * [OC, nb*P] result is permuted into NCHW.
 */
export function conv2dForward(k: Kernels, g: Conv2dGeometry, x: number, w: number, b: number, y: number, keepCols = 0): void {
  const { OH, OW } = checkConvGeometry(g);
  const cg = g.C / g.groups;
  const og = g.OC / g.groups;
  const kk = cg * g.KH * g.KW;
  const P = OH * OW;
  if (keepCols !== 0 && convColsFloats(g) === null) throw new RangeError('conv2dForward: these columns are too large to keep (see convColsFloats)');
  if (keepCols === 0 && denseApplies(g)) return conv2dForwardDense(k, g, x, w, b, y);
  if (keepCols === 0 && winogradApplies(g)) return conv2dForwardWinograd(k, g, x, w, b, y, OH, OW);
  if (keepCols === 0 && directApplies(g)) return conv2dForwardDirect(k, g, x, w, b, y, OH, OW);
  if (keepCols === 0 && pixelsMajor(g, P)) return conv2dForwardPixelsMajor(k, g, x, w, b, y, OH, OW);
  const chunk = keepCols !== 0 ? g.N : chunkSize(g, kk, P);
  // A 1x1, stride-1, unpadded kernel's columns of one image are the image itself ([C, H*W]).
  const pointwise = g.KH === 1 && g.KW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0;
  const imageIsColumns = keepCols === 0 && pointwise && chunk === 1;
  // With one image per chunk, the GEMM's [OC, P] result already has y's layout: no permutation.
  const straight = chunk === 1;
  const scratch = keepCols !== 0 || imageIsColumns ? 0 : k.arena.alloc(kk * chunk * P * 4);
  const yt = straight ? 0 : k.arena.alloc(g.OC * chunk * P * 4);
  const bias = b !== 0 ? k.arena.f32(b, g.OC).slice() : null;
  try {
    for (let n0 = 0; n0 < g.N; n0 += chunk) {
      const nb = Math.min(chunk, g.N - n0);
      const ld = nb * P;
      const out = straight ? y + n0 * g.OC * P * 4 : yt;
      if (bias) for (let o = 0; o < g.OC; o++) fill(k, out + o * ld * 4, ld, bias[o]!);
      for (let gr = 0; gr < g.groups; gr++) {
        let cols: number;
        if (imageIsColumns) {
          cols = x + (n0 * g.C + gr * cg) * P * 4;
        } else {
          cols = keepCols !== 0 ? keepCols + gr * kk * ld * 4 : scratch;
          imagesToColumns(k, 'f32_im2col', g, OH, OW, x, gr, n0, nb, cols, ld);
        }
        gemm(k, false, false, og, ld, kk, 1, w + gr * og * kk * 4, kk, cols, ld, bias ? 1 : 0, out + gr * og * ld * 4, ld);
      }
      // yt[o, n*P + p] -> y[n0 + n, o, p]
      if (!straight) copyStrided(k, y + n0 * g.OC * P * 4, [g.OC * P, P, 1], yt, [P, ld, 1], [nb, g.OC, P]);
    }
  } finally {
    if (scratch !== 0) k.arena.free(scratch);
    if (yt !== 0) k.arena.free(yt);
  }
}

/**
 * A kernel covering the whole unpadded input (LeNet's C5, a classifier written as a convolution) has
 * one output pixel per image: the convolution is the dense layer y [N, OC] = x [N, C*H*W] · Wᵀ, and
 * NCHW's [N, OC, 1, 1] is already that layout. Three GEMMs in all, no columns, no permutations.
 */
export function denseApplies(g: Conv2dGeometry): boolean {
  return g.groups === 1 && g.KH === g.H && g.KW === g.W && g.padH === 0 && g.padW === 0 && g.dilationH === 1 && g.dilationW === 1;
}

function conv2dForwardDense(k: Kernels, g: Conv2dGeometry, x: number, w: number, b: number, y: number): void {
  const kk = g.C * g.KH * g.KW;
  if (b !== 0) copyStrided(k, y, [g.OC, 1], b, [0, 1], [g.N, g.OC]);
  gemm(k, false, true, g.N, g.OC, kk, 1, x, kk, w, kk, b !== 0 ? 1 : 0, y, g.OC);
}

/** dx = dy · W and dW = dyᵀ · x for a convolution denseApplies accepts (either may be 0). */
function conv2dBackwardDense(k: Kernels, g: Conv2dGeometry, x: number, w: number, dy: number, dx: number, dw: number): void {
  const kk = g.C * g.KH * g.KW;
  if (dx !== 0) gemm(k, false, false, g.N, kk, g.OC, 1, dy, g.OC, w, kk, 0, dx, kk);
  if (dw !== 0) gemm(k, true, false, g.OC, kk, g.N, 1, dy, g.OC, x, kk, 0, dw, kk);
}

/**
 * Many taps and many pixels: compute Y^T = cols^T W^T (pixels as GEMM rows, XNNPACK's orientation)
 * with f32_conv2d_pixels_4x8, which reads the columns straight from the (padded) image. That skips
 * the column matrix and its packing: the GEMM's tile runs on panels written from the image.
 */
export function pixelsMajor(g: Conv2dGeometry, P: number): boolean {
  // Measured here, one process, interleaved: LeNet conv2 (16 outputs, 150 taps) 19 -> 30 GFLOP/s; the
  // DCGAN convolutions of issue 15 (1,024 and 2,048 taps, 128 and 256 outputs) about 1.2x the
  // im2col path. With few taps (LeNet conv1: 25) the im2col GEMM is as fast; a 1x1 kernel's columns
  // are the image itself, so the GEMM packs straight from it already.
  const pointwise = g.KH === 1 && g.KW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0;
  return !pointwise && (g.C / g.groups) * g.KH * g.KW >= 64 && g.N * P >= 256;
}

/**
 * The pixels-major forward pass; `prepacked` (pixelsMajorWeightsFloats floats from
 * packPixelsMajorWeights, as inference keeps them) skips packing the weights, else 0. `pixelsOut`
 * (one image only): the product is left there pixels-major, [OH*OW, OC], and y is not written
 * (inference fuses its epilogue into the pass that reads it, conv-inference.ts).
 */
export function conv2dForwardPixelsMajor(
  k: Kernels, g: Conv2dGeometry, x: number, w: number, b: number, y: number, OH: number, OW: number, prepacked = 0, pixelsOut = 0,
): void {
  if (pixelsOut !== 0 && g.N !== 1) throw new RangeError(`conv2dForwardPixelsMajor: pixelsOut needs one image, got ${g.N}`);
  const cg = g.C / g.groups;
  const og = g.OC / g.groups;
  const kk = cg * g.KH * g.KW;
  const P = OH * OW;
  const M = g.N * P;
  const per = packedBFloats(k, kk, og);
  const packed = prepacked !== 0 ? prepacked : k.arena.alloc(per * g.groups * 4);
  const taps = k.arena.alloc(kk * 4);
  // The kernel reads every window from the image: a padded convolution reads a zero-padded copy.
  const { ptr: padded, H, W } = padForWindows(k, g, x, OH, OW);
  const src = padded !== 0 ? padded : x;
  const scratchBytes = kernel(k, 'f32_conv2d_pixels_scratch_bytes')() as number;
  let yt = 0;
  try {
    // Offset of each tap from its window's top-left input, in the order of the weights' taps.
    const t = k.arena.i32(taps, kk);
    for (let c = 0, i = 0; c < cg; c++) {
      for (let kh = 0; kh < g.KH; kh++) for (let kw = 0; kw < g.KW; kw++) t[i++] = (c * H + kh * g.dilationH) * W + kw * g.dilationW;
    }
    const threads = threadsFor(k, M * g.OC * kk);
    if (prepacked === 0) packWeights(k, g, w, packed, per, threads);
    // Up to 16 outputs a group, the tile reads its windows itself (packing them costs as much as the
    // product): LeNet C3. With more, the windows are packed into the tile's panel first; so too with
    // more taps than one K block of 512, which the reading tile would sum in one run, not in the GEMM's
    // two blocks (im2col + GEMM, e.g. with kept columns, then gave other bits).
    const direct = og <= 16 && kk <= 512;
    if (g.N >= 2) {
      // Runs of whole images, each task its images' product (every group) in its scratch and their
      // transposes into y with the bias (f32_conv2d_pixels_nchw): one job. Four per thread when there
      // are enough, so that a thread held up by another process leaves less behind (in a LeNet step, 4
      // tasks of 16 images left the caller waiting 50-130 us for the other thread's last one). (LeNet C3 at batch
      // 64 ran the products as one job into a batch-wide [pixels, OC] buffer, then the transposes,
      // 0.05 ms, on the calling thread; one image per transpose task had run slower on 2 threads than on 1.)
      const nchwBytes = kernel(k, 'f32_conv2d_pixels_nchw_scratch_bytes')(P, g.OC) as number;
      const task = (n0: number, n1: number): Task => ({
        fn: 'f32_conv2d_pixels_nchw',
        args: [src + n0 * g.C * H * W * 4, g.C * H * W, n1 - n0, cg, g.groups, H, W, g.KH, g.KW, g.strideH, g.strideW, g.dilationH, g.dilationW,
          OH, OW, packed, per, og, taps, direct ? 1 : 0, b, y + n0 * g.OC * P * 4, 0],
        scratch: 22,
      });
      if (threads > 1) {
        runTasks(k, splitRange(g.N, threads * 2 * PIECES_PER_THREAD).map(([n0, n1]) => task(n0, n1)), nchwBytes);
      } else {
        const work = k.arena.alloc(nchwBytes);
        try {
          const args = task(0, g.N).args;
          args[22] = work;
          kernel(k, 'f32_conv2d_pixels_nchw')(...args);
        } finally {
          k.arena.free(work);
        }
      }
      return;
    }
    // One image (inference): yt[p, o] is each group's product, with the bias preset (one rounding of
    // acc + b as when the transposes add it), then transposed into y, split by rows.
    yt = pixelsOut !== 0 ? pixelsOut : k.arena.alloc(M * g.OC * 4);
    if (b !== 0) copyStrided(k, yt, [g.OC, 1], b, [0, 1], [M, g.OC]);
    const fn = direct ? 'f32_conv2d_pixels_direct_4x8' : 'f32_conv2d_pixels_4x8';
    const call = (gr: number, n0: number, n1: number, work: number) => [
      src + (n0 * g.C + gr * cg) * H * W * 4, g.C * H * W, n1 - n0, cg, H, W, g.KH, g.KW, g.strideH, g.strideW, 0, 0,
      g.dilationH, g.dilationW, OH, OW, packed + gr * per * 4, og, taps, b !== 0 ? 1 : 0, yt + (n0 * P * g.OC + gr * og) * 4, g.OC, work,
    ];
    // With fewer images than threads, the threads take ranges of output rows of the image, 8 a thread (with
    // 2 a thread, ResNet's stem and strided layers at batch 1 left the caller waiting 7-16% of these jobs
    // in busier minutes for a worker held up; 2% with 8, tools/bench/study/resnet50-tails.mjs).
    if (threads > 1) {
      const tasks: Task[] = [];
      for (let gr = 0; gr < g.groups; gr++) {
        for (const [r0, r1] of splitRange(OH, 8 * threads)) {
          // Output rows r0..r1: the same windows with the padding moved up by r0 rows (a negative
          // padding reads real rows below the first), and the rows' pixels in yt.
          const args = call(gr, 0, 1, 0);
          args[10] = -r0 * g.strideH;
          args[14] = r1 - r0;
          args[20] = yt + (r0 * OW * g.OC + gr * og) * 4;
          tasks.push({ fn, args, scratch: 22 });
        }
      }
      runTasks(k, tasks, scratchBytes);
    } else {
      const scratch = k.arena.alloc(scratchBytes);
      try {
        for (let gr = 0; gr < g.groups; gr++) kernel(k, fn)(...call(gr, 0, 1, scratch));
      } finally {
        k.arena.free(scratch);
      }
    }
    if (pixelsOut === 0) transpose2d(k, y, yt, P, g.OC);
  } finally {
    for (const p of [prepacked === 0 ? packed : 0, taps, pixelsOut === 0 ? yt : 0, padded]) if (p !== 0) k.arena.free(p);
  }
}

/** Floats of a convolution's weights packed for the pixels-major tile (every group's W_g^T panels). */
export function pixelsMajorWeightsFloats(k: Kernels, g: Conv2dGeometry): number {
  return packedBFloats(k, (g.C / g.groups) * g.KH * g.KW, g.OC / g.groups) * g.groups;
}

/** Packs w [OC, C/groups, KH, KW] for conv2dForwardPixelsMajor's `prepacked` (pixelsMajorWeightsFloats floats). */
export function packPixelsMajorWeights(k: Kernels, g: Conv2dGeometry, w: number, dst: number): void {
  const per = packedBFloats(k, (g.C / g.groups) * g.KH * g.KW, g.OC / g.groups);
  packWeights(k, g, w, dst, per, threadsFor(k, g.OC * g.C * g.KH * g.KW * 64));
}

/**
 * Each group's weights W_g [og, kk] packed as W_g^T panels (f32_pack_b_panels) into `packed` (`per`
 * floats a group); on several threads, by ranges of whole 8-output panels (a copy: same bits).
 */
function packWeights(k: Kernels, g: Conv2dGeometry, w: number, packed: number, per: number, threads: number): void {
  const og = g.OC / g.groups;
  const kk = (g.C / g.groups) * g.KH * g.KW;
  if (threads <= 1 || og < 16 || og * kk < 1 << 16) {
    for (let gr = 0; gr < g.groups; gr++) packB(k, true, kk, og, w + gr * og * kk * 4, kk, packed + gr * per * 4);
    return;
  }
  const tasks: Task[] = [];
  for (let gr = 0; gr < g.groups; gr++) {
    for (const [j0, j1] of splitRange(og, threads * PIECES_PER_THREAD, 8)) {
      tasks.push({ fn: 'f32_pack_b_panels', args: [1, w + (gr * og + j0) * kk * 4, kk, kk, j1 - j0, packed + (gr * per + j0 * kk) * 4] });
    }
  }
  runTasks(k, tasks);
}

/**
 * The batch zero-padded so that every window of the convolution lies inside it (ptr 0: no padding,
 * every window already does), with the padded image's H x W: the rows and columns the windows reach,
 * or the input's own with its padding if more.
 */
function padForWindows(k: Kernels, g: Conv2dGeometry, x: number, OH: number, OW: number): { ptr: number; H: number; W: number } {
  if (g.padH === 0 && g.padW === 0) return { ptr: 0, H: g.H, W: g.W };
  const H = Math.max(g.H + g.padH, (OH - 1) * g.strideH + (g.KH - 1) * g.dilationH + 1);
  const W = Math.max(g.W + g.padW, (OW - 1) * g.strideW + (g.KW - 1) * g.dilationW + 1);
  const ptr = k.arena.alloc(g.N * g.C * H * W * 4);
  // Split by planes (image x channel, one channel a call), so that one image (ResNet's stem at batch 1) splits too.
  const planes = g.N * g.C;
  const pad = (p0: number, p1: number): Task => ({ fn: 'f32_conv2d_pad_batch', args: [x + p0 * g.H * g.W * 4, p1 - p0, 1, g.H, g.W, g.padH, g.padW, H, W, ptr + p0 * H * W * 4] });
  if (!splitOver(k, 4 * planes * H * W, planes, 1, pad)) kernel(k, 'f32_conv2d_pad_batch')(x, g.N, g.C, g.H, g.W, g.padH, g.padW, H, W, ptr);
  return { ptr, H, W };
}

/**
 * Whether the backward pass can use columns kept by the forward pass: not when the convolution runs
 * another way (dense, Winograd, direct) whose gradients need no columns, nor when the pixels-major
 * forward pass beats im2col + GEMM by more than rebuilding the columns costs (LeNet C3 training,
 * measured in one process: about 9.3 -> 9.1 ms a step, and 3.8 MB fewer kept), nor when the backward
 * pass runs in chunks with no column matrix (backwardDirectApplies).
 */
export function convKeepsColumns(g: Conv2dGeometry): boolean {
  const { OH, OW } = checkConvGeometry(g);
  if (pixelsMajor(g, OH * OW)) return false;
  if (backwardDirectApplies(g) && backwardChunkImages(g, OH * OW) > 0) return false;
  return !denseApplies(g) && !winogradApplies(g) && !directApplies(g) && convColsFloats(g) !== null;
}

/** Column matrices of all groups over the whole batch: the only chunking where they can be kept. */
const KEEP_LIMIT_FLOATS = 16 << 20;

/**
 * Floats conv2dForward needs to keep its columns (groups x [C/groups*KH*KW, N*OH*OW]) for the
 * backward pass, or null when that would exceed 64 MB (the backward pass then rebuilds them).
 */
export function convColsFloats(g: Conv2dGeometry): number | null {
  const { OH, OW } = checkConvGeometry(g);
  const n = g.C * g.KH * g.KW * g.N * OH * OW;
  return n <= KEEP_LIMIT_FLOATS ? n : null;
}

/**
 * Gradients of conv2dForward. dx, dw and db (each overwritten) may be 0 to skip them.
 * Dense shapes are two GEMMs; Winograd shapes take its transforms for dx and dw, few-tap shapes the
 * direct filter gradient; small images run in chunks of a few images (conv-backward-chunks.ts);
 * otherwise dW_g = dY_g · colsᵀ (one GEMM per chunk, accumulated); dcols = W_gᵀ · dY_g, then col2im.
 */
export function conv2dBackward(
  k: Kernels, g: Conv2dGeometry, x: number, w: number, dy: number, dx: number, dw: number, db: number, keptCols = 0,
): void {
  const { OH, OW } = checkConvGeometry(g, 'conv2dBackward');
  const cg = g.C / g.groups;
  const og = g.OC / g.groups;
  const kk = cg * g.KH * g.KW;
  const P = OH * OW;
  // A direct convolution over a batch (LeNet C1): every gradient in one job.
  if (keptCols === 0 && directBackwardApplies(g)) return conv2dBackwardDirect(k, g, x, w, dy, dx, dw, db, OH, OW);
  if (keptCols === 0 && winogradApplies(g) && conv2dBackwardWinograd(k, g, x, w, dy, dx, dw, db, OH, OW)) return;
  // Small images (LeNet C3, a DCGAN's maps): the batch in chunks of a few images, each chunk's columns in
  // cache, the bias sums in the same job. Not for a filter gradient whose forward pass keeps its columns:
  // with them or without, its sums run over the whole batch in one GEMM (the same bits either way; the
  // input gradient's are the same in chunks).
  const chunked = keptCols === 0 && backwardChunkImages(g, P) > 0 && (dw === 0 || !convKeepsColumns(g));
  if (chunked && (dx !== 0 || dw !== 0) && !denseApplies(g) && !winogradApplies(g) && !directApplies(g)) {
    return conv2dBackwardChunks(k, g, x, w, dy, dx, dw, db, OH, OW);
  }
  // The direct filter gradient sums the bias gradient in its own job.
  const directDw = dw !== 0 && keptCols === 0 && directApplies(g);
  if (db !== 0 && !directDw) {
    // db[o] = sum over n, oh, ow of dy[n, o], in one pass over dy.
    channelSums(k, db, dy, g.N, g.OC, P);
  }
  if (keptCols === 0 && denseApplies(g)) return conv2dBackwardDense(k, g, x, w, dy, dx, dw);
  if (dx !== 0 && winogradApplies(g)) {
    conv2dInputGradWinograd(k, g, w, dy, dx, OH, OW);
    dx = 0;
  }
  if (dw !== 0 && keptCols === 0 && winogradApplies(g)) {
    conv2dFilterGradWinograd(k, g, x, dy, dw, OH, OW);
    dw = 0;
  }
  if (directDw) {
    conv2dFilterGradDirect(k, g, x, dy, dw, OH, OW, db);
    dw = 0;
  }
  if (dx === 0 && dw === 0) return;
  if (chunked) return conv2dBackwardChunks(k, g, x, w, dy, dx, dw, 0, OH, OW);
  // Columns kept by the forward pass cover the whole batch in one chunk; else rebuild them per chunk.
  const chunk = keptCols !== 0 ? g.N : chunkSize(g, kk, P);
  const cols = k.arena.alloc(kk * chunk * P * 4);
  // One image a chunk: dy's image [OC, P] is already the [OC, nb*P] matrix (VGG conv1 at batch 1 copied
  // 12.8 MB for nothing, 1.5 ms on one thread).
  const dyt = chunk === 1 ? 0 : k.arena.alloc(g.OC * chunk * P * 4);
  try {
    if (dx !== 0) fill(k, dx, g.N * g.C * g.H * g.W, 0);
    for (let n0 = 0; n0 < g.N; n0 += chunk) {
      const nb = Math.min(chunk, g.N - n0);
      const ld = nb * P;
      // dy[n0 + n, o, p] -> dyt[o, n*P + p]
      const dyc = dyt === 0 ? dy + n0 * g.OC * P * 4 : dyt;
      if (dyt !== 0) copyStrided(k, dyt, [P, ld, 1], dy + n0 * g.OC * P * 4, [g.OC * P, P, 1], [nb, g.OC, P]);
      for (let gr = 0; gr < g.groups; gr++) {
        const dyg = dyc + gr * og * ld * 4;
        const wg = w + gr * og * kk * 4;
        if (dw !== 0) {
          let xcols = cols;
          if (keptCols !== 0) xcols = keptCols + gr * kk * ld * 4;
          else imagesToColumns(k, 'f32_im2col', g, OH, OW, x, gr, n0, nb, cols, ld);
          gemm(k, false, true, og, kk, ld, 1, dyg, ld, xcols, ld, n0 === 0 ? 0 : 1, dw + gr * og * kk * 4, kk);
        }
        if (dx !== 0) {
          gemm(k, true, false, kk, ld, og, 1, wg, kk, dyg, ld, 0, cols, ld);
          imagesToColumns(k, 'f32_col2im', g, OH, OW, dx, gr, n0, nb, cols, ld);
        }
      }
    }
  } finally {
    k.arena.free(cols);
    if (dyt !== 0) k.arena.free(dyt);
  }
}
