/**
 * In-place updates (trailing underscore, as in PyTorch). They bypass autograd and bump `version`,
 * so anything cached from the old data (packed weight panels) knows to refresh.
 */
import { axpy, copy, fill, scale } from '@deepwasm/kernels';
import { Tensor } from './tensor.js';
import { formatShape } from './shape.js';

function checkSame(op: string, t: Tensor, src: Tensor): void {
  if (t.size !== src.size) {
    throw new Error(`${op}: source ${formatShape(src.shape)} does not match ${formatShape(t.shape)}`);
  }
}

export function fill_(t: Tensor, value: number): Tensor {
  fill(t.k, t.ptr, t.size, value);
  t.version++;
  return t;
}

export function zero_(t: Tensor): Tensor {
  return fill_(t, 0);
}

/** Copies the values of src (same number of elements) into t. */
export function copy_(t: Tensor, src: Tensor): Tensor {
  checkSame('copy_', t, src);
  copy(t.k, t.ptr, src.ptr, t.size);
  t.version++;
  return t;
}

/** t += alpha * x. */
export function addScaled_(t: Tensor, x: Tensor, alpha = 1): Tensor {
  checkSame('addScaled_', t, x);
  axpy(t.k, t.ptr, x.ptr, t.size, alpha);
  t.version++;
  return t;
}

/** t = alpha * t + beta. */
export function scale_(t: Tensor, alpha: number, beta = 0): Tensor {
  scale(t.k, t.ptr, t.ptr, t.size, alpha, beta);
  t.version++;
  return t;
}
