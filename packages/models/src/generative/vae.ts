/**
 * Variational autoencoder (Kingma and Welling 2014) as PyTorch's examples/vae builds it: fc1 (784 →
 * 400) + ReLU, then fc21 and fc22 (→ 20) give the mean and log-variance of q(z | x); fc3 (20 → 400) +
 * ReLU → fc4 (→ 784) give the logits of Bernoulli pixels p(x | z); the prior is N(0, I). The loss is the
 * negative ELBO per image: binary cross-entropy summed over the pixels plus KL(q(z | x) || p(z)).
 * `kind: 'conv'` puts convolutions before fc1 and transposed convolutions after fc4 (codec.ts).
 *
 * With `numClasses` it is a conditional VAE (Sohn et al. 2015): one-hot labels join the inputs of
 * the encoder and the decoder, and `sample` draws digits of the classes asked for. For evaluation,
 * `logLikelihood` is the importance-weighted estimate of log p(x) (Burda et al. 2016) with K samples
 * from q: a lower bound that tightens towards log p(x) as K grows (K = 1 is the ELBO).
 * Saves and loads as 'VAE'.
 */
import * as nn from '@deepwasm/nn';
import { CodecNet, CODEC_FIELDS, readCodecOptions, type CodecOptions } from './codec.js';
import { readLabels, type ClassLabels } from './labels.js';

export interface VAEOptions extends CodecOptions {
  /** Classes of a conditional VAE (default 0: unconditional). */
  numClasses?: number;
}
const EXTRA = nn.check.optionKeys<Pick<VAEOptions, 'numClasses'>>({ numClasses: true });

export interface ElboTerms {
  /** -log p(x | z) per image for one z ~ q(z | x): binary cross-entropy summed over the pixels [N]. */
  reconstruction: nn.Tensor;
  /** KL(q(z | x) || N(0, I)) per image [N], in closed form. */
  kl: nn.Tensor;
}

export interface SampleOptions {
  /** The classes to draw (one for all, or one per sample); required by a conditional VAE. */
  labels?: ClassLabels;
  generator?: nn.Generator;
}
const SAMPLE_OPTIONS = nn.check.optionKeys<SampleOptions>({ labels: true, generator: true });

export interface LikelihoodOptions {
  /** Importance samples per image (default 100). */
  samples?: number;
  labels?: ClassLabels;
  /** Images per batch of the computation (default 100). */
  batchSize?: number;
  generator?: nn.Generator;
}
const LIKELIHOOD_OPTIONS = nn.check.optionKeys<LikelihoodOptions>({ samples: true, labels: true, batchSize: true, generator: true });

const LOG_2PI = Math.log(2 * Math.PI);

export class VAE extends CodecNet {
  static override readonly typeName = 'VAE';
  readonly fc21: nn.Linear;
  readonly fc22: nn.Linear;
  private readonly generator: nn.Generator;

  constructor(opts: VAEOptions = {}) {
    const config = readCodecOptions('VAE', opts, 20, EXTRA);
    const classes = opts.numClasses === undefined ? 0 : nn.check.int('VAE', 'numClasses', opts.numClasses, 0);
    super('VAE', config, classes, opts.generator);
    const g = { generator: opts.generator };
    this.fc21 = this.registerModule('fc21', new nn.Linear(config.hiddenSize, config.latentDim, g));
    this.fc22 = this.registerModule('fc22', new nn.Linear(config.hiddenSize, config.latentDim, g));
    this.generator = opts.generator ?? nn.defaultGenerator;
  }

  private labelsOf(where: string, labels: ClassLabels | undefined, n: number): Int32Array {
    return readLabels(`VAE.${where}`, labels, n, this.numClasses);
  }

  /** The mean and log-variance of q(z | x), each [N, latentDim]. */
  encode(x: nn.Tensor, labels?: ClassLabels): { mu: nn.Tensor; logvar: nn.Tensor } {
    return this.encodeWith(x, this.labelsOf('encode', labels, x.shape[0] ?? 0));
  }

  private encodeWith(x: nn.Tensor, labels: Int32Array): { mu: nn.Tensor; logvar: nn.Tensor } {
    const h = this.encodeHidden(x, labels);
    return { mu: this.fc21.forward(h), logvar: this.fc22.forward(h) };
  }

  /** Pixel probabilities of p(x | z) for codes z [N, latentDim]. */
  decode(z: nn.Tensor, labels?: ClassLabels): nn.Tensor {
    return nn.sigmoid(this.decodeLogits(z, this.labelsOf('decode', labels, z.shape[0] ?? 0)));
  }

  /** Reconstruction logits from one reparameterised sample of q(z | x) (the mean in eval mode). */
  forward(x: nn.Tensor, labels?: ClassLabels): nn.Tensor {
    const ls = this.labelsOf('forward', labels, x.shape[0] ?? 0);
    const { mu, logvar } = this.encodeWith(x, ls);
    return this.decodeLogits(this.training ? nn.reparameterize(mu, logvar, { generator: this.generator }) : mu, ls);
  }

  /** The two terms of the negative ELBO per image, for one reparameterised z per image. */
  elboTerms(x: nn.Tensor, labels?: ClassLabels, generator: nn.Generator = this.generator): ElboTerms {
    const n = x.shape[0]!;
    const ls = this.labelsOf('elbo', labels, n);
    const { mu, logvar } = this.encodeWith(x, ls);
    const logits = this.decodeLogits(nn.reparameterize(mu, logvar, { generator }), ls);
    const bce = nn.binaryCrossEntropyWithLogits(logits, nn.reshape(x, logits.shape), 'none');
    return { reconstruction: nn.sum(nn.reshape(bce, [n, -1]), 1), kl: nn.klDivGaussian(mu, logvar, 'none') };
  }

  /** The ELBO per image [N] (a single-sample estimate; differentiable). */
  elbo(x: nn.Tensor, labels?: ClassLabels, generator?: nn.Generator): nn.Tensor {
    const t = this.elboTerms(x, labels, generator);
    return nn.neg(nn.add(t.reconstruction, t.kl));
  }

  /** The training loss: the negative ELBO averaged over the batch, in nats per image. */
  loss(x: nn.Tensor, labels?: ClassLabels, generator?: nn.Generator): nn.Tensor {
    const t = this.elboTerms(x, labels, generator);
    return nn.mean(nn.add(t.reconstruction, t.kl));
  }

  /** Pixel probabilities of the decoded mean code of each image (no gradients). */
  reconstruct(x: nn.Tensor, labels?: ClassLabels): nn.Tensor {
    const ls = this.labelsOf('reconstruct', labels, x.shape[0] ?? 0);
    return this.inEval(() => nn.sigmoid(this.decodeLogits(this.encodeWith(x, ls).mu, ls)));
  }

  /** n images decoded from z ~ N(0, I) (pixel probabilities, no gradients). */
  sample(n: number, opts: SampleOptions = {}): nn.Tensor {
    nn.check.checkOptions('VAE.sample', opts, SAMPLE_OPTIONS);
    nn.check.int('VAE.sample', 'n', n);
    const ls = this.labelsOf('sample', opts.labels, n);
    const generator = opts.generator ?? this.generator;
    return this.inEval(() => nn.sigmoid(this.decodeLogits(nn.normalAround(nn.zeros([n, this.options.latentDim]), 1, { generator }), ls)));
  }

  /**
   * Importance-weighted estimate of log p(x) per image, in nats: log (1/K) sum_k p(x | z_k) p(z_k) /
   * q(z_k | x) with z_k ~ q(z | x). Computed in float64 from the per-sample terms (eval mode, no
   * gradients).
   */
  logLikelihood(x: nn.Tensor, opts: LikelihoodOptions = {}): Float64Array {
    nn.check.checkOptions('VAE.logLikelihood', opts, LIKELIHOOD_OPTIONS);
    const K = opts.samples === undefined ? 100 : nn.check.int('VAE.logLikelihood', 'samples', opts.samples);
    const batch = opts.batchSize === undefined ? 100 : nn.check.int('VAE.logLikelihood', 'batchSize', opts.batchSize);
    const generator = opts.generator ?? this.generator;
    const N = x.shape[0]!;
    const all = this.labelsOf('logLikelihood', opts.labels, N);
    const d = this.options.latentDim;
    const out = new Float64Array(N);
    this.inEval(() => {
      for (let s = 0; s < N; s += batch) {
        const m = Math.min(batch, N - s);
        nn.tidy(() => {
          const xb = nn.reshape(nn.narrow(x, 0, s, m), [m, this.options.inputSize]);
          const ls = all.subarray(s, s + m);
          const { mu, logvar } = this.encodeWith(xb, ls);
          const lvA = logvar.toArray();
          const logw = new Float64Array(m * K);
          for (let k = 0; k < K; k++) {
            nn.tidy(() => {
              const eps = nn.normalAround(nn.zeros([m, d]), 1, { generator });
              const z = nn.add(mu, nn.mul(nn.exp(nn.affine(logvar, 0.5)), eps));
              const logits = nn.reshape(this.decodeLogits(z, ls), [m, this.options.inputSize]);
              const bce = nn.sum(nn.binaryCrossEntropyWithLogits(logits, xb, 'none'), 1).toArray();
              const e = eps.toArray(), zA = z.toArray();
              for (let i = 0; i < m; i++) {
                let logPz = 0, logQ = 0;
                for (let j = 0; j < d; j++) {
                  const zz = zA[i * d + j]!, ee = e[i * d + j]!;
                  logPz -= 0.5 * (zz * zz + LOG_2PI);
                  logQ -= 0.5 * (ee * ee + LOG_2PI + lvA[i * d + j]!);
                }
                logw[i * K + k] = -bce[i]! + logPz - logQ;
              }
            });
          }
          for (let i = 0; i < m; i++) out[s + i] = logMeanExp(logw.subarray(i * K, (i + 1) * K));
        });
      }
    });
    return out;
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'VAE', config: { ...this.options, numClasses: this.numClasses } };
  }
}

/** log((1/n) sum exp(v)), stable. */
export function logMeanExp(v: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]!);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i]! - m);
  return m + Math.log(s / v.length);
}

nn.registerModuleType('VAE', (c) => new VAE({ ...c, numClasses: c.numClasses }), { ...CODEC_FIELDS, numClasses: nn.configFields.int({ min: 0, default: 0 }) });
