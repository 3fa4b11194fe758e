// Softmax over the last axis of a [rows, cols] matrix, max-subtracted: y = e^(x - max) / sum e^(x - max).
// A row of -Inf with one finite entry gives a one-hot row; a row holding +Inf or NaN (or only -Inf)
// gives NaN everywhere, like PyTorch. out may be x.
import { loadTail, storeTail } from '../common/lanes';
import { vexp } from '../common/vmath';
import { rowDot, rowMax } from './row';

export function f32_softmax_rows(out: usize, x: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const n = <usize>cols;
  const end = n << 2;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const xr = x + r * end;
    const yr = out + r * end;
    const m = f32x4.splat(rowMax(xr, n));
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let i: usize = 0;
    for (; i + 32 <= end; i += 32) {
      const e0 = vexp(f32x4.sub(v128.load(xr + i), m));
      const e1 = vexp(f32x4.sub(v128.load(xr + i, 16), m));
      v128.store(yr + i, e0);
      v128.store(yr + i, e1, 16);
      s0 = f32x4.add(s0, e0);
      s1 = f32x4.add(s1, e1);
    }
    for (; i + 16 <= end; i += 16) {
      const e0 = vexp(f32x4.sub(v128.load(xr + i), m));
      v128.store(yr + i, e0);
      s0 = f32x4.add(s0, e0);
    }
    if (i < end) {
      const t = (end - i) >> 2;
      // Unused lanes are -Inf so they add e^-Inf = 0 (or NaN when max is -Inf, as the row is NaN anyway).
      const e0 = vexp(f32x4.sub(loadTail(xr + i, t, -Infinity), m));
      storeTail(yr + i, e0, t);
      s0 = f32x4.add(s0, e0);
    }
    s0 = f32x4.add(s0, s1);
    s0 = f32x4.add(s0, v128.shuffle<f32>(s0, s0, 2, 3, 0, 1));
    const inv = f32x4.splat(<f32>1 / (f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1)));
    i = 0;
    for (; i + 16 <= end; i += 16) v128.store(yr + i, f32x4.mul(v128.load(yr + i), inv));
    if (i < end) {
      const t = (end - i) >> 2;
      storeTail(yr + i, f32x4.mul(loadTail(yr + i, t, 0), inv), t);
    }
  }
}

/** dx = y * (dy - sum(dy * y)) per row; y is the forward output. dx may be dy. */
export function f32_softmax_rows_backward(dx: usize, dy: usize, y: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const n = <usize>cols;
  const end = n << 2;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const gr = dy + r * end;
    const yr = y + r * end;
    const xr = dx + r * end;
    const d = f32x4.splat(rowDot(gr, yr, n));
    let i: usize = 0;
    for (; i + 16 <= end; i += 16) {
      v128.store(xr + i, f32x4.mul(v128.load(yr + i), f32x4.sub(v128.load(gr + i), d)));
    }
    if (i < end) {
      const t = (end - i) >> 2;
      storeTail(xr + i, f32x4.mul(loadTail(yr + i, t, 0), f32x4.sub(loadTail(gr + i, t, 0), d)), t);
    }
  }
}
