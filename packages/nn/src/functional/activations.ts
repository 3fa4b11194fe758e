/** Elementwise functions and activations: one generic op over the kernels' unary table. */
import { unary, unaryBackward, type UnaryOp } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { defineOp } from '../check/operands.js';

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

export const identity = defineOp('identity', 'x', (x: Tensor): Tensor => unaryOp(x, 'identity'));
/** Heaviside step: 1 where x > 0, else 0; its gradient is 0 everywhere. */
export const step = defineOp('step', 'x', (x: Tensor): Tensor => unaryOp(x, 'step'));
export const sigmoid = defineOp('sigmoid', 'x', (x: Tensor): Tensor => unaryOp(x, 'sigmoid'));
export const tanh = defineOp('tanh', 'x', (x: Tensor): Tensor => unaryOp(x, 'tanh'));
export const relu = defineOp('relu', 'x', (x: Tensor): Tensor => unaryOp(x, 'relu'));
/** max(x, 0) + negativeSlope * min(x, 0); PyTorch's default slope is 0.01. */
export const leakyRelu = defineOp('leakyRelu', 'x negativeSlope:number?', (x: Tensor, negativeSlope = 0.01): Tensor => unaryOp(x, 'leaky_relu', negativeSlope));
/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export const elu = defineOp('elu', 'x alpha:number?', (x: Tensor, alpha = 1): Tensor => unaryOp(x, 'elu', alpha));
/** exp(-x^2), the seeds' Gaussian activation. */
export const gaussian = defineOp('gaussian', 'x', (x: Tensor): Tensor => unaryOp(x, 'gaussian'));
export const exp = defineOp('exp', 'x', (x: Tensor): Tensor => unaryOp(x, 'exp'));
export const log = defineOp('log', 'x', (x: Tensor): Tensor => unaryOp(x, 'log'));
export const sqrt = defineOp('sqrt', 'x', (x: Tensor): Tensor => unaryOp(x, 'sqrt'));
export const square = defineOp('square', 'x', (x: Tensor): Tensor => unaryOp(x, 'square'));
export const abs = defineOp('abs', 'x', (x: Tensor): Tensor => unaryOp(x, 'abs'));
export const reciprocal = defineOp('reciprocal', 'x', (x: Tensor): Tensor => unaryOp(x, 'reciprocal'));
