/** softplus(x) = log(1 + e^x), computed as relu(x) + log(1 + e^-|x|) so neither tail overflows. */
import { softplusRowSum as softplusRowSumKernel } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/scope.js';
import { add, affine } from '../functional/elementwise.js';
import { abs, exp, log, relu } from '../functional/activations.js';

export function softplus(x: Tensor): Tensor {
  return noGrad(() => add(relu(x), log(affine(exp(affine(abs(x), -1)), 1, 1))));
}

/** sum_j softplus(beta x[i, j]) per row of a 2-D x, [rows], in one fused kernel pass (no gradient). */
export function softplusRowSum(x: Tensor, beta = 1): Tensor {
  if (x.ndim !== 2) throw new Error(`softplusRowSum: expected a 2-D tensor, got [${x.shape.join(', ')}]`);
  const out = Tensor.empty([x.shape[0]!]);
  softplusRowSumKernel(x.k, x.ptr, out.ptr, x.shape[0]!, x.shape[1]!, beta);
  return out;
}
