/**
 * The diagonal-Gaussian pieces of a VAE (Kingma and Welling 2014): KL(N(mu, exp(logvar)) || N(0, I))
 * per row in closed form, and the reparameterised sample mu + exp(logvar / 2) * eps with eps drawn from
 * the seeded generator.
 */
import * as nn from '@deepwasm/nn';

/** KL(q || N(0, I)) per row of [N, d]: -1/2 sum(1 + logvar - mu^2 - exp(logvar)). */
export function gaussianKl(mu: nn.Tensor, logvar: nn.Tensor): nn.Tensor {
  const inner = nn.sub(nn.sub(nn.affine(logvar, 1, 1), nn.square(mu)), nn.exp(logvar));
  return nn.affine(nn.sum(inner, 1), -0.5);
}

/** mu + exp(logvar / 2) * eps, eps ~ N(0, I); gradients flow to mu and logvar. */
export function reparameterize(mu: nn.Tensor, logvar: nn.Tensor, generator: nn.Generator): nn.Tensor {
  const eps = nn.normalAround(nn.zeros(mu.shape), 1, { generator });
  return nn.add(mu, nn.mul(nn.exp(nn.affine(logvar, 0.5)), eps));
}
