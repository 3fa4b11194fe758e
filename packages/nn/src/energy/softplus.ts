/** softplus(x) = log(1 + e^x), computed as relu(x) + log(1 + e^-|x|) so neither tail overflows. */
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/scope.js';
import { add, affine } from '../functional/elementwise.js';
import { abs, exp, log, relu } from '../functional/activations.js';
import { sum } from '../functional/reduce.js';

export function softplus(x: Tensor): Tensor {
  return noGrad(() => add(relu(x), log(affine(exp(affine(abs(x), -1)), 1, 1))));
}

/** sum_j softplus(x[i, j]) per row, [rows]. */
export function softplusRowSum(x: Tensor): Tensor {
  return noGrad(() => sum(softplus(x), 1));
}
