/**
 * Variational autoencoders on the MNIST split (demo --task vae [--model mlp|conv] [--epochs 10]): the
 * VAE of PyTorch's examples (784-400-20, Adam 1e-3, batch 128) with the test negative ELBO per epoch and
 * an importance-weighted estimate of the test log-likelihood (K = 100); the same network with a 2-D
 * latent space, drawn as the map of the test digits' codes and as the digits it decodes over a grid of
 * codes; and a conditional VAE (2-D latent, twice the epochs) whose samples of each class are classified by the main job's LeNet-5
 * when out/lenet5.safetensors exists. Pictures in out/: vae-samples.png, vae-reconstructions.png,
 * vae-latent-map.svg, vae-latent-grid.png, cvae-samples.png.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { VAE, trainVae, type CodecKind } from '@deepwasm/models';
import { gridPng } from '../images/png-grid.js';
import { scatterSvg } from '../scatter.js';
import { writeOut, type TaskOptions } from './common.js';

export interface VaeTaskOptions extends TaskOptions {
  model?: CodecKind;
  epochs?: number;
  train?: number;
  test?: number;
  /** Importance samples of the log-likelihood estimate (default 100; 0 skips it). */
  importanceSamples?: number;
}

export interface VaeTaskResult {
  testNegativeElbo: number;
  testLogLikelihood: number | null;
  latent2NegativeElbo: number;
  conditionalRecognised: number | null;
}

/** The main job's LeNet-5 (out/lenet5.safetensors) as a function giving the fraction of `images` [n, 784] in [0, 1] it classifies as `labels`; null without the file. */
export async function lenetJudge(out: string | undefined): Promise<{ agreement(images: Float32Array, labels: ArrayLike<number>): number; dispose(): void } | null> {
  const base = join(out ?? 'out', 'lenet5');
  if (!existsSync(`${base}.safetensors`)) return null;
  const lenet = await nn.loadModel(base);
  return {
    agreement(images, labels) {
      const pred = nn.argmax(nn.predict(lenet, nn.fromArray(images, [labels.length, 1, 28, 28])), 1);
      let right = 0;
      for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) right++;
      return right / labels.length;
    },
    dispose: () => lenet.dispose(),
  };
}

/** The fraction of `images` [n, 784] in [0, 1] that out/lenet5 classifies as `labels` (null without the file). */
export async function lenetAgreement(out: string | undefined, images: Float32Array, labels: ArrayLike<number>): Promise<number | null> {
  const judge = await lenetJudge(out);
  if (!judge) return null;
  try {
    return judge.agreement(images, labels);
  } finally {
    judge.dispose();
  }
}

export async function runVaeTask(opts: VaeTaskOptions = {}): Promise<VaeTaskResult> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0, kind = opts.model ?? 'mlp', epochs = opts.epochs ?? opts.steps ?? 10;
  const K = opts.importanceSamples ?? 100;
  const { train, test } = mnistSplit({ train: opts.train ?? 8000, test: opts.test ?? 2000, seed });
  const progress = opts.progress ?? true;
  const fit = async (model: VAE, label: string, n = epochs) => {
    log(`${label}: ${model.numParameters().toLocaleString('en-US')} parameters, ${n} epochs (Adam 1e-3, batch 128)`);
    const h = await trainVae(model, train, { epochs: n, seed, test, progress });
    const last = h[h.length - 1]!;
    log(`${label}: test negative ELBO ${h.map((e) => e.testLoss!.toFixed(1)).join(' → ')} nats (${(h.reduce((a, e) => a + e.seconds, 0) / h.length).toFixed(2)} s per epoch)`);
    return last.testLoss!;
  };

  const vae = new VAE({ kind, generator: new nn.Generator(seed) });
  const nelbo = await fit(vae, `VAE ${kind === 'mlp' ? '784-400-20' : 'conv, latent 20'}`);
  const testX = nn.fromArray(test.x, [test.count, 784]).keep();
  let ll: number | null = null;
  if (K > 0) {
    const t0 = Date.now();
    const v = vae.logLikelihood(testX, { samples: K, generator: new nn.Generator(seed + 1) });
    ll = v.reduce((a, b) => a + b, 0) / v.length;
    log(`importance-weighted estimate of the test log-likelihood (K = ${K}): ${ll.toFixed(1)} nats (${((Date.now() - t0) / 1000).toFixed(1)} s), against the ELBO ${(-nelbo).toFixed(1)}`);
  }
  const samples = vae.sample(100, { generator: new nn.Generator(seed + 2) }).toArray();
  const recon = vae.reconstruct(nn.narrow(testX, 0, 0, 50)).toArray();
  const pairs: Float32Array[] = [];
  for (let i = 0; i < 50; i++) pairs.push(test.x.subarray(i * 784, (i + 1) * 784), recon.subarray(i * 784, (i + 1) * 784));

  const vae2 = new VAE({ kind, latentDim: 2, generator: new nn.Generator(seed) });
  const nelbo2 = await fit(vae2, 'VAE with a 2-D latent space');
  const codes = nn.noGrad(() => vae2.encode(testX).mu).toArray();
  const side = 20;
  const grid = new Float32Array(side * side * 2);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      grid[(r * side + c) * 2] = normalQuantile((c + 0.5) / side);
      grid[(r * side + c) * 2 + 1] = normalQuantile(1 - (r + 0.5) / side);
    }
  }
  const decoded = nn.noGrad(() => vae2.decode(nn.fromArray(grid, [side * side, 2]))).toArray();

  // A 2-D code: with a larger one the encoder carries the class itself and the decoder learns to
  // follow the label slowly (20 dimensions: 28% of samples recognised after 10 epochs, 2: 89%).
  const cvae = new VAE({ kind, numClasses: 10, latentDim: 2, generator: new nn.Generator(seed) });
  await fit(cvae, 'conditional VAE, 2-D latent (one-hot labels into the encoder and the decoder)', 2 * epochs);
  const labels = Int32Array.from({ length: 100 }, (_, i) => i % 10);
  const cs = cvae.sample(100, { labels, generator: new nn.Generator(seed + 3) }).toArray();
  const recognised = await lenetAgreement(opts.out, cs, labels);
  if (recognised === null) log(`(run the main job first: out/lenet5.safetensors then classifies the conditional samples)`);
  else log(`LeNet-5 of the main job classifies ${(recognised * 100).toFixed(0)}% of 100 conditional samples (10 per class) as their intended class`);

  const files = await Promise.all([
    writeOut(opts.out, 'vae-samples.png', gridPng(images(samples))),
    writeOut(opts.out, 'vae-reconstructions.png', gridPng(pairs)),
    writeOut(opts.out, 'vae-latent-map.svg', await scatterSvg(codes, test.y, Array.from({ length: 10 }, (_, i) => String(i)), 'VAE with a 2-D latent space: the means of q(z | x) of the test digits', `${test.count} test digits, negative ELBO ${nelbo2.toFixed(1)} nats`)),
    writeOut(opts.out, 'vae-latent-grid.png', gridPng(images(decoded), { columns: side, scale: 1 })),
    writeOut(opts.out, 'cvae-samples.png', gridPng(images(cs), { captions: Array.from(labels, String) })),
  ]);
  const written = files.filter((f): f is string => f !== null);
  if (written.length > 0) log(`wrote ${written.join(', ')}`);
  if (opts.out) await nn.saveModel(vae, join(opts.out, 'vae'));
  testX.dispose();
  return { testNegativeElbo: nelbo, testLogLikelihood: ll, latent2NegativeElbo: nelbo2, conditionalRecognised: recognised };
}

/** The 784-pixel images held one after another in `x`. */
export function images(x: Float32Array, per = 784): Float32Array[] {
  return Array.from({ length: x.length / per }, (_, i) => x.subarray(i * per, (i + 1) * per));
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q = Math.min(p, 1 - p);
  let x: number;
  if (q < 0.02425) {
    const t = Math.sqrt(-2 * Math.log(q));
    x = (((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
    return p < 0.5 ? x : -x;
  }
  const t = p - 0.5, r = t * t;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * t) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
