// Affine and clamping kernels: scale (y = alpha x + beta), axpy (y += alpha x), fill, clamp and its
// gradient. Outputs may be the same buffer as the input.
import { madd } from '../common/madd';
import { loadTail, storeTail } from '../common/lanes';

/** y[i] = alpha * x[i] + beta. */
export function f32_vscale(y: usize, x: usize, n: i32, alpha: f32, beta: f32): void {
  if (n <= 0) return;
  scaleShift(y, x, n, f32x4.splat(alpha), f32x4.splat(beta));
}

/** y[i] = a * x[i] + b over n > 0 floats, a and b splatted (shared with the fused batch norm). */
// @ts-ignore: decorator
@inline
export function scaleShift(y: usize, x: usize, n: i32, a: v128, b: v128): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const x0 = v128.load(x + i);
    const x1 = v128.load(x + i, 16);
    v128.store(y + i, madd(x0, a, b));
    v128.store(y + i, madd(x1, a, b), 16);
  }
  for (; i + 16 <= end; i += 16) v128.store(y + i, madd(v128.load(x + i), a, b));
  if (i < end) {
    const r = (end - i) >> 2;
    storeTail(y + i, madd(loadTail(x + i, r, 0), a, b), r);
  }
}

/** y[i] += alpha * x[i]. */
export function f32_vaxpy(y: usize, x: usize, n: i32, alpha: f32): void {
  if (n <= 0) return;
  const a = f32x4.splat(alpha);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const x0 = v128.load(x + i);
    const x1 = v128.load(x + i, 16);
    const y0 = v128.load(y + i);
    const y1 = v128.load(y + i, 16);
    v128.store(y + i, madd(x0, a, y0));
    v128.store(y + i, madd(x1, a, y1), 16);
  }
  for (; i + 16 <= end; i += 16) v128.store(y + i, madd(v128.load(x + i), a, v128.load(y + i)));
  if (i < end) {
    const r = (end - i) >> 2;
    storeTail(y + i, madd(loadTail(x + i, r, 0), a, loadTail(y + i, r, 0)), r);
  }
}

/** p[i] = value. */
export function f32_vfill(p: usize, n: i32, value: f32): void {
  if (n <= 0) return;
  const v = f32x4.splat(value);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 64 <= end; i += 64) {
    v128.store(p + i, v);
    v128.store(p + i, v, 16);
    v128.store(p + i, v, 32);
    v128.store(p + i, v, 48);
  }
  for (; i + 16 <= end; i += 16) v128.store(p + i, v);
  for (; i < end; i += 4) store<f32>(p + i, value);
}

/** y[i] = min(max(x[i], lo), hi); NaN stays NaN. */
export function f32_vclamp(y: usize, x: usize, n: i32, lo: f32, hi: f32): void {
  if (n <= 0) return;
  const l = f32x4.splat(lo);
  const h = f32x4.splat(hi);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(y + i, f32x4.min(f32x4.max(v128.load(x + i), l), h));
  if (i < end) {
    const r = (end - i) >> 2;
    storeTail(y + i, f32x4.min(f32x4.max(loadTail(x + i, r, 0), l), h), r);
  }
}

/** dx[i] = lo <= x[i] <= hi ? dy[i] : 0 (the gradient passes at the bounds, like PyTorch). */
export function f32_vclamp_backward(dx: usize, dy: usize, x: usize, n: i32, lo: f32, hi: f32): void {
  if (n <= 0) return;
  const l = f32x4.splat(lo);
  const h = f32x4.splat(hi);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(x + i);
    const inside = v128.and(f32x4.ge(v, l), f32x4.le(v, h));
    v128.store(dx + i, v128.and(v128.load(dy + i), inside));
  }
  if (i < end) {
    const r = (end - i) >> 2;
    const v = loadTail(x + i, r, 0);
    const inside = v128.and(f32x4.ge(v, l), f32x4.le(v, h));
    storeTail(dx + i, v128.and(loadTail(dy + i, r, 0), inside), r);
  }
}
