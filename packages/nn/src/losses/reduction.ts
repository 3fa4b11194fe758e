import type { Tensor } from '../tensor/tensor.js';
import { mean, sum } from '../functional/reduce.js';
import { oneOf } from '../check/options.js';

export type Reduction = 'mean' | 'sum' | 'none';

export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Checks a reduction argument, naming the loss. */
export function checkReduction(op: string, reduction: unknown): Reduction {
  return oneOf(op, 'reduction', reduction, REDUCTIONS);
}

export function reduceLoss(perElement: Tensor, reduction: Reduction = 'mean', op = 'loss'): Tensor {
  switch (checkReduction(op, reduction)) {
    case 'mean':
      return mean(perElement);
    case 'sum':
      return sum(perElement);
    case 'none':
      return perElement;
  }
}
