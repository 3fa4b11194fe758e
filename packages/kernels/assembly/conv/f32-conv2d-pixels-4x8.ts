// Convolution as a GEMM with output pixels as rows (XNNPACK's orientation): Y^T[q, o] = sum over taps
// p of A[q, p] * W[o, p], where A[q, p] is the input that tap p of pixel q's window reads. No column
// matrix is built: a tile of four pixels whose windows lie inside the image reads A straight from
// the image (pixel r of the tile, tap p: x[window_r + taps[p]]), even when the four pixels wrap from
// one output row (or image) to the next; only tiles whose windows touch padding gather their
// 4 x taps panel first.
// Both feed the GEMM's 4x8 register tile, so the sums run in the same order as the im2col path.
import { madd } from '../common/madd';
import { microTile4x8, storeTile4x8 } from '../gemm/f32-gemm-4x8';

/**
 * Gathers the A panel of pixels q0..q0+3 (for each tap, the four pixels' inputs side by side; 0 for
 * padding and for pixels past M) into `out`.
 */
// @ts-ignore: decorator
@inline
function gatherPanel4(
  x: usize, imageStride: i32, M: i32, P: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OW: i32, q0: i32, out: usize,
): void {
  const zero = i32x4.splat(0);
  const vH = i32x4.splat(H);
  const vW = i32x4.splat(W);
  // Per lane: image offset and the window's top-left input; lanes past M never fit the image.
  let img = zero, ihb = i32x4.splat(-0x40000000), iwb = ihb;
  for (let l = 0; l < 4; l++) {
    const q = q0 + l;
    if (q >= M) break;
    const n = q / P;
    const r = q - n * P;
    const oh = r / OW;
    const ow = r - oh * OW;
    if (l == 0) { img = i32x4.replace_lane(img, 0, n * imageStride); ihb = i32x4.replace_lane(ihb, 0, oh * SH - PH); iwb = i32x4.replace_lane(iwb, 0, ow * SW - PW); }
    else if (l == 1) { img = i32x4.replace_lane(img, 1, n * imageStride); ihb = i32x4.replace_lane(ihb, 1, oh * SH - PH); iwb = i32x4.replace_lane(iwb, 1, ow * SW - PW); }
    else if (l == 2) { img = i32x4.replace_lane(img, 2, n * imageStride); ihb = i32x4.replace_lane(ihb, 2, oh * SH - PH); iwb = i32x4.replace_lane(iwb, 2, ow * SW - PW); }
    else { img = i32x4.replace_lane(img, 3, n * imageStride); ihb = i32x4.replace_lane(ihb, 3, oh * SH - PH); iwb = i32x4.replace_lane(iwb, 3, ow * SW - PW); }
  }
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      const ih = i32x4.add(ihb, i32x4.splat(kh * DH));
      const rowOk = v128.and(i32x4.ge_s(ih, zero), i32x4.lt_s(ih, vH));
      const rowOff = i32x4.add(img, i32x4.mul(i32x4.add(ih, i32x4.splat(c * H)), vW));
      for (let kw = 0; kw < KW; kw++) {
        const iw = i32x4.add(iwb, i32x4.splat(kw * DW));
        const ok = v128.and(rowOk, v128.and(i32x4.ge_s(iw, zero), i32x4.lt_s(iw, vW)));
        // Lanes outside the image read x[0] (valid memory) and are masked to 0.
        const off = v128.and(i32x4.add(rowOff, iw), ok);
        let v = f32x4.splat(0);
        v = f32x4.replace_lane(v, 0, load<f32>(x + (<usize>i32x4.extract_lane(off, 0) << 2)));
        v = f32x4.replace_lane(v, 1, load<f32>(x + (<usize>i32x4.extract_lane(off, 1) << 2)));
        v = f32x4.replace_lane(v, 2, load<f32>(x + (<usize>i32x4.extract_lane(off, 2) << 2)));
        v = f32x4.replace_lane(v, 3, load<f32>(x + (<usize>i32x4.extract_lane(off, 3) << 2)));
        v128.store(out, v128.and(v, ok));
        out += 16;
      }
    }
  }
}

/**
 * yt[q, 0..og) = sum_p A[q, p] W[o, p] + beta * yt[q, o] for the nb*OH*OW output pixels q of `nb`
 * images (image n starts imageStride floats after x; x points at the group's first channel).
 * packedW: W_g^T [taps, og] packed by f32_pack_b_panels. taps: i32 [C*KH*KW], (c*H + kh*DH)*W + kw*DW.
 * scratch: 4*C*KH*KW floats + 128 bytes.
 */
export function f32_conv2d_pixels_4x8(
  x: usize, imageStride: i32, nb: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32,
  packedW: usize, og: i32, taps: usize, beta: f32, yt: usize, ldc: i32, scratch: usize,
): void {
  const P = OH * OW;
  const M = nb * P;
  const kk = C * KH * KW;
  const tile = scratch + (<usize>kk << 4);
  const spanH = (KH - 1) * DH;
  const spanW = (KW - 1) * DW;
  for (let q0 = 0; q0 < M; q0 += 4) {
    const mr = min(4, M - q0);
    const cRow = yt + <usize>q0 * <usize>ldc * 4;
    // Each pixel's window start, and whether all four windows lie inside the image. The pixels may
    // span two output rows (or two images): each lane reads from its own window, so a tile that
    // wraps a row is as direct as one that does not; only windows touching padding are gathered.
    const w0 = windowStart(x, imageStride, P, H, W, SH, SW, PH, PW, spanH, spanW, OW, q0);
    const w1 = windowStart(x, imageStride, P, H, W, SH, SW, PH, PW, spanH, spanW, OW, q0 + 1);
    const w2 = windowStart(x, imageStride, P, H, W, SH, SW, PH, PW, spanH, spanW, OW, q0 + 2);
    const w3 = windowStart(x, imageStride, P, H, W, SH, SW, PH, PW, spanH, spanW, OW, q0 + 3);
    if (mr == 4 && w0 != 0 && w1 != 0 && w2 != 0 && w3 != 0) {
      for (let jr = 0; jr < og; jr += 8) {
        let pb = packedW + <usize>jr * <usize>kk * 4;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
        let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        for (let p = 0; p < kk; p++) {
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
        storeTile4x8(c00, c01, c10, c11, c20, c21, c30, c31, cRow + (<usize>jr << 2), <usize>ldc, 4, min(8, og - jr), 1, beta, tile);
      }
    } else {
      gatherPanel4(x, imageStride, M, P, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OW, q0, scratch);
      for (let jr = 0; jr < og; jr += 8) {
        microTile4x8(kk, scratch, packedW + <usize>jr * <usize>kk * 4, cRow + (<usize>jr << 2), <usize>ldc, mr, min(8, og - jr), 1, beta, tile);
      }
    }
  }
}

/**
 * Address of the first input that output pixel q's window reads, or 0 when the window touches
 * padding (its tile is then gathered). A real address is never 0: x lies above the static data.
 */
// @ts-ignore: decorator
@inline
function windowStart(
  x: usize, imageStride: i32, P: i32, H: i32, W: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  spanH: i32, spanW: i32, OW: i32, q: i32,
): usize {
  const n = q / P;
  const r = q - n * P;
  const oh = r / OW;
  const ow = r - oh * OW;
  const ih = oh * SH - PH;
  const iw = ow * SW - PW;
  if (ih < 0 || ih + spanH >= H || iw < 0 || iw + spanW >= W) return 0;
  return x + ((<usize>n * <usize>imageStride + <usize>(ih * W + iw)) << 2);
}
