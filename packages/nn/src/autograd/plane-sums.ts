/**
 * Per-plane sums that come with a gradient: an op whose backward pass visits every value it sends
 * to an [N, C, H, W] input can sum each plane on the way (max pooling does, see functional/conv.ts)
 * and attach the sums ([N * C]) to that gradient, and a convolution takes its bias gradient from
 * them instead of another pass over the gradient. Only a gradient handed on unchanged keeps them
 * (one that backward() adds to another is a new tensor, without sums). The marks last one
 * backward() (which clears them when it returns).
 */
import type { Tensor } from '../tensor/tensor.js';

const sums = new Map<Tensor, Tensor>();

/** Attaches planeSums (one value per plane of grad) to grad; returns grad. */
export function withPlaneSums(grad: Tensor, planeSums: Tensor): Tensor {
  sums.set(grad, planeSums);
  return grad;
}

/** The per-plane sums attached to grad, if its op made them. */
export function planeSumsOf(grad: Tensor): Tensor | undefined {
  return sums.get(grad);
}

/** Forgets every attachment (backward() calls it when it returns). */
export function clearPlaneSums(): void {
  sums.clear();
}
