/**
 * In-place updates (trailing underscore, as in PyTorch). They bypass autograd and bump `version`,
 * so anything cached from the old data (packed weight panels) knows to refresh.
 */
import { axpy, copy, fill, scale } from '@deepwasm/kernels';
import { Tensor } from './tensor.js';
import { formatShape } from './shape.js';
import { defineOp } from '../check/operands.js';

function checkSame(op: string, t: Tensor, src: Tensor): void {
  if (t.size !== src.size) {
    throw new Error(`${op}: source ${formatShape(src.shape)} does not match ${formatShape(t.shape)}`);
  }
}

export const fill_ = defineOp('fill_', 't value:number', (t: Tensor, value: number): Tensor => {
  fill(t.k, t.ptr, t.size, value);
  t.version++;
  return t;
});

export const zero_ = defineOp('zero_', 't', (t: Tensor): Tensor => fill_(t, 0));

/** Copies the values of src (same number of elements) into t. */
export const copy_ = defineOp('copy_', 't src', (t: Tensor, src: Tensor): Tensor => {
  checkSame('copy_', t, src);
  copy(t.k, t.ptr, src.ptr, t.size);
  t.version++;
  return t;
});

/** t += alpha * x. */
export const addScaled_ = defineOp('addScaled_', 't x alpha:number?', (t: Tensor, x: Tensor, alpha = 1): Tensor => {
  checkSame('addScaled_', t, x);
  axpy(t.k, t.ptr, x.ptr, t.size, alpha);
  t.version++;
  return t;
});

/** t = alpha * t + beta. */
export const scale_ = defineOp('scale_', 't alpha:number beta:number?', (t: Tensor, alpha: number, beta = 0): Tensor => {
  scale(t.k, t.ptr, t.ptr, t.size, alpha, beta);
  t.version++;
  return t;
});
