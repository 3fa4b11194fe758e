/**
 * GANs on the MNIST split (demo --task gan [--model dcgan|mlp] [--epochs N]): a conditional DCGAN
 * (the DCGAN with one-hot labels joined to z, and a discriminator that also predicts the class,
 * AC-GAN; Adam 2e-4, betas (0.5, 0.999), batch 64) or a conditional MLP GAN, trained with trainGan: a
 * progress bar with both losses, and a grid of samples from the same codes after every epoch
 * (out/gan-epoch-NN.png, one column per class). At the end, 1,000 samples (100 per class) are
 * classified by the main job's LeNet-5 when out/lenet5.safetensors exists.
 */
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { DCGAN, GAN, trainGan, type GanModel } from '@deepwasm/models';
import { gridPng } from '../images/png-grid.js';
import { writeOut, type TaskOptions } from './common.js';
import { images, lenetAgreement } from './vae.js';

export interface GanTaskOptions extends TaskOptions {
  model?: 'dcgan' | 'mlp';
  epochs?: number;
  train?: number;
}

export interface GanTaskResult {
  dLoss: number[];
  gLoss: number[];
  recognised: number | null;
  secondsPerEpoch: number;
}

export async function runGanTask(opts: GanTaskOptions = {}): Promise<GanTaskResult> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0, which = opts.model ?? 'dcgan';
  if (which !== 'dcgan' && which !== 'mlp') throw new Error(`--task gan: --model must be dcgan or mlp, got "${String(which)}"`);
  const epochs = opts.epochs ?? opts.steps ?? (which === 'dcgan' ? 10 : 30);
  const { train } = mnistSplit({ train: opts.train ?? 8000, test: 0, seed, sampleShape: which === 'dcgan' ? [1, 28, 28] : [784] });
  const g = new nn.Generator(seed);
  const model: GanModel = which === 'dcgan' ? new DCGAN({ numClasses: 10, generator: g }) : new GAN({ numClasses: 10, generator: g });
  log(
    `conditional ${which === 'dcgan' ? 'DCGAN' : 'MLP GAN (784-512-256-(1+10) / (64+10)-256-512-784)'} with an auxiliary classifier (AC-GAN): ${model.netG.numParameters().toLocaleString('en-US')} generator and ` +
      `${model.netD.numParameters().toLocaleString('en-US')} discriminator parameters; ${epochs} epochs of ${Math.ceil(train.count / 64)} batches of 64, ` +
      'Adam 2e-4, betas (0.5, 0.999), non-saturating loss plus the class cross-entropy',
  );
  let seconds = 0;
  const h = await trainGan(model, train, {
    epochs, seed, progress: opts.progress ?? true,
    onEpoch: async (e) => {
      seconds += e.seconds;
      log(`epoch ${e.epoch + 1}: D loss ${e.dLoss.toFixed(3)}, G loss ${e.gLoss.toFixed(3)}, D(x) ${e.dReal.toFixed(2)}, D(G(z)) ${e.dFake.toFixed(2)}, ${e.seconds.toFixed(1)} s`);
      await writeOut(opts.out, `gan-epoch-${String(e.epoch + 1).padStart(2, '0')}.png`, gridPng(images(e.samples), { captions: Array.from(e.sampleLabels, String) }));
    },
  });
  const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
  const samples = model.sample(1000, { labels, generator: new nn.Generator(seed + 1) }).toArray();
  const recognised = await lenetAgreement(opts.out, samples, labels);
  if (recognised === null) log('(run the main job first: out/lenet5.safetensors then classifies the samples)');
  else log(`LeNet-5 of the main job classifies ${(recognised * 100).toFixed(1)}% of 1,000 samples (100 per class) as their intended class`);
  const file = await writeOut(opts.out, 'gan-samples.png', gridPng(images(samples.subarray(0, 100 * 784)), { captions: Array.from(labels.subarray(0, 100), String) }));
  if (file) log(`wrote ${file} and the per-epoch grids gan-epoch-NN.png`);
  if (opts.out) await nn.saveModel(model, join(opts.out, which === 'dcgan' ? 'dcgan' : 'gan'));
  return { dLoss: h.dLoss, gLoss: h.gLoss, recognised, secondsPerEpoch: seconds / Math.max(1, epochs) };
}
