/**
 * GANs on the MNIST split (demo --task gan [--model dcgan|mlp] [--epochs N]): a conditional DCGAN
 * (the issue's DCGAN with one-hot labels joined to z, and a discriminator that also predicts the class,
 * AC-GAN; Adam 2e-4, betas (0.5, 0.999), batch 64) or a conditional MLP GAN, trained with trainGan: a
 * progress bar with both losses, and a grid of samples from the same codes after every epoch
 * (out/gan-epoch-NN.png, one column per class). The DCGAN's samples come from an exponential moving
 * average of its weights (DCGAN_RECIPE). After every epoch and at the end, 1,000 samples (100 per
 * class, the same codes each time) are classified by the main job's LeNet-5 when
 * out/lenet5.safetensors exists.
 */
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { DCGAN, GAN, trainGan, type GanModel, type GanTrainOptions } from '@deepwasm/models';
import { gridPng } from '../images/png-grid.js';
import { writeOut, type TaskOptions } from './common.js';
import { images, lenetJudge } from './vae.js';

export interface GanTaskOptions extends TaskOptions {
  model?: 'dcgan' | 'mlp';
  epochs?: number;
  train?: number;
}

/** What the demo passes to trainGan beyond its defaults, and the decay of the moving average that draws the samples (null: none). */
export interface GanRecipe {
  realTarget: number;
  classWeight: number;
  emaDecay: number | null;
}
/** The DCGAN's recipe (chosen on seed 0; the README's figures). */
export const DCGAN_RECIPE: GanRecipe = { realTarget: 1, classWeight: 1, emaDecay: 0.99 };
/** The MLP GAN's: trainGan's defaults. */
export const MLP_GAN_RECIPE: GanRecipe = { realTarget: 1, classWeight: 1, emaDecay: null };

export interface GanTaskResult {
  dLoss: number[];
  gLoss: number[];
  /** The fraction of the final 1,000 samples the main job's LeNet-5 classifies as their class (null without it). */
  recognised: number | null;
  /** The same after every epoch (empty without the main job's LeNet-5). */
  recognisedPerEpoch: number[];
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
  const recipe = which === 'dcgan' ? DCGAN_RECIPE : MLP_GAN_RECIPE;
  const ema = recipe.emaDecay === null ? undefined : new nn.AveragedModel(model, { decay: recipe.emaDecay });
  const sampler = ema ? ema.module : model;
  log(
    `conditional ${which === 'dcgan' ? 'DCGAN' : 'MLP GAN (784-512-256-(1+10) / (64+10)-256-512-784)'} with an auxiliary classifier (AC-GAN): ${model.netG.numParameters().toLocaleString('en-US')} generator and ` +
      `${model.netD.numParameters().toLocaleString('en-US')} discriminator parameters; ${epochs} epochs of ${Math.ceil(train.count / 64)} batches of 64, ` +
      `Adam 2e-4, betas (0.5, 0.999), non-saturating loss plus ${recipe.classWeight === 1 ? 'the' : `${recipe.classWeight} x the`} class cross-entropy` +
      (recipe.realTarget === 1 ? '' : `, real target ${recipe.realTarget} (one-sided label smoothing)`) +
      (ema ? `; samples from the moving average of the weights (decay ${recipe.emaDecay})` : ''),
  );
  // 1,000 samples, 100 per class, from the same codes after every epoch and at the end.
  const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
  const draw = () => sampler.sample(1000, { labels, generator: new nn.Generator(seed + 1) }).toArray();
  const judge = await lenetJudge(opts.out);
  const recognisedPerEpoch: number[] = [];
  const options: GanTrainOptions = { epochs, seed, progress: opts.progress ?? true, realTarget: recipe.realTarget, classWeight: recipe.classWeight, ema };
  let seconds = 0;
  try {
    const h = await trainGan(model, train, {
      ...options,
      onEpoch: async (e) => {
        seconds += e.seconds;
        const rate = judge ? judge.agreement(draw(), labels) : null;
        if (rate !== null) recognisedPerEpoch.push(rate);
        log(
          `epoch ${e.epoch + 1}: D loss ${e.dLoss.toFixed(3)}, G loss ${e.gLoss.toFixed(3)}, D(x) ${e.dReal.toFixed(2)}, D(G(z)) ${e.dFake.toFixed(2)}, ${e.seconds.toFixed(1)} s` +
            (rate === null ? '' : `; LeNet-5 recognises ${(rate * 100).toFixed(1)}% of 1,000 samples`),
        );
        await writeOut(opts.out, `gan-epoch-${String(e.epoch + 1).padStart(2, '0')}.png`, gridPng(images(e.samples), { captions: Array.from(e.sampleLabels, String) }));
      },
    });
    const samples = draw();
    const recognised = judge ? judge.agreement(samples, labels) : null;
    if (recognised === null) log('(run the main job first: out/lenet5.safetensors then classifies the samples)');
    else log(`LeNet-5 of the main job classifies ${(recognised * 100).toFixed(1)}% of 1,000 samples (100 per class) as their intended class`);
    const file = await writeOut(opts.out, 'gan-samples.png', gridPng(images(samples.subarray(0, 100 * 784)), { captions: Array.from(labels.subarray(0, 100), String) }));
    if (file) log(`wrote ${file} and the per-epoch grids gan-epoch-NN.png`);
    // With a moving average, the file holds the averaged weights: those that draw the samples.
    if (opts.out) await nn.saveModel(sampler, join(opts.out, which === 'dcgan' ? 'dcgan' : 'gan'));
    return { dLoss: h.dLoss, gLoss: h.gLoss, recognised, recognisedPerEpoch, secondsPerEpoch: seconds / Math.max(1, epochs) };
  } finally {
    judge?.dispose();
    ema?.dispose();
  }
}
