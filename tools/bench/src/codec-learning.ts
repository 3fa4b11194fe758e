/**
 * Learning figures of the convolutional VAE and autoencoder on the MNIST split (8,000 / 2,000), ours
 * beside the same networks in plain PyTorch (python/codec_learning.py, one thread), same recipe and
 * epochs: Adam 1e-3, batch 128, loss per image the binary cross-entropy summed over the pixels (+ the
 * KL term for the VAE); after each epoch the test loss per image (test negative ELBO for the VAE,
 * reconstruction cross-entropy for the autoencoder). Not a speed benchmark (ours runs at the default
 * kernel build and one thread, under whatever load there is), not used by the tests:
 *
 *   node tools/bench/dist/codec-learning.js [--epochs 10] [--seed 0] [--no-pytorch]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { Autoencoder, VAE, trainVae } from '@deepwasm/models';
import { runPytorch } from './pytorch.js';

interface TorchCodecRun {
  vae: number[];
  ae: number[];
  vae_s: number[];
  ae_s: number[];
}

const argv = process.argv.slice(2);
const arg = (flag: string, d: number) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : d);
const epochs = arg('--epochs', 10), seed = arg('--seed', 0);

await nn.ready({ threads: 1 });
const split = mnistSplit({ train: 8000, test: 2000, seed: 0 });
const curve = (xs: number[]) => xs.map((v) => v.toFixed(1)).join(' ');
const perEpoch = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
for (const [name, make] of [
  ['conv VAE (latent 20), test negative ELBO', () => new VAE({ kind: 'conv', generator: new nn.Generator(seed) })],
  ['conv autoencoder (code 32), test reconstruction BCE', () => new Autoencoder({ kind: 'conv', generator: new nn.Generator(seed) })],
] as const) {
  const model = make();
  const h = await trainVae(model, split.train, { epochs, seed, test: split.test, progress: false });
  console.log(`ours    ${name} per epoch (nats): ${curve(h.map((e) => e.testLoss!))} (${perEpoch(h.map((e) => e.seconds))} s per epoch)`);
  model.dispose();
}
if (!argv.includes('--no-pytorch')) {
  const dir = mkdtempSync(join(tmpdir(), 'deepwasm-codec-'));
  try {
    const file = join(dir, 'mnist-split.f32');
    const all = new Float32Array(10000 * 784);
    all.set(split.train.x);
    all.set(split.test.x, 8000 * 784);
    writeFileSync(file, all);
    const t = runPytorch<TorchCodecRun>('codec_learning.py', [file, '--epochs', String(epochs), '--seed', String(seed)], console.log, 3_600_000);
    if (t) {
      console.log(`PyTorch conv VAE (latent 20), test negative ELBO per epoch (nats): ${curve(t.vae)} (${perEpoch(t.vae_s)} s per epoch)`);
      console.log(`PyTorch conv autoencoder (code 32), test reconstruction BCE per epoch (nats): ${curve(t.ae)} (${perEpoch(t.ae_s)} s per epoch)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
