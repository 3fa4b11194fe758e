/** Elementwise functions and activations: one generic op over the kernels' unary table. */
import { unary, unaryBackward, type UnaryOp } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';

export type { UnaryOp };

export function unaryOp(x: Tensor, op: UnaryOp, alpha?: number): Tensor {
  const out = Tensor.empty(x.shape);
  unary(x.k, op, out.ptr, x.ptr, x.size, alpha);
  return recordOp(
    out,
    op,
    [x],
    (g) => {
      const dx = Tensor.empty(x.shape);
      unaryBackward(x.k, op, dx.ptr, g.ptr, x.ptr, out.ptr, x.size, alpha);
      return [dx];
    },
    [x, out],
  );
}

export const identity = (x: Tensor): Tensor => unaryOp(x, 'identity');
/** Heaviside step: 1 where x > 0, else 0; its gradient is 0 everywhere. */
export const step = (x: Tensor): Tensor => unaryOp(x, 'step');
export const sigmoid = (x: Tensor): Tensor => unaryOp(x, 'sigmoid');
export const tanh = (x: Tensor): Tensor => unaryOp(x, 'tanh');
export const relu = (x: Tensor): Tensor => unaryOp(x, 'relu');
/** max(x, 0) + negativeSlope * min(x, 0); PyTorch's default slope is 0.01. */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => unaryOp(x, 'leaky_relu', negativeSlope);
/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export const elu = (x: Tensor, alpha = 1): Tensor => unaryOp(x, 'elu', alpha);
/** exp(-x^2), the seeds' Gaussian activation. */
export const gaussian = (x: Tensor): Tensor => unaryOp(x, 'gaussian');
export const exp = (x: Tensor): Tensor => unaryOp(x, 'exp');
export const log = (x: Tensor): Tensor => unaryOp(x, 'log');
export const sqrt = (x: Tensor): Tensor => unaryOp(x, 'sqrt');
export const square = (x: Tensor): Tensor => unaryOp(x, 'square');
export const abs = (x: Tensor): Tensor => unaryOp(x, 'abs');
export const reciprocal = (x: Tensor): Tensor => unaryOp(x, 'reciprocal');
