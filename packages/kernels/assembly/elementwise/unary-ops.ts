// The formulas of the unary activations, forward and backward, on one v128. Op codes are compile-time
// constants at every call site, so each exported kernel inlines exactly one branch.
import { vexp, vexpm1, vlog, vsigmoid, vtanh } from '../common/vmath';

export const IDENTITY = 0;
export const STEP = 1;
export const SIGMOID = 2;
export const TANH = 3;
export const RELU = 4;
export const LEAKY_RELU = 5;
export const ELU = 6;
export const GAUSSIAN = 7;
export const EXP = 8;
export const LOG = 9;
export const NEG = 10;
export const ABS = 11;
export const SQRT = 12;
export const SQUARE = 13;
export const RECIPROCAL = 14;

// @ts-ignore: decorator
@inline
function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** y = f(x); `alpha` is the leaky-ReLU slope or the ELU alpha. */
// @ts-ignore: decorator
@inline
export function unaryForward(op: i32, x: v128, alpha: v128): v128 {
  if (op == IDENTITY) return x;
  if (op == STEP) return v128.and(f32x4.gt(x, splat(0)), splat(1));
  if (op == SIGMOID) return vsigmoid(x);
  if (op == TANH) return vtanh(x);
  // relu(NaN) = NaN, relu(-0) = 0 (PyTorch returns -0 too; both compare equal).
  if (op == RELU) return v128.bitselect(splat(0), x, f32x4.lt(x, splat(0)));
  if (op == LEAKY_RELU) return v128.bitselect(f32x4.mul(x, alpha), x, f32x4.lt(x, splat(0)));
  if (op == ELU) return v128.bitselect(x, f32x4.mul(alpha, vexpm1(x)), f32x4.gt(x, splat(0)));
  if (op == GAUSSIAN) return vexp(f32x4.neg(f32x4.mul(x, x)));
  if (op == EXP) return vexp(x);
  if (op == LOG) return vlog(x);
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  if (op == SQRT) return f32x4.sqrt(x);
  if (op == SQUARE) return f32x4.mul(x, x);
  return f32x4.div(splat(1), x); // RECIPROCAL
}

/**
 * dx = dy * f'(x), PyTorch's conventions. Reads x for step, relu, leaky_relu, elu, gaussian, log,
 * square, abs; y (the forward output) for sigmoid, tanh, elu, gaussian, exp, sqrt, reciprocal.
 */
// @ts-ignore: decorator
@inline
export function unaryBackward(op: i32, dy: v128, x: v128, y: v128, alpha: v128): v128 {
  if (op == IDENTITY) return dy;
  if (op == STEP) return splat(0);
  if (op == SIGMOID) return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(splat(1), y)));
  if (op == TANH) return f32x4.mul(dy, f32x4.sub(splat(1), f32x4.mul(y, y)));
  // Gradient passes where x > 0 (relu'(0) = 0); a NaN x passes dy, like PyTorch's threshold_backward.
  if (op == RELU) return v128.andnot(dy, f32x4.le(x, splat(0)));
  if (op == LEAKY_RELU) return v128.bitselect(f32x4.mul(dy, alpha), dy, f32x4.le(x, splat(0)));
  if (op == ELU) return v128.bitselect(f32x4.mul(dy, f32x4.add(y, alpha)), dy, f32x4.le(x, splat(0)));
  if (op == GAUSSIAN) return f32x4.mul(dy, f32x4.mul(f32x4.mul(splat(-2), x), y));
  if (op == EXP) return f32x4.mul(dy, y);
  if (op == LOG) return f32x4.div(dy, x);
  if (op == NEG) return f32x4.neg(dy);
  if (op == ABS) {
    // sign(x) * dy: +dy for x > 0, -dy for x < 0, 0 at ±0 (and for NaN x).
    const pos = v128.and(dy, f32x4.gt(x, splat(0)));
    const neg = v128.and(f32x4.neg(dy), f32x4.lt(x, splat(0)));
    return v128.or(pos, neg);
  }
  if (op == SQRT) return f32x4.div(f32x4.mul(dy, splat(0.5)), y);
  if (op == SQUARE) return f32x4.mul(dy, f32x4.add(x, x));
  return f32x4.neg(f32x4.mul(dy, f32x4.mul(y, y))); // RECIPROCAL
}
