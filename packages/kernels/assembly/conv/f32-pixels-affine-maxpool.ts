// Inference only: a convolution's pixels-major product (yt [OH*OW, C], one image, e.g. ResNet's stem) to its
// batch norm, ReLU and max pooling in one pass, NCHW out. Each pooled output is the max over its window of
// act(madd(yt[p, c], s[c], t[c])): the same operations, in the same order, as the transpose, the epilogue pass
// (f32_channel_affine_act) and f32_maxpool2d (taps in row-major order, out-of-image taps skipped, the first
// tap starting the scan, a tap taking the place when it is greater or NaN over a number), so the same bits,
// without the argmax (no backward pass in inference) and without the two full-size passes in between.
import { madd } from '../common/madd';

/**
 * Output rows [r0, r1) of y [C, PH, PW] (one image) from yt [OH*OW, C]: the window KH x KW, stride SH x SW,
 * padding PPH x PPW (no dilation). scale / shift: C floats, or 0 for 1 / 0; with both 0 and relu 0 the
 * values are pooled as they are, else act(madd(v, s, t)) as f32_channel_affine_act computes it.
 */
export function f32_pixels_affine_maxpool_nchw(
  yt: usize, OH: i32, OW: i32, C: i32, scale: usize, shift: usize, relu: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PPH: i32, PPW: i32, PH: i32, PW: i32, r0: i32, r1: i32, y: usize,
): void {
  const epilogue = scale != 0 || shift != 0 || relu != 0;
  const doRelu = relu != 0;
  const plane = <usize>(PH * PW) << 2;
  const pixel = <usize>C << 2;
  for (let ph = r0; ph < r1; ph++) {
    let pw = 0;
    for (; pw + 4 <= PW; pw += 4) {
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const at = <usize>c << 2;
        const sv = scale != 0 ? v128.load(scale + at) : f32x4.splat(1);
        const tv = shift != 0 ? v128.load(shift + at) : f32x4.splat(0);
        const m0 = window(yt + at, pixel, OH, OW, KH, KW, SH, SW, PPH, PPW, ph, pw, sv, tv, epilogue, doRelu);
        const m1 = window(yt + at, pixel, OH, OW, KH, KW, SH, SW, PPH, PPW, ph, pw + 1, sv, tv, epilogue, doRelu);
        const m2 = window(yt + at, pixel, OH, OW, KH, KW, SH, SW, PPH, PPW, ph, pw + 2, sv, tv, epilogue, doRelu);
        const m3 = window(yt + at, pixel, OH, OW, KH, KW, SH, SW, PPH, PPW, ph, pw + 3, sv, tv, epilogue, doRelu);
        // 4 pixels x 4 channels to 4 channels x 4 pixels.
        const a = v128.shuffle<f32>(m0, m1, 0, 4, 1, 5);
        const b = v128.shuffle<f32>(m2, m3, 0, 4, 1, 5);
        const d = v128.shuffle<f32>(m0, m1, 2, 6, 3, 7);
        const e = v128.shuffle<f32>(m2, m3, 2, 6, 3, 7);
        const q = y + <usize>c * plane + (<usize>(ph * PW + pw) << 2);
        v128.store(q, v128.shuffle<f32>(a, b, 0, 1, 4, 5));
        v128.store(q + plane, v128.shuffle<f32>(a, b, 2, 3, 6, 7));
        v128.store(q + 2 * plane, v128.shuffle<f32>(d, e, 0, 1, 4, 5));
        v128.store(q + 3 * plane, v128.shuffle<f32>(d, e, 2, 3, 6, 7));
      }
      for (; c < C; c++) {
        for (let l = 0; l < 4; l++) scalarChannel(yt, pixel, OH, OW, C, c, KH, KW, SH, SW, PPH, PPW, ph, pw + l, scale, shift, epilogue, doRelu, y, plane, PW);
      }
    }
    for (; pw < PW; pw++) {
      for (let c = 0; c < C; c++) scalarChannel(yt, pixel, OH, OW, C, c, KH, KW, SH, SW, PPH, PPW, ph, pw, scale, shift, epilogue, doRelu, y, plane, PW);
    }
  }
}

/** act(madd(v, s, t)) as f32_channel_affine_act's vector loop computes it. */
// @ts-ignore: decorator
@inline
function act(v: v128, sv: v128, tv: v128, epilogue: bool, relu: bool): v128 {
  if (!epilogue) return v;
  let r = madd(v, sv, tv);
  if (relu) {
    const zero = f32x4.splat(0);
    r = v128.bitselect(zero, r, f32x4.lt(r, zero));
  }
  return r;
}

/** Takes v where it beats best (greater, or NaN over a number; ties keep the first), as f32_maxpool2d. */
// @ts-ignore: decorator
@inline
function beats(v: v128, best: v128): v128 {
  return v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
}

/** The pooled value of output (ph, pw) for the channels of the vector at `col` (+ p * pixel for pixel p). */
// @ts-ignore: decorator
@inline
function window(
  col: usize, pixel: usize, OH: i32, OW: i32, KH: i32, KW: i32, SH: i32, SW: i32, PPH: i32, PPW: i32, ph: i32, pw: i32,
  sv: v128, tv: v128, epilogue: bool, relu: bool,
): v128 {
  let best = f32x4.splat(-Infinity);
  let seen = false;
  for (let kh = 0; kh < KH; kh++) {
    const ih = ph * SH - PPH + kh;
    if (ih < 0 || ih >= OH) continue;
    for (let kw = 0; kw < KW; kw++) {
      const iw = pw * SW - PPW + kw;
      if (iw < 0 || iw >= OW) continue;
      const v = act(v128.load(col + <usize>(ih * OW + iw) * pixel), sv, tv, epilogue, relu);
      if (!seen) {
        best = v;
        seen = true;
      } else {
        best = v128.bitselect(v, best, beats(v, best));
      }
    }
  }
  return best;
}

/** One channel of one output (the channels past the last multiple of 4, the pixels past the last of 4). */
function scalarChannel(
  yt: usize, pixel: usize, OH: i32, OW: i32, C: i32, c: i32, KH: i32, KW: i32, SH: i32, SW: i32, PPH: i32, PPW: i32,
  ph: i32, pw: i32, scale: usize, shift: usize, epilogue: bool, relu: bool, y: usize, plane: usize, PW: i32,
): void {
  const at = <usize>c << 2;
  const sv = f32x4.splat(scale != 0 ? load<f32>(scale + at) : 1);
  const tv = f32x4.splat(shift != 0 ? load<f32>(shift + at) : 0);
  let best = f32x4.splat(-Infinity);
  let seen = false;
  for (let kh = 0; kh < KH; kh++) {
    const ih = ph * SH - PPH + kh;
    if (ih < 0 || ih >= OH) continue;
    for (let kw = 0; kw < KW; kw++) {
      const iw = pw * SW - PPW + kw;
      if (iw < 0 || iw >= OW) continue;
      const v = act(f32x4.splat(load<f32>(yt + at + <usize>(ih * OW + iw) * pixel)), sv, tv, epilogue, relu);
      if (!seen) {
        best = v;
        seen = true;
      } else {
        best = v128.bitselect(v, best, beats(v, best));
      }
    }
  }
  store<f32>(y + <usize>c * plane + (<usize>(ph * PW + pw) << 2), f32x4.extract_lane(best, 0));
}
