// The gate nonlinearities of the recurrent cells, cheaper than common/vmath's: tanh as one rational
// function (odd degree 13 over even degree 6, the float approximation Eigen uses; inputs clamped to
// ±7.9053, where tanh rounds to ±1 in f32) and the sigmoid as 1/2 + tanh(x/2)/2. One division and
// 12 multiply-adds each instead of an exponential's range reduction, 2^n scaling and division.
// Absolute error against the exact functions, measured over [-30, 30] in steps of 1e-4 (f32
// arithmetic): tanh 3.3e-7, sigmoid 2.3e-7 (in the sigmoid's far negative tail the relative error
// grows: it returns 0 below about -17, where the exact value is under 4e-8). Gates only need the
// absolute error; the state's own tanh too (h = o tanh(c)). NaN propagates. The plain build saturates
// to exactly ±1 at the clamp; the relaxed build's fused multiply-adds stop 2.4e-7 short of it.
import { madd } from '../common/madd';

// @ts-ignore: decorator
@inline
function splat(x: f32): v128 {
  return f32x4.splat(x);
}

// @ts-ignore: decorator
@inline
export function gateTanh(x: v128): v128 {
  const lim = splat(7.90531110763549805);
  // pmin/pmax keep a NaN first operand.
  const xc = f32x4.pmax(f32x4.pmin(x, lim), f32x4.neg(lim));
  const x2 = f32x4.mul(xc, xc);
  let p = madd(splat(-2.76076847742355e-16), x2, splat(2.00018790482477e-13));
  p = madd(p, x2, splat(-8.60467152213735e-11));
  p = madd(p, x2, splat(5.12229709037114e-8));
  p = madd(p, x2, splat(1.48572235717979e-5));
  p = madd(p, x2, splat(6.37261928875436e-4));
  p = madd(p, x2, splat(4.89352455891786e-3));
  p = f32x4.mul(p, xc);
  let q = madd(splat(1.19825839466702e-6), x2, splat(1.18534705686654e-4));
  q = madd(q, x2, splat(2.268434632439e-3));
  q = madd(q, x2, splat(4.89352518554385e-3));
  return f32x4.div(p, q);
}

// @ts-ignore: decorator
@inline
export function gateSigmoid(x: v128): v128 {
  const half = splat(0.5);
  return madd(gateTanh(f32x4.mul(x, half)), half, half);
}
