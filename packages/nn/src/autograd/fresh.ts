/**
 * Gradients an op's backward pass made for one input alone: a new tensor that nothing else holds or
 * views. backward() lets a leaf without a gradient adopt such a tensor as its .grad instead of
 * copying it (PyTorch's AccumulateGrad steals a gradient nobody else references, likewise). The
 * marks last one backward() (which clears them when it returns).
 */
import type { Tensor } from '../tensor/tensor.js';

const fresh = new Set<Tensor>();

/** Marks t (when not null) as a gradient its op made for one input only; returns t. */
export function freshGradient<T extends Tensor | null>(t: T): T {
  if (t !== null) fresh.add(t);
  return t;
}

export function isFreshGradient(t: Tensor): boolean {
  return fresh.has(t);
}

/** Forgets every mark (backward() calls it when it returns). */
export function clearFreshGradients(): void {
  fresh.clear();
}
