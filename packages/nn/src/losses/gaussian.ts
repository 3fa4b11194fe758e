/**
 * The Gaussian KL divergence of a VAE's encoder from the standard normal prior, in closed form:
 * KL(N(mu, exp(logvar)) || N(0, I)) = ½ Σ (exp(logvar) + mu² - 1 - logvar), summed over every dim
 * but the first (the latent dims of one sample). Kingma & Welling (2014), appendix B.
 */
import type { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { add, affine, sub } from '../functional/elementwise.js';
import { exp, square } from '../functional/activations.js';
import { mean, sum } from '../functional/reduce.js';
import { defineOp } from '../check/operands.js';
import { checkReduction, type Reduction } from './reduction.js';

/**
 * KL divergence per sample of N(mu, exp(logvar)) from N(0, I); mu and logvar are [N, ...latent].
 * reduction 'sum' (the default, as VAEs add it to a summed reconstruction loss) sums over the
 * samples, 'mean' averages the per-sample divergences over the samples (not over elements), 'none'
 * returns them, [N].
 */
export const klDivGaussian = defineOp('klDivGaussian', 'mu logvar', function klDivGaussian(mu: Tensor, logvar: Tensor, reduction: Reduction = 'sum'): Tensor {
  const r = checkReduction('klDivGaussian', reduction);
  if (!sameShape(mu.shape, logvar.shape)) {
    throw new Error(`klDivGaussian: mu ${formatShape(mu.shape)} and logvar ${formatShape(logvar.shape)} must have the same shape`);
  }
  if (mu.ndim < 2) throw new Error(`klDivGaussian: expected mu and logvar [N, latent...], got ${formatShape(mu.shape)}`);
  const perElement = affine(sub(add(exp(logvar), square(mu)), logvar), 0.5, -0.5);
  const perSample = sum(perElement, Array.from({ length: mu.ndim - 1 }, (_, i) => i + 1));
  return r === 'none' ? perSample : r === 'sum' ? sum(perSample) : mean(perSample);
});
