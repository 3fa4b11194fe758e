import type { Tensor } from '../tensor/tensor.js';
import { mean, sum } from '../functional/reduce.js';

export type Reduction = 'mean' | 'sum' | 'none';

export function reduceLoss(perElement: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'mean':
      return mean(perElement);
    case 'sum':
      return sum(perElement);
    case 'none':
      return perElement;
    default:
      throw new Error(`loss reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}
