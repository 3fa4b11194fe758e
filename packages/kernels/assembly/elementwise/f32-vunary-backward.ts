// Unary elementwise kernels, backward: dx[i] = dy[i] * f'(x[i]) (dx may be dy). Both x and y (the forward
// output) are passed to every kernel; see unaryBackward in unary-ops.ts for which one each op reads.
import { mapUnaryBackward } from './map';
import { IDENTITY, STEP, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, GAUSSIAN, EXP, LOG, NEG, ABS, SQRT, SQUARE, RECIPROCAL } from './unary-ops';

export function f32_videntity_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(IDENTITY, dx, dy, x, y, n, alpha);
}

export function f32_vstep_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(STEP, dx, dy, x, y, n, alpha);
}

export function f32_vsigmoid_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(SIGMOID, dx, dy, x, y, n, alpha);
}

export function f32_vtanh_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(TANH, dx, dy, x, y, n, alpha);
}

export function f32_vrelu_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(RELU, dx, dy, x, y, n, alpha);
}

export function f32_vleaky_relu_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(LEAKY_RELU, dx, dy, x, y, n, alpha);
}

export function f32_velu_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(ELU, dx, dy, x, y, n, alpha);
}

export function f32_vgaussian_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(GAUSSIAN, dx, dy, x, y, n, alpha);
}

export function f32_vexp_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(EXP, dx, dy, x, y, n, alpha);
}

export function f32_vlog_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(LOG, dx, dy, x, y, n, alpha);
}

export function f32_vneg_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(NEG, dx, dy, x, y, n, alpha);
}

export function f32_vabs_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(ABS, dx, dy, x, y, n, alpha);
}

export function f32_vsqrt_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(SQRT, dx, dy, x, y, n, alpha);
}

export function f32_vsquare_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(SQUARE, dx, dy, x, y, n, alpha);
}

export function f32_vreciprocal_backward(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  mapUnaryBackward(RECIPROCAL, dx, dy, x, y, n, alpha);
}
