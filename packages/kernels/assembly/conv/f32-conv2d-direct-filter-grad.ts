// The direct convolution's filter gradient (f32-conv2d-direct-4x8.ts: LeNet C1, VGG conv1): for 2
// output channels and 5 taps at a time, dot products over the output pixels (lanes: 4 pixels of a
// row), summed across lanes at the end of each image.
import { madd } from '../common/madd';
import { hsum, loadTail } from '../common/lanes';

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
export function filterGradAdd(
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
  if (rest == 0 && x1 == x0 + 4 && x2 == x0 + 8 && x3 == x0 + 12 && x4 == x0 + 16) {
    // Five taps along a kernel row and whole vectors (LeNet C1): one input pointer, the taps as
    // constant offsets (the same loads and sums as below, in fewer registers).
    for (let oh = 0; oh < OH; oh++) {
      let p = x0 + (<usize>(oh * Wp) << 2);
      let q = <usize>(oh * OW) << 2;
      const end = q + (<usize>OW << 2);
      while (q < end) {
        const g0 = v128.load(dy0 + q);
        const g1 = v128.load(dy1 + q);
        let xv = v128.load(p);
        a00 = madd(g0, xv, a00);
        a10 = madd(g1, xv, a10);
        xv = v128.load(p, 4);
        a01 = madd(g0, xv, a01);
        a11 = madd(g1, xv, a11);
        xv = v128.load(p, 8);
        a02 = madd(g0, xv, a02);
        a12 = madd(g1, xv, a12);
        xv = v128.load(p, 12);
        a03 = madd(g0, xv, a03);
        a13 = madd(g1, xv, a13);
        xv = v128.load(p, 16);
        a04 = madd(g0, xv, a04);
        a14 = madd(g1, xv, a14);
        p += 16;
        q += 16;
      }
    }
  } else {
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
