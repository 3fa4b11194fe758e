// Vectorised f32 transcendental functions (Cephes single-precision polynomials, range-reduced the way
// XNNPACK's f32-vexp/vtanh/vsigmoid kernels do). All are pure, inline, and propagate NaN.
// Accuracy on [-88, 88] is within ~2 ulp for exp, ~3 ulp for log, tanh and sigmoid.
import { madd } from './madd';

// @ts-ignore: decorator
@inline
function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/**
 * e^x. Range reduction x = n ln2 + r with |r| <= ln2/2 (ln2 split in a 9-bit head and a tail so
 * n*head is exact), a degree-6 polynomial for e^r, and the scale 2^n applied in two halves so that
 * results in the subnormal range (x down to -104) and up to FLT_MAX stay correct. x > 88.72 gives
 * +Inf, x < -103.9 gives +0.
 */
// @ts-ignore: decorator
@inline
export function vexp(x: v128): v128 {
  // pmax/pmin return their first operand when it is NaN, so a NaN lane stays NaN all the way through.
  x = f32x4.pmin(f32x4.pmax(x, splat(-104.0)), splat(89.0));
  // n = round(x / ln2) by the magic-number trick: adding 1.5 * 2^23 leaves n in the low mantissa bits.
  const magic = splat(12582912.0);
  const vn = madd(x, splat(1.44269504088896341), magic);
  const k = i32x4.sub(vn, magic);
  const n = f32x4.sub(vn, magic);
  let r = madd(n, splat(-0.693359375), x);
  r = madd(n, splat(2.12194440e-4), r);
  let p = madd(splat(1.9875691500e-4), r, splat(1.3981999507e-3));
  p = madd(p, r, splat(8.3334519073e-3));
  p = madd(p, r, splat(4.1665795894e-2));
  p = madd(p, r, splat(1.6666665459e-1));
  p = madd(p, r, splat(5.0000001201e-1));
  p = madd(p, f32x4.mul(r, r), f32x4.add(r, splat(1.0)));
  const k1 = i32x4.shr_s(k, 1);
  const k2 = i32x4.sub(k, k1);
  const s1 = i32x4.shl(i32x4.add(k1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(k2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** e^x - 1, accurate near 0 (Taylor polynomial for |x| < 0.25, e^x - 1 elsewhere). */
// @ts-ignore: decorator
@inline
export function vexpm1(x: v128): v128 {
  let p = madd(x, splat(1.0 / 5040.0), splat(1.0 / 720.0));
  p = madd(p, x, splat(1.0 / 120.0));
  p = madd(p, x, splat(1.0 / 24.0));
  p = madd(p, x, splat(1.0 / 6.0));
  p = madd(p, x, splat(0.5));
  const small = madd(f32x4.mul(p, x), x, x);
  const big = f32x4.sub(vexp(x), splat(1.0));
  return v128.bitselect(small, big, f32x4.lt(f32x4.abs(x), splat(0.25)));
}

/**
 * Natural logarithm. x = m 2^e with m in [sqrt(1/2), sqrt(2)), a degree-9 polynomial in m - 1.
 * Subnormals are rescaled first. log(0) = -Inf, log(+Inf) = +Inf, log(x < 0) = NaN, log(NaN) = NaN.
 */
// @ts-ignore: decorator
@inline
export function vlog(x0: v128): v128 {
  const sub = f32x4.lt(x0, splat(1.17549435e-38));
  const x = v128.bitselect(f32x4.mul(x0, splat(8388608.0)), x0, sub);
  let e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(sub, i32x4.splat(23)));
  let m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const lo = f32x4.lt(m, splat(0.707106781186547524));
  e = i32x4.add(e, lo); // lo lanes are -1
  m = f32x4.add(f32x4.sub(m, splat(1.0)), v128.and(m, lo));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = madd(splat(7.0376836292e-2), m, splat(-1.1514610310e-1));
  p = madd(p, m, splat(1.1676998740e-1));
  p = madd(p, m, splat(-1.2420140846e-1));
  p = madd(p, m, splat(1.4249322787e-1));
  p = madd(p, m, splat(-1.6668057665e-1));
  p = madd(p, m, splat(2.0000714765e-1));
  p = madd(p, m, splat(-2.4999993993e-1));
  p = madd(p, m, splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = madd(fe, splat(-2.12194440e-4), y);
  y = madd(z, splat(-0.5), y);
  let r = f32x4.add(m, y);
  r = madd(fe, splat(0.693359375), r);
  r = v128.bitselect(x0, r, f32x4.eq(x0, splat(Infinity)));
  r = v128.bitselect(splat(-Infinity), r, f32x4.eq(x0, splat(0.0)));
  // Negative or NaN input: NaN.
  return v128.bitselect(r, splat(NaN), f32x4.ge(x0, splat(0.0)));
}

/**
 * tanh(x): odd polynomial x + x^3 P(x^2) for |x| < 0.625, else sign(x) (1 - 2 / (e^{2|x|} + 1)).
 * Saturates to ±1 for large |x|.
 */
// @ts-ignore: decorator
@inline
export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = madd(splat(-5.70498872745e-3), z, splat(2.06390887954e-2));
  p = madd(p, z, splat(-5.37397155531e-2));
  p = madd(p, z, splat(1.33314422036e-1));
  p = madd(p, z, splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(x, z), p, x);
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(splat(1.0), f32x4.div(splat(2.0), f32x4.add(e, splat(1.0))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, splat(0.625)));
}

/** 1 / (1 + e^-x), computed from e^-|x| so both tails keep full relative accuracy. */
// @ts-ignore: decorator
@inline
export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(e, f32x4.add(e, splat(1.0)));
  return v128.bitselect(f32x4.sub(splat(1.0), s), s, f32x4.gt(x, splat(0.0)));
}
