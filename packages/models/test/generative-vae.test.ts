/**
 * VAE numerics against exact values on a model small enough to integrate: a 1-D latent and 2 pixels, so
 * E_q[log p(x | z)] and log p(x) = log ∫ p(z) p(x | z) dz are integrals over one variable, done on a
 * fine grid in float64 with the model's own decoder. The single-sample ELBO must average to the exact
 * ELBO, and the importance-weighted estimate must rise with K towards log p(x) from below.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { Autoencoder, DenoisingAutoencoder, VAE, logMeanExp } from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

const LOG_2PI = Math.log(2 * Math.PI);
const logSigmoid = (v: number) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));
const logBernoulli = (logit: number, x: number) => x * logSigmoid(logit) + (1 - x) * logSigmoid(-logit);

/** A tiny VAE with larger weights than the default init, so the posterior is far from the prior. */
function tinyVae(seed: number): VAE {
  const g = new nn.Generator(seed);
  const vae = new VAE({ inputSize: 2, hiddenSize: 3, latentDim: 1, generator: g });
  nn.noGrad(() => {
    for (const p of vae.parameters()) p.copy_(nn.affine(p, 3));
  });
  return vae;
}

/** log p(x | z) on a grid of z (float64), with the model's decoder. */
function gridLogLikelihood(vae: VAE, x: [number, number], zs: Float32Array): Float64Array {
  const logits = nn.noGrad(() => vae.decodeLogits(nn.fromArray(zs, [zs.length, 1]))).toArray();
  return Float64Array.from(zs, (_, i) => logBernoulli(logits[2 * i]!, x[0]) + logBernoulli(logits[2 * i + 1]!, x[1]));
}

describe('VAE against exact integrals (1-D latent, 2 pixels)', () => {
  const x: [number, number] = [1, 0];
  const lo = -12, hi = 12, steps = 24001, dz = (hi - lo) / (steps - 1);
  const zs = Float32Array.from({ length: steps }, (_, i) => lo + i * dz);

  it('the single-sample ELBO averages to E_q[log p(x|z)] - KL, and KL matches its closed form', () => {
    const vae = tinyVae(1);
    vae.eval();
    const xt = nn.fromArray(x, [1, 2]);
    const { mu, logvar } = nn.noGrad(() => vae.encode(xt));
    const m = mu.item(), lv = logvar.item(), s = Math.exp(lv / 2);
    const ll = gridLogLikelihood(vae, x, zs);
    let expected = 0;
    zs.forEach((z, i) => (expected += Math.exp(-0.5 * ((z - m) / s) ** 2 - 0.5 * LOG_2PI) / s * ll[i]! * dz));
    const kl = 0.5 * (m * m + Math.exp(lv) - 1 - lv);
    expect(nn.noGrad(() => nn.klDivGaussian(mu, logvar, 'none')).item()).toBeCloseTo(kl, 5);
    const reps = 20000;
    const batch = nn.fromArray(new Float32Array(reps * 2).map((_, i) => x[i % 2]!), [reps, 2]);
    const elbo = nn.noGrad(() => vae.elbo(batch, undefined, new nn.Generator(7))).toArray();
    const mean = elbo.reduce((a, b) => a + b, 0) / reps;
    const sd = Math.sqrt(elbo.reduce((a, b) => a + (b - mean) ** 2, 0) / (reps - 1));
    console.log(`ELBO: exact ${(expected - kl).toFixed(4)}, mean of ${reps} single-sample estimates ${mean.toFixed(4)} ± ${(sd / Math.sqrt(reps)).toFixed(4)}`);
    expect(Math.abs(mean - (expected - kl))).toBeLessThan(4 * (sd / Math.sqrt(reps)) + 1e-4);
  });

  it('the importance-weighted estimate is the ELBO at K = 1 and rises with K to log p(x)', () => {
    const vae = tinyVae(1);
    const ll = gridLogLikelihood(vae, x, zs);
    const exact = logMeanExp(Float64Array.from(zs, (z, i) => -0.5 * z * z - 0.5 * LOG_2PI + ll[i]!)) + Math.log(steps * dz);
    const { mu, logvar } = nn.noGrad(() => vae.encode(nn.fromArray(x, [1, 2])));
    const m = mu.item(), lv = logvar.item(), s = Math.exp(lv / 2);
    let elbo = -0.5 * (m * m + Math.exp(lv) - 1 - lv);
    zs.forEach((z, i) => (elbo += Math.exp(-0.5 * ((z - m) / s) ** 2 - 0.5 * LOG_2PI) / s * ll[i]! * dz));
    const estimate = (k: number, rows: number) => {
      const v = vae.logLikelihood(nn.fromArray(new Float32Array(2 * rows).map((_, i) => x[i % 2]!), [rows, 2]), { samples: k, generator: new nn.Generator(k) });
      const mean = v.reduce((a, b) => a + b, 0) / rows;
      return { mean, se: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (rows - 1) / rows) };
    };
    const [k1, k10, k1000] = [estimate(1, 20000), estimate(10, 2000), estimate(1000, 200)];
    console.log(`ELBO ${elbo.toFixed(4)}, log p(x) ${exact.toFixed(4)}; importance-weighted K=1 ${k1.mean.toFixed(4)} ± ${k1.se.toFixed(4)}, K=10 ${k10.mean.toFixed(4)}, K=1000 ${k1000.mean.toFixed(4)}`);
    expect(Math.abs(k1.mean - elbo)).toBeLessThan(4 * k1.se);
    expect(k10.mean).toBeGreaterThan(k1.mean + 1);
    expect(k1000.mean).toBeGreaterThan(k10.mean);
    expect(k1000.mean).toBeLessThan(exact + 1e-3);
    expect(exact - k1000.mean).toBeLessThan(0.01);
    expect(exact - elbo).toBeGreaterThan(1); // the bound is far from tight for this model: the test has something to show
  });
});

describe('VAE, autoencoders: shapes, labels, modes', () => {
  it('checks labels: a conditional VAE needs them, an unconditional one refuses them', () => {
    const cvae = new VAE({ inputSize: 6, hiddenSize: 5, latentDim: 2, numClasses: 3, generator: new nn.Generator(0) });
    const x = nn.rand([4, 6]);
    expect(() => cvae.loss(x)).toThrow(/conditional on 3 classes/);
    expect(() => cvae.loss(x, [0, 1, 2, 3])).toThrow(/label 3 is 3, expected an integer in 0..2/);
    expect(() => cvae.loss(x, [0, 1])).toThrow(/2 labels for 4 rows/);
    expect(cvae.sample(5, { labels: 2 }).shape).toEqual([5, 6]);
    expect(cvae.reconstruct(x, [0, 1, 2, 0]).shape).toEqual([4, 6]);
    expect(cvae.fc1.inFeatures).toBe(6 + 3);
    expect(cvae.fc3.inFeatures).toBe(2 + 3);
    const vae = new VAE({ inputSize: 6, hiddenSize: 5, latentDim: 2 });
    expect(() => vae.sample(2, { labels: 1 })).toThrow(/unconditional/);
    expect(() => new VAE({ latentDim: 0 })).toThrow(/latentDim/);
    expect(() => new VAE({ kind: 'dense' as 'mlp' })).toThrow(/kind must be .mlp. or .conv./);
    expect(() => new VAE({ latentDims: 2 } as never)).toThrow(/latentDims.*latentDim/);
  });

  it("follows PyTorch's examples/vae names and shapes", () => {
    const vae = new VAE();
    expect([...vae.stateDict()].map(([k, t]) => `${k}:${t.shape.join('x')}`)).toEqual([
      'fc1.weight:400x784', 'fc1.bias:400', 'fc3.weight:400x20', 'fc3.bias:400', 'fc4.weight:784x400', 'fc4.bias:784',
      'fc21.weight:20x400', 'fc21.bias:20', 'fc22.weight:20x400', 'fc22.bias:20',
    ]);
  });

  it('a denoising autoencoder corrupts only while training, at the rate asked', () => {
    const g = new nn.Generator(3);
    const dae = new DenoisingAutoencoder({ inputSize: 1000, hiddenSize: 4, latentDim: 2, noiseLevel: 0.25, generator: g });
    const x = nn.full([2, 1000], 1);
    const kept = (dae as unknown as { corrupt(x: nn.Tensor): nn.Tensor }).corrupt(x).toArray();
    const rate = 1 - kept.reduce((a, b) => a + b, 0) / 2000;
    expect(Math.abs(rate - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / 2000));
    dae.eval();
    expect((dae as unknown as { corrupt(x: nn.Tensor): nn.Tensor }).corrupt(x)).toBe(x);
    const ae = new Autoencoder({ inputSize: 6, hiddenSize: 5, latentDim: 3 });
    expect(ae.encode(nn.rand([2, 6])).shape).toEqual([2, 3]);
    expect(ae.reconstruct(nn.rand([2, 6])).shape).toEqual([2, 6]);
  });
});
