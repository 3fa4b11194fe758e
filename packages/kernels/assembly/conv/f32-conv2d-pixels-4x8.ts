// Convolution as a GEMM with output pixels as rows (XNNPACK's orientation): Y^T[q, o] = sum over taps
// p of A[q, p] * W[o, p], where A[q, p] is the input that tap p of pixel q's window reads. No column
// matrix is built: a tile of four pixels reads A straight from the image (pixel r of the tile, tap p:
// x[window_r + taps[p]]), even when the four pixels wrap from one output row (or image) to the next,
// and writes them side by side as the 4 x GEMM_KC panel the register tile streams (reading the
// scattered windows in the tile's inner loop, once per 8 output channels, ran at a third of the speed
// on a DCGAN's 1,024 taps: the windows' lines do not stay in L1 beside the weights' panel). With
// 16 outputs or fewer per group f32_conv2d_pixels_direct_4x8 reads the windows in the tile's loop.
// The caller zero-pads the batch first (f32_conv2d_pad_batch) so that every window lies inside it.
// Taps run in blocks of GEMM_KC, each block's sum added onto the output as the packed GEMM adds its
// K blocks: the sums run in the same order, and give the same bits, as im2col + f32_gemm_4x8.
import { storeTransposed4x4 } from '../common/lanes';
import { madd } from '../common/madd';
import { GEMM_KC, microTile4x8, storeTile4x8 } from '../gemm/f32-gemm-4x8';
import { f32_transpose2d_bias_batch } from '../copy/f32-copy';

/**
 * yt[q, 0..og) = sum_p A[q, p] W[o, p] + beta * yt[q, o] for the nb*OH*OW output pixels q of `nb`
 * images (image n starts imageStride floats after x; x points at the group's first channel). Every
 * window must lie inside the H x W image (PH, PW <= 0 and the last window ends inside: padded input,
 * or a range of output rows cut from one, whose "padding" is minus its first input row).
 * packedW: W_g^T [taps, og] packed by f32_pack_b_panels. taps: i32 [C*KH*KW], (c*H + kh*DH)*W + kw*DW.
 * scratch: 16 * GEMM_KC + 128 bytes (f32_conv2d_pixels_scratch_bytes).
 */
export function f32_conv2d_pixels_4x8(
  x: usize, imageStride: i32, nb: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32,
  packedW: usize, og: i32, taps: usize, beta: f32, yt: usize, ldc: i32, scratch: usize,
): void {
  const P = OH * OW;
  const M = nb * P;
  const kk = C * KH * KW;
  const tile = scratch + (<usize>GEMM_KC << 4);
  for (let pc = 0; pc < kk; pc += GEMM_KC) {
    const kc = min(GEMM_KC, kk - pc);
    // Later tap blocks add onto what the first one wrote.
    const blockBeta: f32 = pc == 0 ? beta : 1;
    const tapsBlock = taps + (<usize>pc << 2);
    for (let q0 = 0; q0 < M; q0 += 4) {
      packWindows4(
        windowStart(x, imageStride, P, W, SH, SW, PH, PW, OW, q0),
        windowStart(x, imageStride, P, W, SH, SW, PH, PW, OW, min(q0 + 1, M - 1)),
        windowStart(x, imageStride, P, W, SH, SW, PH, PW, OW, min(q0 + 2, M - 1)),
        windowStart(x, imageStride, P, W, SH, SW, PH, PW, OW, min(q0 + 3, M - 1)),
        tapsBlock, kc, scratch,
      );
      const cRow = yt + <usize>q0 * <usize>ldc * 4;
      for (let jr = 0; jr < og; jr += 8) {
        const pb = packedW + (<usize>jr * <usize>kk + <usize>pc * 8) * 4;
        microTile4x8(kc, scratch, pb, cRow + (<usize>jr << 2), <usize>ldc, min(4, M - q0), min(8, og - jr), 1, blockBeta, tile);
      }
    }
  }
}

/**
 * The four windows' taps [0, kc) of `taps`, side by side: the A panel the GEMM's packing would write.
 * A function of its own (never inlined: it has loops), so that the window addresses arrive as
 * arguments: computed in the kernel and used only inside a loop, the engine may compute them again
 * at every tap (three integer divisions each; see f32_conv2d_pixels_direct_4x8).
 */
function packWindows4(w0: usize, w1: usize, w2: usize, w3: usize, taps: usize, kc: i32, panel: usize): void {
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const t = taps + (<usize>p << 2);
    const off = <usize>load<i32>(t) << 2;
    if (load<i32>(t, 12) - load<i32>(t) == 3) {
      // Four consecutive inputs (taps along a window row): four rows of a 4x4 transpose.
      storeTransposed4x4(v128.load(w0 + off), v128.load(w1 + off), v128.load(w2 + off), v128.load(w3 + off), panel + (<usize>p << 4), 16);
      continue;
    }
    for (let j = 0; j < 4; j++) packTap(w0, w1, w2, w3, <usize>load<i32>(t + (<usize>j << 2)) << 2, panel + (<usize>(p + j) << 4));
  }
  for (; p < kc; p++) packTap(w0, w1, w2, w3, <usize>load<i32>(taps + (<usize>p << 2)) << 2, panel + (<usize>p << 4));
}

/** One tap (byte offset `off` from each window's start) of four windows into 16 bytes at `out`. */
// @ts-ignore: decorator
@inline
function packTap(w0: usize, w1: usize, w2: usize, w3: usize, off: usize, out: usize): void {
  let v = f32x4.splat(load<f32>(w0 + off));
  v = f32x4.replace_lane(v, 1, load<f32>(w1 + off));
  v = f32x4.replace_lane(v, 2, load<f32>(w2 + off));
  v = f32x4.replace_lane(v, 3, load<f32>(w3 + off));
  v128.store(out, v);
}

/**
 * The same product for groups of few outputs (the caller's choice: 16 or fewer), where packing the
 * four windows' taps would cost as much as a panel of 8 outputs: each tile reads its windows in its
 * own loop, over all taps at once (the same sums as im2col + f32_gemm_4x8 up to GEMM_KC taps).
 * Arguments as for f32_conv2d_pixels_4x8 (scratch: 128 bytes are used).
 */
export function f32_conv2d_pixels_direct_4x8(
  x: usize, imageStride: i32, nb: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32,
  packedW: usize, og: i32, taps: usize, beta: f32, yt: usize, ldc: i32, scratch: usize,
): void {
  const P = OH * OW;
  const M = nb * P;
  const kk = C * KH * KW;
  for (let q0 = 0; q0 < M; q0 += 4) {
    const mr = min(4, M - q0);
    const cRow = yt + <usize>q0 * <usize>ldc * 4;
    // Each pixel's window start (pixels past M repeat the last one; their rows are not stored).
    const w0 = windowStart(x, imageStride, P, W, SH, SW, PH, PW, OW, q0);
    const w1 = windowStart(x, imageStride, P, W, SH, SW, PH, PW, OW, min(q0 + 1, M - 1));
    const w2 = windowStart(x, imageStride, P, W, SH, SW, PH, PW, OW, min(q0 + 2, M - 1));
    const w3 = windowStart(x, imageStride, P, W, SH, SW, PH, PW, OW, min(q0 + 3, M - 1));
    // A use of the four addresses outside the taps' loop (never true: x lies above the static data),
    // so that they are computed once here: used only inside the loop, they were computed again at
    // every tap there (three integer divisions a tap: LeNet C3's forward pass ran at half the speed).
    if (w0 == 0 || w1 == 0 || w2 == 0 || w3 == 0) unreachable();
    for (let jr = 0; jr < og; jr += 8) {
      directTile(kk, w0, w1, w2, w3, taps, packedW + <usize>jr * <usize>kk * 4, cRow + (<usize>jr << 2), <usize>ldc, mr, min(8, og - jr), beta, scratch);
    }
  }
}

/** The 4x8 tile over kc taps read straight from the four windows (same sums as the packed tile). */
// @ts-ignore: decorator
@inline
function directTile(
  kc: i32, w0: usize, w1: usize, w2: usize, w3: usize, taps: usize, pb: usize, c: usize, ldc: usize, mr: i32, nr: i32, beta: f32, tile: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const off = <usize>load<i32>(taps + (<usize>p << 2)) << 2;
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(w0 + off);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(w1 + off);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(w2 + off);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(w3 + off);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pb += 32;
  }
  storeTile4x8(c00, c01, c10, c11, c20, c21, c30, c31, c, ldc, mr, nr, 1, beta, tile);
}

/** Address of the first input that output pixel q's window reads. */
// @ts-ignore: decorator
@inline
function windowStart(x: usize, imageStride: i32, P: i32, W: i32, SH: i32, SW: i32, PH: i32, PW: i32, OW: i32, q: i32): usize {
  const n = q / P;
  const r = q - n * P;
  const oh = r / OW;
  const ow = r - oh * OW;
  return x + ((<usize>n * <usize>imageStride + <usize>((oh * SH - PH) * W + ow * SW - PW)) << 2);
}

/** Bytes of scratch f32_conv2d_pixels_4x8 needs. */
export function f32_conv2d_pixels_scratch_bytes(): i32 {
  return (GEMM_KC << 4) + 128;
}

/** Floats of [pixels, OC] product a call of f32_conv2d_pixels_nchw keeps in scratch at once (64 KB). */
const NCHW_BLOCK_FLOATS: i32 = 16384;

/** Bytes of scratch f32_conv2d_pixels_nchw needs for images of P output pixels and OC outputs. */
export function f32_conv2d_pixels_nchw_scratch_bytes(P: i32, OC: i32): i32 {
  return (max(NCHW_BLOCK_FLOATS, P * OC) << 2) + f32_conv2d_pixels_scratch_bytes();
}

/**
 * y [nb, OC, OH, OW] = the convolution of nb images of x (already padded: every window inside) with
 * `groups` groups of cg channels and og outputs, plus bias (0: none): the pixels-major product of a
 * few images at a time into the thread's scratch ([pixels, OC], every group), then transposed into
 * NCHW with the bias (f32_transpose2d_bias_batch) while it is in cache, so one task does both and
 * no second job waits for the first. `direct`: f32_conv2d_pixels_direct_4x8 (few outputs) instead
 * of f32_conv2d_pixels_4x8. packedW: each group's panels, `per` floats apart. Rows of the product
 * are independent and summed as in one call over the batch, so the bits do not depend on nb.
 * Scratch: f32_conv2d_pixels_nchw_scratch_bytes.
 */
export function f32_conv2d_pixels_nchw(
  x: usize, imageStride: i32, nb: i32, cg: i32, groups: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, DH: i32, DW: i32, OH: i32, OW: i32,
  packedW: usize, per: i32, og: i32, taps: usize, direct: i32, bias: usize, y: usize, scratch: usize,
): void {
  const P = OH * OW;
  const OC = og * groups;
  const kk = cg * KH * KW;
  const step = max(1, NCHW_BLOCK_FLOATS / (P * OC));
  const yt = scratch;
  const work = scratch + (<usize>max(NCHW_BLOCK_FLOATS, P * OC) << 2);
  // More taps than one K block: later blocks add onto the first, so the bias is preset in the
  // product (as the im2col GEMM does) rather than added by the transpose.
  const preset = bias != 0 && kk > GEMM_KC;
  for (let n0 = 0; n0 < nb; n0 += step) {
    const m = min(step, nb - n0);
    if (preset) {
      for (let q = 0; q < m * P; q++) memory.copy(yt + (<usize>(q * OC) << 2), bias, <usize>OC << 2);
    }
    const image = x + (<usize>n0 * <usize>imageStride << 2);
    for (let gr = 0; gr < groups; gr++) {
      const xg = image + (<usize>(gr * cg * H * W) << 2);
      const pw = packedW + (<usize>(gr * per) << 2);
      const out = yt + (<usize>(gr * og) << 2);
      if (direct != 0) f32_conv2d_pixels_direct_4x8(xg, imageStride, m, cg, H, W, KH, KW, SH, SW, 0, 0, DH, DW, OH, OW, pw, og, taps, preset ? 1 : 0, out, OC, work);
      else f32_conv2d_pixels_4x8(xg, imageStride, m, cg, H, W, KH, KW, SH, SW, 0, 0, DH, DW, OH, OW, pw, og, taps, preset ? 1 : 0, out, OC, work);
    }
    f32_transpose2d_bias_batch(y + (<usize>n0 * <usize>(OC * P) << 2), yt, m, P, OC, preset ? 0 : bias);
  }
}
