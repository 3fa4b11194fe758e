/** Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), in place. */
import { clamp, scale, sumSquares } from '@deepwasm/kernels';
import type { Tensor } from '../tensor/tensor.js';
import { describe, num } from '../check/options.js';

/**
 * Scales all gradients together so their total norm is at most maxNorm; returns the norm before
 * clipping. normType 2 (default) or Infinity.
 */
export function clipGradNorm_(params: readonly Tensor[], maxNorm: number, normType = 2): number {
  num('clipGradNorm_', 'maxNorm', maxNorm, 0);
  if (!Array.isArray(params)) throw new TypeError(`clipGradNorm_: params must be an array of tensors, got ${describe(params)}`);
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  let total: number;
  if (normType === Infinity) {
    total = 0;
    for (const g of grads) for (const v of g.data) total = Math.max(total, Math.abs(v));
  } else if (normType === 2) {
    total = Math.sqrt(grads.reduce((s, g) => s + sumSquares(g.k, g.ptr, g.size), 0));
  } else {
    throw new Error(`clipGradNorm_: normType must be 2 or Infinity, got ${normType}`);
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const g of grads) {
      scale(g.k, g.ptr, g.ptr, g.size, coef, 0);
      g.version++;
    }
  }
  return total;
}

/** Clamps every gradient element to [-clipValue, clipValue]. */
export function clipGradValue_(params: readonly Tensor[], clipValue: number): void {
  num('clipGradValue_', 'clipValue', clipValue, 0);
  if (!Array.isArray(params)) throw new TypeError(`clipGradValue_: params must be an array of tensors, got ${describe(params)}`);
  for (const p of params) {
    if (p.grad === null) continue;
    clamp(p.k, p.grad.ptr, p.grad.ptr, p.grad.size, -clipValue, clipValue);
    p.grad.version++;
  }
}
