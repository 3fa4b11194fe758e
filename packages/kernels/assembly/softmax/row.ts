// Row helpers shared by the softmax kernels (n >= 1 contiguous floats).
import { hmax, hsum, loadTail } from '../common/lanes';

/** max of a row; NaN if the row holds a NaN. */
// @ts-ignore: decorator
@inline
export function rowMax(x: usize, n: usize): f32 {
  const end = n << 2;
  let a0 = f32x4.splat(load<f32>(x));
  let a1 = a0;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    a0 = f32x4.max(a0, v128.load(x + i));
    a1 = f32x4.max(a1, v128.load(x + i, 16));
  }
  for (; i + 16 <= end; i += 16) a0 = f32x4.max(a0, v128.load(x + i));
  if (i < end) a0 = f32x4.max(a0, loadTail(x + i, (end - i) >> 2, load<f32>(x)));
  return hmax(f32x4.max(a0, a1));
}

/** sum of a row (two accumulators). */
// @ts-ignore: decorator
@inline
export function rowSum(x: usize, n: usize): f32 {
  const end = n << 2;
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    a0 = f32x4.add(a0, v128.load(x + i));
    a1 = f32x4.add(a1, v128.load(x + i, 16));
  }
  for (; i + 16 <= end; i += 16) a0 = f32x4.add(a0, v128.load(x + i));
  if (i < end) a0 = f32x4.add(a0, loadTail(x + i, (end - i) >> 2, 0));
  return hsum(f32x4.add(a0, a1));
}

/** sum of a[i] * b[i] over a row. */
// @ts-ignore: decorator
@inline
export function rowDot(a: usize, b: usize, n: usize): f32 {
  const end = n << 2;
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load(a + i), v128.load(b + i)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(a + i, 16), v128.load(b + i, 16)));
  }
  for (; i + 16 <= end; i += 16) a0 = f32x4.add(a0, f32x4.mul(v128.load(a + i), v128.load(b + i)));
  if (i < end) {
    const r = (end - i) >> 2;
    a0 = f32x4.add(a0, f32x4.mul(loadTail(a + i, r, 0), loadTail(b + i, r, 0)));
  }
  return hsum(f32x4.add(a0, a1));
}
