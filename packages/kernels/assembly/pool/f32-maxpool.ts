// 2-D max pooling over N*C planes (NCHW), with the argmax (index into the plane, -1 if the window
// holds only padding) kept for the backward pass. NaN wins, as in PyTorch.
export function f32_maxpool2d(
  x: usize, planes: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, y: usize, idx: usize,
): void {
  if (KH == 2 && KW == 2 && SH == 2 && SW == 2 && PH == 0 && PW == 0 && DH == 1 && DW == 1 && 2 * OH <= H && 2 * OW <= W) {
    maxpool2x2(x, planes, H, W, OH, OW, y, idx);
    return;
  }
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * H * W) << 2);
    const out = y + (<usize>(p * OH * OW) << 2);
    const outIdx = idx + (<usize>(p * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best: f32 = -Infinity;
        let bestAt: i32 = -1;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * SH - PH + kh * DH;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * SW - PW + kw * DW;
            if (iw < 0 || iw >= W) continue;
            const v = load<f32>(plane + (<usize>(ih * W + iw) << 2));
            if (v > best || bestAt < 0 || (v != v && best == best)) {
              best = v;
              bestAt = ih * W + iw;
            }
          }
        }
        store<f32>(out + (<usize>(oh * OW + ow) << 2), best);
        store<i32>(outIdx + (<usize>(oh * OW + ow) << 2), bestAt);
      }
    }
  }
}

/** dx[argmax] += dy for every window (dx must start zeroed). */
export function f32_maxpool2d_backward(dy: usize, idx: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, dx: usize): void {
  for (let p = 0; p < planes; p++) {
    const g = dy + (<usize>(p * OH * OW) << 2);
    const ix = idx + (<usize>(p * OH * OW) << 2);
    const d = dx + (<usize>(p * H * W) << 2);
    for (let o = 0; o < OH * OW; o++) {
      const at = load<i32>(ix + (<usize>o << 2));
      if (at < 0) continue;
      const q = d + (<usize>at << 2);
      store<f32>(q, load<f32>(q) + load<f32>(g + (<usize>o << 2)));
    }
  }
}

/** Takes v where it beats best (greater, or NaN over a number: PyTorch's rule; ties keep the first). */
// @ts-ignore: decorator
@inline
function beats(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
}

/**
 * The common 2x2 / stride 2 case: every window is inside the image, no bounds checks. Four windows at
 * a time: two rows of eight inputs split into even and odd columns, then three compare-and-select
 * steps in the same order as the scalar loop (so ties and NaNs resolve identically).
 */
function maxpool2x2(x: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, y: usize, idx: usize): void {
  const step2 = i32x4(0, 2, 4, 6);
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * H * W) << 2);
    let out = y + (<usize>(p * OH * OW) << 2);
    let outIdx = idx + (<usize>(p * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const r0 = 2 * oh * W;
      let ow = 0;
      for (; ow + 4 <= OW; ow += 4) {
        const i0 = r0 + 2 * ow;
        const top = plane + (<usize>i0 << 2);
        const bot = top + (<usize>W << 2);
        const a = v128.load(top), b = v128.load(top, 16);
        const c = v128.load(bot), d = v128.load(bot, 16);
        let best = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
        let at = i32x4.add(i32x4.splat(i0), step2);
        let v = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        let m = beats(v, best);
        best = v128.bitselect(v, best, m);
        at = v128.bitselect(i32x4.add(at, i32x4.splat(1)), at, m);
        const atBottom = i32x4.add(i32x4.splat(i0 + W), step2);
        v = v128.shuffle<f32>(c, d, 0, 2, 4, 6);
        m = beats(v, best);
        best = v128.bitselect(v, best, m);
        at = v128.bitselect(atBottom, at, m);
        v = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
        m = beats(v, best);
        best = v128.bitselect(v, best, m);
        at = v128.bitselect(i32x4.add(atBottom, i32x4.splat(1)), at, m);
        v128.store(out, best);
        v128.store(outIdx, at);
        out += 16;
        outIdx += 16;
      }
      for (; ow < OW; ow++) {
        const i0 = r0 + 2 * ow;
        let best = load<f32>(plane + (<usize>i0 << 2));
        let at = i0;
        const v1 = load<f32>(plane + (<usize>(i0 + 1) << 2));
        if (v1 > best || (v1 != v1 && best == best)) { best = v1; at = i0 + 1; }
        const v2 = load<f32>(plane + (<usize>(i0 + W) << 2));
        if (v2 > best || (v2 != v2 && best == best)) { best = v2; at = i0 + W; }
        const v3 = load<f32>(plane + (<usize>(i0 + W + 1) << 2));
        if (v3 > best || (v3 != v3 && best == best)) { best = v3; at = i0 + W + 1; }
        store<f32>(out, best);
        store<i32>(outIdx, at);
        out += 4;
        outIdx += 4;
      }
    }
  }
}
