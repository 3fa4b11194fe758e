// Direct stride-1 convolution for layers with few taps (C*KH*KW small: LeNet's first layer, VGG's
// first layer), where im2col would write a column matrix as large as the product it feeds and a GEMM
// with K = 25 spends as long on its packing and edges as on multiply-adds. The input is first copied
// into a zero-padded batch (f32_conv2d_pad_batch), so every window is read with whole-vector loads:
//   forward:         a 4x8 register tile, 4 output channels by 8 pixels of one output row (2x16 for
//                    few channels: LeNet C1's 6)
//   filter gradient: a 2x5 register tile, 2 output channels by 5 taps, each a dot product over the
//                    output pixels (lanes: 4 pixels of a row), summed across lanes at the end
//                    (f32-conv2d-direct-filter-grad.ts)
// Taps are listed flat (c, kh, kw) by their offset in a padded image, so any kernel shape works.
import { madd } from '../common/madd';
import { paddedRows } from './padded-rows';
import { filterGradAdd } from './f32-conv2d-direct-filter-grad';

/**
 * out[n][c] = x[n][c] placed at (PH, PW) in a zero Hp x Wp plane, for N images of C x H x W
 * (Hp >= H + PH, Wp >= W + PW; the margins beyond are zero too).
 */
export function f32_conv2d_pad_batch(x: usize, N: i32, C: i32, H: i32, W: i32, PH: i32, PW: i32, Hp: i32, Wp: i32, out: usize): void {
  const planes = N * C;
  const wpb = <usize>Wp << 2;
  for (let p = 0; p < planes; p++) {
    const src = x + (<usize>p * <usize>H * <usize>W << 2);
    const dst = out + (<usize>p * <usize>Hp * <usize>Wp << 2);
    memory.fill(dst, 0, <usize>PH * wpb);
    for (let h = 0; h < H; h++) {
      const row = dst + <usize>(PH + h) * wpb;
      if (PW > 0) memory.fill(row, 0, <usize>PW << 2);
      memory.copy(row + (<usize>PW << 2), src + (<usize>(h * W) << 2), <usize>W << 2);
      memory.fill(row + (<usize>(PW + W) << 2), 0, <usize>(Wp - PW - W) << 2);
    }
    memory.fill(dst + <usize>(PH + H) * wpb, 0, <usize>(Hp - PH - H) * wpb);
  }
}

/** Stores the first `cols` (1..8) of lo:hi at p. */
// @ts-ignore: decorator
@inline
function storeRow8(p: usize, lo: v128, hi: v128, cols: i32): void {
  if (cols == 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
    return;
  }
  let v = lo;
  let q = p;
  let left = cols;
  if (left >= 4) {
    v128.store(q, lo);
    v = hi;
    q += 16;
    left -= 4;
  }
  if (left > 0) store<f32>(q, f32x4.extract_lane(v, 0));
  if (left > 1) store<f32>(q, f32x4.extract_lane(v, 1), 4);
  if (left > 2) store<f32>(q, f32x4.extract_lane(v, 2), 8);
}

/**
 * y[n][o][oh][ow] = bias[o] + sum over taps t of w[o][t] * xp[n][oh * Wp + ow + taps[t]] for N images;
 * xp: the padded batch (imageStride floats per image; Wp >= 8 ceil(OW / 8) + KW - 1 so the last
 * tile's loads stay inside). packedW: [ceil(OC / 4)][kk][4] (zeros past OC). taps: i32 [kk].
 * bias may be 0 (none). `plane`: floats from one output channel to the next (OH * OW for whole
 * images; a call for rows r0.. of larger images passes their plane, xp and y moved down r0 rows).
 * The rows run in bands of `band` rows, every output channel of a band before the next band, so
 * the band's input rows stay in cache while the channels' weights pass over them (VGG's first
 * layer: 3 x 226 x 232 padded floats, 630 KB, read again for each block of 4 channels otherwise).
 */
export function f32_conv2d_direct_4x8(
  xp: usize, N: i32, imageStride: i32, Wp: i32, OH: i32, OW: i32,
  packedW: usize, kk: i32, OC: i32, taps: usize, bias: usize, y: usize, plane: i32, band: i32,
): void {
  const P = <usize>plane;
  // Output channels in pairs by 16 pixels where that computes fewer padding lanes (LeNet C1: 6
  // channels, rows of 28: 192 lanes a row where blocks of 4 by 8 pixels computed 256), when the wider
  // tile's loads stay inside a padded row.
  const kwLast = load<i32>(taps + (<usize>(kk - 1) << 2)) % Wp;
  const lanes2x16 = ((OC + 1) & ~1) * ((OW + 15) & ~15);
  if (lanes2x16 < ((OC + 3) & ~3) * ((OW + 7) & ~7) && ((OW + 15) & ~15) + kwLast <= Wp) {
    direct2x16(xp, N, imageStride, Wp, OH, OW, packedW, kk, OC, taps, bias, y, P, band);
    return;
  }
  for (let n = 0; n < N; n++) {
    const image = xp + (<usize>n * <usize>imageStride << 2);
    const yImage = y + (<usize>n * <usize>OC * P << 2);
    for (let r0 = 0; r0 < OH; r0 += band) {
      const r1 = min(OH, r0 + band);
      for (let o0 = 0; o0 < OC; o0 += 4) {
        const wBlock = packedW + (<usize>(o0 >> 2) * <usize>kk << 4);
        const nb = min(4, OC - o0);
        let b0 = f32x4.splat(0), b1 = b0, b2 = b0, b3 = b0;
        if (bias != 0) {
          b0 = v128.load32_splat(bias + (<usize>o0 << 2));
          if (nb > 1) b1 = v128.load32_splat(bias + (<usize>(o0 + 1) << 2));
          if (nb > 2) b2 = v128.load32_splat(bias + (<usize>(o0 + 2) << 2));
          if (nb > 3) b3 = v128.load32_splat(bias + (<usize>(o0 + 3) << 2));
        }
        for (let oh = r0; oh < r1; oh++) {
          const row = image + (<usize>(oh * Wp) << 2);
          for (let ow = 0; ow < OW; ow += 8) {
            const window = row + (<usize>ow << 2);
            let c00 = b0, c01 = b0, c10 = b1, c11 = b1, c20 = b2, c21 = b2, c30 = b3, c31 = b3;
            let wp = wBlock;
            for (let t = 0; t < kk; t++) {
              const xq = window + (<usize>load<i32>(taps + (<usize>t << 2)) << 2);
              const x0 = v128.load(xq);
              const x1 = v128.load(xq, 16);
              let wv = v128.load32_splat(wp);
              c00 = madd(x0, wv, c00);
              c01 = madd(x1, wv, c01);
              wv = v128.load32_splat(wp, 4);
              c10 = madd(x0, wv, c10);
              c11 = madd(x1, wv, c11);
              wv = v128.load32_splat(wp, 8);
              c20 = madd(x0, wv, c20);
              c21 = madd(x1, wv, c21);
              wv = v128.load32_splat(wp, 12);
              c30 = madd(x0, wv, c30);
              c31 = madd(x1, wv, c31);
              wp += 16;
            }
            const cols = min(8, OW - ow);
            const out = yImage + ((<usize>o0 * P + <usize>(oh * OW + ow)) << 2);
            storeRow8(out, c00, c01, cols);
            if (nb > 1) storeRow8(out + (P << 2), c10, c11, cols);
            if (nb > 2) storeRow8(out + (P << 3), c20, c21, cols);
            if (nb > 3) storeRow8(out + 3 * (P << 2), c30, c31, cols);
          }
        }
      }
    }
  }
}

/**
 * f32_conv2d_direct_4x8 with a 2x16 tile: 2 output channels by 16 pixels of one output row, eight
 * accumulators (3x16 spilled), the weights read from the same packed blocks of 4. Each output is the
 * same sum (bias, then the taps in order), so the same bits as the 4x8 tile.
 */
function direct2x16(
  xp: usize, N: i32, imageStride: i32, Wp: i32, OH: i32, OW: i32,
  packedW: usize, kk: i32, OC: i32, taps: usize, bias: usize, y: usize, P: usize, band: i32,
): void {
  for (let n = 0; n < N; n++) {
    const image = xp + (<usize>n * <usize>imageStride << 2);
    const yImage = y + (<usize>n * <usize>OC * P << 2);
    for (let r0 = 0; r0 < OH; r0 += band) {
      const r1 = min(OH, r0 + band);
      for (let o0 = 0; o0 < OC; o0 += 2) {
        // An odd last channel runs as a pair with itself; the duplicate is not stored.
        const o1 = min(o0 + 1, OC - 1);
        const w0 = packedW + ((<usize>(o0 >> 2) * <usize>kk << 2) + <usize>(o0 & 3)) * 4;
        const w1 = packedW + ((<usize>(o1 >> 2) * <usize>kk << 2) + <usize>(o1 & 3)) * 4;
        const b0 = bias != 0 ? v128.load32_splat(bias + (<usize>o0 << 2)) : f32x4.splat(0);
        const b1 = bias != 0 ? v128.load32_splat(bias + (<usize>o1 << 2)) : f32x4.splat(0);
        for (let oh = r0; oh < r1; oh++) {
          const row = image + (<usize>(oh * Wp) << 2);
          for (let ow = 0; ow < OW; ow += 16) {
            const out = yImage + ((<usize>o0 * P + <usize>(oh * OW + ow)) << 2);
            tile2x16(row + (<usize>ow << 2), taps, kk, w0, w1, b0, b1, out, P << 2, min(16, OW - ow), o1 != o0);
          }
        }
      }
    }
  }
}

/** One 2x16 tile: outputs at out (the second channel `ld` bytes on, when `two`), cols (1..16) pixels. */
function tile2x16(
  window: usize, taps: usize, kk: i32, w0: usize, w1: usize, b0: v128, b1: v128, out: usize, ld: usize, cols: i32, two: bool,
): void {
  let c00 = b0, c01 = b0, c02 = b0, c03 = b0;
  let c10 = b1, c11 = b1, c12 = b1, c13 = b1;
  for (let t = 0; t < kk; t++) {
    const xq = window + (<usize>load<i32>(taps + (<usize>t << 2)) << 2);
    const wt = <usize>t << 4;
    const x0 = v128.load(xq);
    const x1 = v128.load(xq, 16);
    const x2 = v128.load(xq, 32);
    const x3 = v128.load(xq, 48);
    let wv = v128.load32_splat(w0 + wt);
    c00 = madd(x0, wv, c00);
    c01 = madd(x1, wv, c01);
    c02 = madd(x2, wv, c02);
    c03 = madd(x3, wv, c03);
    wv = v128.load32_splat(w1 + wt);
    c10 = madd(x0, wv, c10);
    c11 = madd(x1, wv, c11);
    c12 = madd(x2, wv, c12);
    c13 = madd(x3, wv, c13);
  }
  storeRow16(out, c00, c01, c02, c03, cols);
  if (two) storeRow16(out + ld, c10, c11, c12, c13, cols);
}

/** Stores the first `cols` (1..16) floats of v0:v1:v2:v3 at p. */
// @ts-ignore: decorator
@inline
function storeRow16(p: usize, v0: v128, v1: v128, v2: v128, v3: v128, cols: i32): void {
  if (cols > 8) {
    storeRow8(p, v0, v1, 8);
    storeRow8(p + 32, v2, v3, cols - 8);
  } else {
    storeRow8(p, v0, v1, cols);
  }
}

/** Floats of a padded block of `rows` output rows (all channels) and its taps, rounded up to whole vectors. */
// @ts-ignore: decorator
@inline
function padBlockFloats(C: i32, KH: i32, KW: i32, rows: i32, Wp: i32): i32 {
  return ((C * KH * KW + 3) & ~3) + C * (rows + KH - 1) * Wp;
}

/**
 * Bytes of scratch f32_conv2d_direct_pad_4x8 (rows: the most output rows of a call) and
 * f32_conv2d_direct_filter_grad_pad (rows: OH) and f32_conv2d_direct_filter_grad_rows (rows: r1 - r0) need.
 */
export function f32_conv2d_direct_pad_scratch_bytes(C: i32, KH: i32, KW: i32, rows: i32, Wp: i32): i32 {
  return padBlockFloats(C, KH, KW, rows, Wp) << 2;
}

/**
 * Writes the tap offsets of a padded block (planes of Hs rows of Wp floats) at `taps` and the input
 * rows ih0 .. ih0 + Hs - 1 of image x (C x H x W), zero-padded (PW columns on the left, rows outside
 * the image zero), after them; returns the block's first float.
 */
function padBlock(x: usize, C: i32, H: i32, W: i32, PW: i32, KH: i32, KW: i32, ih0: i32, Hs: i32, Wp: i32, taps: usize): usize {
  const kk = C * KH * KW;
  let i = 0;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        store<i32>(taps + (<usize>i << 2), (c * Hs + kh) * Wp + kw);
        i++;
      }
    }
  }
  const block = taps + (<usize>((kk + 3) & ~3) << 2);
  const plane = <usize>(Hs * Wp) << 2;
  const src = <usize>(H * W) << 2;
  for (let c = 0; c < C; c++) paddedRows(block + <usize>c * plane, Wp, x + <usize>c * src, H, W, ih0, Hs, PW);
  return block;
}

/**
 * f32_conv2d_direct_4x8 for output rows [r0, r1) of N images of the unpadded x (C x H x W each,
 * padding PH x PW): each image's input rows for them are zero-padded into the thread's scratch
 * (rows of Wp floats, see f32_conv2d_direct_pad_scratch_bytes) just before its tile runs over them,
 * instead of a padded copy of the batch written by one job and read by the next. The same windows
 * as over the padded batch, so the same bits. y: image 0's output (OC planes of `plane` floats);
 * the rows land at r0 * OW of each plane.
 */
export function f32_conv2d_direct_pad_4x8(
  x: usize, N: i32, C: i32, H: i32, W: i32, PH: i32, PW: i32, KH: i32, KW: i32, Wp: i32, r0: i32, r1: i32, OW: i32,
  packedW: usize, OC: i32, bias: usize, y: usize, plane: i32, band: i32, scratch: usize,
): void {
  const Hs = r1 - r0 + KH - 1;
  const kk = C * KH * KW;
  for (let n = 0; n < N; n++) {
    const block = padBlock(x + (<usize>(n * C * H * W) << 2), C, H, W, PW, KH, KW, r0 - PH, Hs, Wp, scratch);
    const yImage = y + ((<usize>n * <usize>OC * <usize>plane + <usize>(r0 * OW)) << 2);
    f32_conv2d_direct_4x8(block, 1, C * Hs * Wp, Wp, r1 - r0, OW, packedW, kk, OC, scratch, bias, yImage, plane, band);
  }
}

/**
 * dw (overwritten, [OC, C*KH*KW]) = the filter gradient of N images of the unpadded x, as
 * filterGradAdd over a padded batch computes it (all channels and taps), each image
 * padded into the thread's scratch just before its sums (same sums, same order: the same bits).
 */
export function f32_conv2d_direct_filter_grad_pad(
  x: usize, N: i32, C: i32, H: i32, W: i32, PH: i32, PW: i32, KH: i32, KW: i32, Wp: i32, OH: i32, OW: i32,
  dy: usize, OC: i32, dw: usize, scratch: usize,
): void {
  const kk = C * KH * KW;
  const Hs = OH + KH - 1;
  memory.fill(dw, 0, <usize>(OC * kk) << 2);
  for (let n = 0; n < N; n++) {
    const block = padBlock(x + (<usize>(n * C * H * W) << 2), C, H, W, PW, KH, KW, -PH, Hs, Wp, scratch);
    filterGradAdd(block, 1, C * Hs * Wp, Wp, OH, OW, dy + (<usize>(n * OC * OH * OW) << 2), kk, OC, 0, OC, 0, kk, scratch, dw, <usize>OH * <usize>OW);
  }
}

/**
 * dw (overwritten, [OC, C*KH*KW]) = the filter gradient of output rows [r0, r1) of one image of the
 * unpadded x (dy: the image's gradient, OC planes of `plane` floats): the rows' inputs zero-padded
 * into the thread's scratch (f32_conv2d_direct_pad_scratch_bytes for r1 - r0 rows), then the sums of
 * f32_conv2d_direct_filter_grad_pad over those rows only. A large image (VGG conv1: 224 x 224) goes
 * by bands of rows whose inputs stay in cache, each band's sums in a block of its own.
 */
export function f32_conv2d_direct_filter_grad_rows(
  x: usize, C: i32, H: i32, W: i32, PH: i32, PW: i32, KH: i32, KW: i32, Wp: i32, r0: i32, r1: i32, OW: i32,
  dy: usize, OC: i32, plane: i32, dw: usize, scratch: usize,
): void {
  const kk = C * KH * KW;
  memory.fill(dw, 0, <usize>(OC * kk) << 2);
  const block = padBlock(x, C, H, W, PW, KH, KW, r0 - PH, r1 - r0 + KH - 1, Wp, scratch);
  filterGradAdd(block, 1, 0, Wp, r1 - r0, OW, dy + (<usize>(r0 * OW) << 2), kk, OC, 0, OC, 0, kk, scratch, dw, <usize>plane);
}
