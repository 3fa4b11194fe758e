import { sumRow } from '../reduce/f32-reduce';

// 2-D max pooling over N*C planes (NCHW), with the argmax (index into the plane, -1 if the window
// holds only padding) kept for the backward pass. NaN wins, as in PyTorch. With `relu` set, the
// result is relu(max) = max(relu(x)) (ReLU then max pooling in one pass): a window whose maximum is
// not positive gives +0 and index -1 (no gradient passes), a NaN maximum stays NaN and passes.
export function f32_maxpool2d(
  x: usize, planes: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, y: usize, idx: usize, relu: i32,
): void {
  if (KH == 2 && KW == 2 && SH == 2 && SW == 2 && PH == 0 && PW == 0 && DH == 1 && DW == 1 && 2 * OH <= H && 2 * OW <= W) {
    maxpool2x2(x, planes, H, W, OH, OW, y, idx, relu);
    return;
  }
  // Windows wholly inside the image (no bounds checks) run four at a time when the stride is 1 or
  // 2; border windows and other strides take the scalar loop. [ohLo, ohHi) x [owLo, owHi).
  const ohLo = min(OH, (PH + SH - 1) / SH);
  const ohHi = max(ohLo, insideEnd(H, KH, SH, PH, DH, OH));
  const owLo = min(OW, (PW + SW - 1) / SW);
  const owHi = max(owLo, insideEnd(W, KW, SW, PW, DW, OW));
  const vectorW = SW == 1 || SW == 2;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * H * W) << 2);
    const out = y + (<usize>(p * OH * OW) << 2);
    const outIdx = idx + (<usize>(p * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      let ow = 0;
      if (vectorW && oh >= ohLo && oh < ohHi) {
        for (; ow < owLo; ow++) scalarWindow(plane, H, W, KH, KW, SH, SW, PH, PW, DH, DW, oh, ow, out + (<usize>(oh * OW + ow) << 2), outIdx + (<usize>(oh * OW + ow) << 2));
        for (; ow + 4 <= owHi; ow += 4) {
          innerWindows4(plane, W, KH, KW, SW, DH, DW, oh * SH - PH, ow * SW - PW, out + (<usize>(oh * OW + ow) << 2), outIdx + (<usize>(oh * OW + ow) << 2));
        }
        if (ow < owHi && owHi - owLo >= 4) {
          // The last inner windows: one more group ending at owHi, overlapping the previous one
          // (those windows are recomputed to the same values) instead of 1-3 scalar windows.
          ow = owHi;
          const o = owHi - 4;
          innerWindows4(plane, W, KH, KW, SW, DH, DW, oh * SH - PH, o * SW - PW, out + (<usize>(oh * OW + o) << 2), outIdx + (<usize>(oh * OW + o) << 2));
        }
      }
      for (; ow < OW; ow++) scalarWindow(plane, H, W, KH, KW, SH, SW, PH, PW, DH, DW, oh, ow, out + (<usize>(oh * OW + ow) << 2), outIdx + (<usize>(oh * OW + ow) << 2));
    }
    if (relu != 0) reluWinners(out, outIdx, OH * OW);
  }
}

/**
 * ReLU of n pooled maxima in place: +0 and index -1 where the maximum is not positive (the window's
 * gradient is then zero: relu'(x) = 0 for x <= 0); positive maxima and NaN are kept with their index.
 */
function reluWinners(out: usize, outIdx: usize, n: i32): void {
  let o = 0;
  for (; o + 4 <= n; o += 4) {
    const q = out + (<usize>o << 2);
    const qi = outIdx + (<usize>o << 2);
    const best = v128.load(q);
    const pass = passes(best);
    v128.store(q, v128.and(best, pass));
    v128.store(qi, v128.bitselect(v128.load(qi), i32x4.splat(-1), pass));
  }
  for (; o < n; o++) {
    const q = out + (<usize>o << 2);
    const v = load<f32>(q);
    if (!(v > 0) && v == v) {
      store<f32>(q, 0);
      store<i32>(outIdx + (<usize>o << 2), -1);
    }
  }
}

/** Lanes where ReLU lets the value (and its gradient) through: positive or NaN. */
// @ts-ignore: decorator
@inline
function passes(v: v128): v128 {
  return v128.or(f32x4.gt(v, f32x4.splat(0)), f32x4.ne(v, v));
}

/** One past the last output whose window ends inside the input (0 if none does). */
function insideEnd(size: i32, k: i32, stride: i32, pad: i32, dilation: i32, out: i32): i32 {
  const lastStart = size - 1 + pad - (k - 1) * dilation; // largest o * stride that still fits
  return lastStart < 0 ? 0 : min(out, lastStart / stride + 1);
}

/** One window, taps in row-major order, out-of-image taps skipped; the first tap seen starts the scan. */
// @ts-ignore: decorator
@inline
function scalarWindow(
  plane: usize, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32,
  oh: i32, ow: i32, out: usize, outIdx: usize,
): void {
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
  store<f32>(out, best);
  store<i32>(outIdx, bestAt);
}

/**
 * Four adjacent windows, all taps inside the image, starting at row ih0 and columns iw0 + l * SW
 * (SW 1 or 2). The taps are compared in the scalar loop's order with the same rule, so ties and
 * NaNs resolve identically. Stride 2 reads the seven floats a tap row spans, never beyond.
 */
// @ts-ignore: decorator
@inline
function innerWindows4(plane: usize, W: i32, KH: i32, KW: i32, SW: i32, DH: i32, DW: i32, ih0: i32, iw0: i32, out: usize, outIdx: usize): void {
  const step = SW == 1 ? i32x4(0, 1, 2, 3) : i32x4(0, 2, 4, 6);
  let best = f32x4.splat(-Infinity);
  let at = i32x4.splat(-1);
  for (let kh = 0; kh < KH; kh++) {
    const rowAt = (ih0 + kh * DH) * W;
    for (let kw = 0; kw < KW; kw++) {
      const first = rowAt + iw0 + kw * DW;
      const q = plane + (<usize>first << 2);
      let v: v128;
      if (SW == 1) {
        v = v128.load(q);
      } else {
        v = v128.shuffle<f32>(v128.load(q), v128.load(q, 12), 0, 2, 5, 7);
      }
      const here = i32x4.add(i32x4.splat(first), step);
      if (kh == 0 && kw == 0) {
        best = v;
        at = here;
      } else {
        const m = beats(v, best);
        best = v128.bitselect(v, best, m);
        at = v128.bitselect(here, at, m);
      }
    }
  }
  v128.store(out, best);
  v128.store(outIdx, at);
}

/**
 * dx[argmax] += dy for every window (dx must start zeroed); index -1 (no winner) is skipped. With
 * `sums` (else 0), sums[p] = the sum of the plane of dx just written, in the order and blocks of
 * f32_reduce's rows (see f32_maxpool2d_backward_tiled).
 */
export function f32_maxpool2d_backward(dy: usize, idx: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, dx: usize, sums: usize): void {
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
    if (sums != 0) store<f32>(sums + (<usize>p << 2), H * W > 0 ? sumRow(d, <usize>(H * W)) : 0);
  }
}

/** Takes v where it beats best (greater, or NaN over a number: PyTorch's rule; ties keep the first). */
// @ts-ignore: decorator
@inline
function beats(v: v128, best: v128): v128 {
  // (v > best) or (v is NaN and best is not) = not (v <= best), unless best is NaN.
  return v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
}

/**
 * The common 2x2 / stride 2 case: every window is inside the image, no bounds checks. Four windows at
 * a time: two rows of eight inputs split into even and odd columns, then three compare-and-select
 * steps in the same order as the scalar loop (so ties and NaNs resolve identically). A row of 4+
 * windows ends with one more group of four ending at its last window, overlapping the one before
 * (those windows are recomputed to the same values) instead of 1-3 scalar windows, whose
 * data-dependent branches mispredict on most inputs.
 */
function maxpool2x2(x: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, y: usize, idx: usize, relu: i32): void {
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * H * W) << 2);
    const out = y + (<usize>(p * OH * OW) << 2);
    const outIdx = idx + (<usize>(p * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const r0 = 2 * oh * W;
      const o = oh * OW;
      let ow = 0;
      for (; ow + 4 <= OW; ow += 4) windows2x2x4(plane, r0 + 2 * ow, W, out + (<usize>(o + ow) << 2), outIdx + (<usize>(o + ow) << 2), relu);
      if (ow < OW && OW >= 4) {
        windows2x2x4(plane, r0 + 2 * (OW - 4), W, out + (<usize>(o + OW - 4) << 2), outIdx + (<usize>(o + OW - 4) << 2), relu);
        ow = OW;
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
        if (relu != 0 && !(best > 0) && best == best) { best = 0; at = -1; }
        store<f32>(out + (<usize>(o + ow) << 2), best);
        store<i32>(outIdx + (<usize>(o + ow) << 2), at);
      }
    }
  }
}

/** Four adjacent 2x2 windows whose first tap is at plane index i0 (then i0 + 2, + 4, + 6). */
// @ts-ignore: decorator
@inline
function windows2x2x4(plane: usize, i0: i32, W: i32, out: usize, outIdx: usize, relu: i32): void {
  const step2 = i32x4(0, 2, 4, 6);
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
  if (relu != 0) {
    const pass = passes(best);
    best = v128.and(best, pass);
    at = v128.bitselect(at, i32x4.splat(-1), pass);
  }
  v128.store(out, best);
  v128.store(outIdx, at);
}
