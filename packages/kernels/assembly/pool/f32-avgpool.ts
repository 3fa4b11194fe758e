// 2-D average pooling (NCHW planes). With countIncludePad (PyTorch's default) the divisor is the
// window clipped to the padded input; otherwise only the taps inside the image count.
// @ts-ignore: decorator
@inline
function divisor(oh: i32, ow: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32, countIncludePad: i32): f32 {
  let h0 = oh * SH - PH, w0 = ow * SW - PW;
  let h1 = min(h0 + KH, H + PH), w1 = min(w0 + KW, W + PW);
  if (countIncludePad) return <f32>((h1 - h0) * (w1 - w0));
  h0 = max(h0, 0); w0 = max(w0, 0);
  h1 = min(h1, H); w1 = min(w1, W);
  return <f32>((h1 - h0) * (w1 - w0));
}

export function f32_avgpool2d(
  x: usize, planes: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, countIncludePad: i32, y: usize,
): void {
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * H * W) << 2);
    const out = y + (<usize>(p * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let s: f32 = 0;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * SH - PH + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * SW - PW + kw;
            if (iw < 0 || iw >= W) continue;
            s += load<f32>(plane + (<usize>(ih * W + iw) << 2));
          }
        }
        store<f32>(out + (<usize>(oh * OW + ow) << 2), s / divisor(oh, ow, H, W, KH, KW, SH, SW, PH, PW, countIncludePad));
      }
    }
  }
}

/** dx += dy / divisor over each window (dx must start zeroed). */
export function f32_avgpool2d_backward(
  dy: usize, planes: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, countIncludePad: i32, dx: usize,
): void {
  for (let p = 0; p < planes; p++) {
    const d = dx + (<usize>(p * H * W) << 2);
    const g = dy + (<usize>(p * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const v = load<f32>(g + (<usize>(oh * OW + ow) << 2)) / divisor(oh, ow, H, W, KH, KW, SH, SW, PH, PW, countIncludePad);
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * SH - PH + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * SW - PW + kw;
            if (iw < 0 || iw >= W) continue;
            const q = d + (<usize>(ih * W + iw) << 2);
            store<f32>(q, load<f32>(q) + v);
          }
        }
      }
    }
  }
}
