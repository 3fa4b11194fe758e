// Log-softmax over the last axis of a [rows, cols] matrix: y = (x - max) - log(sum e^(x - max)).
// Same special-value behaviour as softmax. out may be x.
import { loadTail, storeTail } from '../common/lanes';
import { vexp, vlog } from '../common/vmath';
import { rowMax, rowSum } from './row';

export function f32_log_softmax_rows(out: usize, x: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const end = <usize>cols << 2;
  for (let r: usize = 0; r < <usize>rows; r++) logSoftmaxRow(out + r * end, x + r * end, <usize>cols);
}

/** One row of n >= 1 floats: yr = xr - max - log(sum e^(xr - max)). */
// @ts-ignore: decorator
@inline
export function logSoftmaxRow(yr: usize, xr: usize, n: usize): void {
  const end = n << 2;
  const m = f32x4.splat(rowMax(xr, n));
  let s0 = f32x4.splat(0);
  let s1 = s0;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    s0 = f32x4.add(s0, vexp(f32x4.sub(v128.load(xr + i), m)));
    s1 = f32x4.add(s1, vexp(f32x4.sub(v128.load(xr + i, 16), m)));
  }
  for (; i + 16 <= end; i += 16) s0 = f32x4.add(s0, vexp(f32x4.sub(v128.load(xr + i), m)));
  if (i < end) {
    s0 = f32x4.add(s0, vexp(f32x4.sub(loadTail(xr + i, (end - i) >> 2, -Infinity), m)));
  }
  s0 = f32x4.add(s0, s1);
  s0 = f32x4.add(s0, v128.shuffle<f32>(s0, s0, 2, 3, 0, 1));
  const lse = vlog(f32x4.splat(f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1)));
  i = 0;
  for (; i + 16 <= end; i += 16) {
    v128.store(yr + i, f32x4.sub(f32x4.sub(v128.load(xr + i), m), lse));
  }
  if (i < end) {
    const t = (end - i) >> 2;
    storeTail(yr + i, f32x4.sub(f32x4.sub(loadTail(xr + i, t, 0), m), lse), t);
  }
}

/** dx = dy - e^y * sum(dy) per row; y is the forward output (log-probabilities). dx may be dy. */
export function f32_log_softmax_rows_backward(dx: usize, dy: usize, y: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const n = <usize>cols;
  const end = n << 2;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const gr = dy + r * end;
    const yr = y + r * end;
    const xr = dx + r * end;
    const s = f32x4.splat(rowSum(gr, n));
    let i: usize = 0;
    for (; i + 16 <= end; i += 16) {
      v128.store(xr + i, f32x4.sub(v128.load(gr + i), f32x4.mul(vexp(v128.load(yr + i)), s)));
    }
    if (i < end) {
      const t = (end - i) >> 2;
      storeTail(xr + i, f32x4.sub(loadTail(gr + i, t, 0), f32x4.mul(vexp(loadTail(yr + i, t, 0)), s)), t);
    }
  }
}
