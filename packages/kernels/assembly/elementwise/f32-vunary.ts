// Unary elementwise kernels, forward: y[i] = f(x[i]) for i < n (y may be x). One exported kernel per op,
// named f32_v<op>; alpha is read only by leaky_relu (negative slope) and elu.
import { mapUnary } from './map';
import { IDENTITY, STEP, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, GAUSSIAN, EXP, LOG, NEG, ABS, SQRT, SQUARE, RECIPROCAL } from './unary-ops';

/** y = x */
export function f32_videntity(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(IDENTITY, y, x, n, alpha);
}

/** y = x > 0 ? 1 : 0 */
export function f32_vstep(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(STEP, y, x, n, alpha);
}

/** y = 1 / (1 + e^-x) */
export function f32_vsigmoid(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(SIGMOID, y, x, n, alpha);
}

/** y = tanh(x) */
export function f32_vtanh(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(TANH, y, x, n, alpha);
}

/** y = max(x, 0) */
export function f32_vrelu(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(RELU, y, x, n, alpha);
}

/** y = x > 0 ? x : alpha x */
export function f32_vleaky_relu(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(LEAKY_RELU, y, x, n, alpha);
}

/** y = x > 0 ? x : alpha (e^x - 1) */
export function f32_velu(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(ELU, y, x, n, alpha);
}

/** y = e^(-x^2) */
export function f32_vgaussian(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(GAUSSIAN, y, x, n, alpha);
}

/** y = e^x */
export function f32_vexp(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(EXP, y, x, n, alpha);
}

/** y = ln x */
export function f32_vlog(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(LOG, y, x, n, alpha);
}

/** y = -x */
export function f32_vneg(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(NEG, y, x, n, alpha);
}

/** y = |x| */
export function f32_vabs(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(ABS, y, x, n, alpha);
}

/** y = sqrt(x) */
export function f32_vsqrt(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(SQRT, y, x, n, alpha);
}

/** y = x^2 */
export function f32_vsquare(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(SQUARE, y, x, n, alpha);
}

/** y = 1 / x */
export function f32_vreciprocal(y: usize, x: usize, n: i32, alpha: f32): void {
  mapUnary(RECIPROCAL, y, x, n, alpha);
}
