/** The reparameterisation trick of a VAE (Kingma & Welling 2014): a sample that gradients flow through. */
import type { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { add, affine, mul } from './elementwise.js';
import { exp } from './activations.js';
import { randn } from './creation.js';
import { defineOp } from '../check/operands.js';
import { checkGenerator, checkOptions, optionKeys } from '../check/options.js';
import { defaultGenerator, type Generator } from '../random/generator.js';

export interface ReparameterizeOptions {
  /** Draws eps (default: the global generator, seeded by manualSeed). */
  generator?: Generator;
}
const REPARAMETERIZE_OPTIONS = optionKeys<ReparameterizeOptions>({ generator: true });

/** z = mu + exp(½ logvar) · eps with eps ~ N(0, I) from the seeded generator: z ~ N(mu, exp(logvar)). */
export const reparameterize = defineOp('reparameterize', 'mu logvar', function reparameterize(mu: Tensor, logvar: Tensor, opts: ReparameterizeOptions = {}): Tensor {
  checkOptions('reparameterize', opts, REPARAMETERIZE_OPTIONS);
  if (opts.generator !== undefined) checkGenerator('reparameterize', opts.generator);
  if (!sameShape(mu.shape, logvar.shape)) {
    throw new Error(`reparameterize: mu ${formatShape(mu.shape)} and logvar ${formatShape(logvar.shape)} must have the same shape`);
  }
  const eps = randn(mu.shape as number[], { generator: opts.generator ?? defaultGenerator });
  return add(mu, mul(exp(affine(logvar, 0.5)), eps));
});
