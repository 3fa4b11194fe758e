// Partial-vector helpers: the 1..3 elements past the last full v128 go through the same vector code
// as the rest (so a tail element gets bit-identical results), without reading or writing past the end.

/** Loads `r` (1..3) floats at `p` into the low lanes; the other lanes hold `fill`. */
// @ts-ignore: decorator
@inline
export function loadTail(p: usize, r: usize, fill: f32): v128 {
  let v = f32x4.splat(fill);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (r > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (r > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the low `r` (1..3) lanes of `v` at `p`. */
// @ts-ignore: decorator
@inline
export function storeTail(p: usize, v: v128, r: usize): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (r > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (r > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Sum of the four lanes ((l0 + l2) + (l1 + l3)). */
// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** Maximum of the four lanes; NaN if any lane is NaN. */
// @ts-ignore: decorator
@inline
export function hmax(v: v128): f32 {
  const s = f32x4.max(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return max<f32>(f32x4.extract_lane(s, 0), f32x4.extract_lane(s, 1));
}

/** Minimum of the four lanes; NaN if any lane is NaN. */
// @ts-ignore: decorator
@inline
export function hmin(v: v128): f32 {
  const s = f32x4.min(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return min<f32>(f32x4.extract_lane(s, 0), f32x4.extract_lane(s, 1));
}

/**
 * 4x4 transpose: rows a, b, c, d (four floats each) stored as four columns, `stride` bytes apart
 * (out gets [a0 b0 c0 d0], out + stride gets [a1 b1 c1 d1], ...).
 */
// @ts-ignore: decorator
@inline
export function storeTransposed4x4(a: v128, b: v128, c: v128, d: v128, out: usize, stride: usize): void {
  const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(out + stride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(out + 2 * stride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(out + 3 * stride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}
