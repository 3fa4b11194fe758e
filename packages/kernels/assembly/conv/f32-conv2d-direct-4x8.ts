// Direct stride-1 convolution for layers with few taps (C*KH*KW small: LeNet's first layer, VGG's
// first layer), where im2col would write a column matrix as large as the product it feeds and a GEMM
// with K = 25 spends as long on its packing and edges as on multiply-adds. The input is first copied
// into a zero-padded batch (f32_conv2d_pad_batch), so every window is read with whole-vector loads:
//   forward:         a 4x8 register tile, 4 output channels by 8 pixels of one output row
//   filter gradient: a 2x4 register tile, 2 output channels by 4 taps, each a dot product over the
//                    output pixels (lanes: 4 pixels of a row), summed across lanes at the end
// Taps are listed flat (c, kh, kw) by their offset in a padded image, so any kernel shape works.
import { madd } from '../common/madd';
import { hsum, loadTail } from '../common/lanes';
import { paddedRows } from './padded-rows';

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

/**
 * dw[o][t] += sum over n, oh, ow of dy[n][o][oh][ow] * xp[n][oh * Wp + ow + taps[t]], the filter
 * gradient of f32_conv2d_direct_4x8 (dw: [OC, kk], i.e. [OC, C, KH, KW]), each image's sums added to
 * dw, for the output channels [oBegin, oEnd) and taps [tBegin, tEnd) (a 2x5 tile of pairs and runs of
 * five taps: a 5-wide kernel's rows, ten accumulators; it was 2x4, 8 accumulators, and took 28
 * taps' time for LeNet C1's 25; each (o, t) sum runs the same lanes in the same order either way).
 * dy's output channels are `plane` floats apart (OH * OW for whole images; rows r0.. of an image pass
 * their plane, dy moved down r0 rows). Wp >= 4 ceil(OW / 4) + KW - 1 so the last vector of a row
 * stays inside the padded image.
 */
function filterGradAdd(
  xp: usize, N: i32, imageStride: i32, Wp: i32, OH: i32, OW: i32,
  dy: usize, kk: i32, OC: i32, oBegin: i32, oEnd: i32, tBegin: i32, tEnd: i32, taps: usize, dw: usize, plane: usize,
): void {
  const P = plane;
  for (let n = 0; n < N; n++) {
    const image = xp + (<usize>n * <usize>imageStride << 2);
    for (let o0 = oBegin; o0 < oEnd; o0 += 2) {
      // An odd last channel runs as a pair with itself; the duplicate is not stored.
      const o1 = min(o0 + 1, oEnd - 1);
      const dy0 = dy + ((<usize>n * <usize>OC + <usize>o0) * P << 2);
      const dy1 = dy + ((<usize>n * <usize>OC + <usize>o1) * P << 2);
      for (let t0 = tBegin; t0 < tEnd; t0 += 5) {
        // A short last run repeats its last tap; the repeats are not stored.
        const tq = tEnd - 1;
        const x0 = image + (<usize>load<i32>(taps + (<usize>t0 << 2)) << 2);
        const x1 = image + (<usize>load<i32>(taps + (<usize>min(t0 + 1, tq) << 2)) << 2);
        const x2 = image + (<usize>load<i32>(taps + (<usize>min(t0 + 2, tq) << 2)) << 2);
        const x3 = image + (<usize>load<i32>(taps + (<usize>min(t0 + 3, tq) << 2)) << 2);
        const x4 = image + (<usize>load<i32>(taps + (<usize>min(t0 + 4, tq) << 2)) << 2);
        tile2x5(x0, x1, x2, x3, x4, dy0, dy1, Wp, OH, OW, dw + ((<usize>o0 * <usize>kk + <usize>t0) << 2), <usize>kk << 2, min(5, tEnd - t0), o1 != o0);
      }
    }
  }
}

/**
 * One image's sums for output channels dy0, dy1 and the five taps at x0..x4 (each a window's first
 * input), added to dw row r (o0) and r + ld (o1, when `two`), nt of the taps.
 */
function tile2x5(
  x0: usize, x1: usize, x2: usize, x3: usize, x4: usize, dy0: usize, dy1: usize, Wp: i32, OH: i32, OW: i32,
  r: usize, ld: usize, nt: i32, two: bool,
): void {
  const full = OW & ~3;
  const rest = <usize>(OW - full);
  let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00, a04 = a00;
  let a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00;
  for (let oh = 0; oh < OH; oh++) {
    const xr = <usize>(oh * Wp) << 2;
    const dr = <usize>(oh * OW) << 2;
    for (let ow = 0; ow < OW; ow += 4) {
      const at = xr + (<usize>ow << 2);
      const d = dr + (<usize>ow << 2);
      // Past the row's end, dy reads as 0 (the padded image there is finite zeros or pixels).
      const g0 = ow < full ? v128.load(dy0 + d) : loadTail(dy0 + d, rest, 0);
      const g1 = ow < full ? v128.load(dy1 + d) : loadTail(dy1 + d, rest, 0);
      let xv = v128.load(x0 + at);
      a00 = madd(g0, xv, a00);
      a10 = madd(g1, xv, a10);
      xv = v128.load(x1 + at);
      a01 = madd(g0, xv, a01);
      a11 = madd(g1, xv, a11);
      xv = v128.load(x2 + at);
      a02 = madd(g0, xv, a02);
      a12 = madd(g1, xv, a12);
      xv = v128.load(x3 + at);
      a03 = madd(g0, xv, a03);
      a13 = madd(g1, xv, a13);
      xv = v128.load(x4 + at);
      a04 = madd(g0, xv, a04);
      a14 = madd(g1, xv, a14);
    }
  }
  addSums5(r, a00, a01, a02, a03, a04, nt);
  if (two) addSums5(r + ld, a10, a11, a12, a13, a14, nt);
}

/** r[i] += the lane sum of the i-th vector, for i < nt. */
// @ts-ignore: decorator
@inline
function addSums5(r: usize, v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, nt: i32): void {
  store<f32>(r, load<f32>(r) + hsum(v0));
  if (nt > 1) store<f32>(r, load<f32>(r, 4) + hsum(v1), 4);
  if (nt > 2) store<f32>(r, load<f32>(r, 8) + hsum(v2), 8);
  if (nt > 3) store<f32>(r, load<f32>(r, 12) + hsum(v3), 12);
  if (nt > 4) store<f32>(r, load<f32>(r, 16) + hsum(v4), 16);
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
