import { sumRow } from '../reduce/f32-reduce';

// The max-pooling gradient when the windows tile the plane without overlap (stride = window, no
// padding, no dilation; LeNet's and VGG's 2x2 / 2 pools): every input belongs to at most one window,
// so dx is written once, the window's dy at its winner and 0 elsewhere, with no zero-fill pass
// before and no read of dx. Rows and columns past the last window are zeroed. Index -1 (a window
// with no winner, e.g. one that ReLU closed) writes zeros. The same values as a fill then
// f32_maxpool2d_backward (each input gets one dy or none). With `sums` (else 0), sums[p] = the sum of
// the plane of dx just written, while it is in the cache, in the order and blocks of f32_reduce's
// rows: the bits f32_channel_sums would give (a convolution's bias gradient before the pooling),
// without another pass over dx from memory.
export function f32_maxpool2d_backward_tiled(dy: usize, idx: usize, planes: i32, H: i32, W: i32, KH: i32, KW: i32, OH: i32, OW: i32, dx: usize, sums: usize): void {
  for (let p = 0; p < planes; p++) {
    const g = dy + (<usize>(p * OH * OW) << 2);
    const ix = idx + (<usize>(p * OH * OW) << 2);
    const d = dx + (<usize>(p * H * W) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const row = g + (<usize>(oh * OW) << 2);
      const rowIdx = ix + (<usize>(oh * OW) << 2);
      let ow = 0;
      if (KH == 2 && KW == 2) {
        const top = d + (<usize>(2 * oh * W) << 2);
        for (; ow + 4 <= OW; ow += 4) window2x2x4(row + (<usize>ow << 2), rowIdx + (<usize>ow << 2), 2 * oh * W + 2 * ow, W, top + (<usize>(2 * ow) << 2));
        if (ow < OW && OW >= 4) {
          // The last windows: one more group ending at the row's last window, overlapping the one
          // before (those inputs are written again with the same values).
          const o = OW - 4;
          window2x2x4(row + (<usize>o << 2), rowIdx + (<usize>o << 2), 2 * oh * W + 2 * o, W, top + (<usize>(2 * o) << 2));
          ow = OW;
        }
      }
      for (; ow < OW; ow++) {
        const v = load<f32>(row + (<usize>ow << 2));
        const at = load<i32>(rowIdx + (<usize>ow << 2));
        for (let kh = 0; kh < KH; kh++) {
          const i0 = (oh * KH + kh) * W + ow * KW;
          for (let kw = 0; kw < KW; kw++) store<f32>(d + (<usize>(i0 + kw) << 2), i0 + kw == at ? v : 0);
        }
      }
      // Columns right of the last window.
      for (let kh = 0; kh < KH; kh++) {
        const r = d + (<usize>((oh * KH + kh) * W) << 2);
        for (let c = OW * KW; c < W; c++) store<f32>(r + (<usize>c << 2), 0);
      }
    }
    // Rows below the last window.
    memory.fill(d + (<usize>(OH * KH * W) << 2), 0, <usize>((H - OH * KH) * W) << 2);
    // The plane just written is in the cache: its sum in a reduction's order (the same bits).
    if (sums != 0) store<f32>(sums + (<usize>p << 2), H * W > 0 ? sumRow(d, <usize>(H * W)) : 0);
  }
}

/**
 * Four adjacent 2x2 windows of one window row: their dy and winners against the window's four
 * positions (top-left i0 + 2l, then +1, +W, +W+1), written as two rows of eight.
 */
// @ts-ignore: decorator
@inline
function window2x2x4(g: usize, ix: usize, i0: i32, W: i32, top: usize): void {
  const v = v128.load(g);
  const at = v128.load(ix);
  const tl = i32x4.add(i32x4.splat(i0), i32x4(0, 2, 4, 6));
  const one = i32x4.splat(1);
  const down = i32x4.splat(W);
  const a = v128.and(v, i32x4.eq(at, tl));
  const b = v128.and(v, i32x4.eq(at, i32x4.add(tl, one)));
  const c = v128.and(v, i32x4.eq(at, i32x4.add(tl, down)));
  const e = v128.and(v, i32x4.eq(at, i32x4.add(i32x4.add(tl, down), one)));
  const bottom = top + (<usize>W << 2);
  v128.store(top, v128.shuffle<f32>(a, b, 0, 4, 1, 5));
  v128.store(top, v128.shuffle<f32>(a, b, 2, 6, 3, 7), 16);
  v128.store(bottom, v128.shuffle<f32>(c, e, 0, 4, 1, 5));
  v128.store(bottom, v128.shuffle<f32>(c, e, 2, 6, 3, 7), 16);
}
