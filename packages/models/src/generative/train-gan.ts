/**
 * GAN training (Goodfellow et al. 2014, with the non-saturating generator loss): for each batch of real
 * images x (mapped from [0, 1] to [-1, 1]) and codes z ~ N(0, I), one discriminator step on
 * BCE(D(x), 1) + BCE(D(G(z)), 0) with G(z) detached, then one generator step on BCE(D(G(z)), 1): the
 * order of PyTorch's DCGAN example (the same G(z), the discriminator just updated). Each network has
 * its own Adam (default lr 2e-4, betas (0.5, 0.999), Radford et al.). A progress bar shows both losses;
 * after every epoch `onEpoch` receives the losses and a grid of samples from a fixed set of codes
 * (labels cycling through the classes for a conditional GAN), so the grids of successive epochs are
 * comparable. For an AC-GAN (conditioning 'auxiliary') both losses add the cross-entropy of the
 * discriminator's class logits against the labels (Odena et al. 2017): the discriminator's on the real
 * images, the generator's on its images and their intended labels. Unlike the paper, the discriminator
 * does not also learn the classes of the generated images: its classifier stays a classifier of real
 * digits, and the generator must draw digits that it recognises (with the paper's loss the conditional
 * DCGAN's samples were recognised less often by a separate LeNet-5: 68.1% after 4 epochs on MNIST).
 * Everything random comes from one seeded generator: a seeded run is bit-reproducible.
 */
import * as nn from '@deepwasm/nn';
import { GanModel } from './gan-model.js';
import { cycleLabels } from './labels.js';

export interface GanEpoch {
  epoch: number;
  /** Mean discriminator and generator losses over the epoch's batches. */
  dLoss: number;
  gLoss: number;
  /** Mean of sigmoid(D(x)) on real and on generated images (before the discriminator's step). */
  dReal: number;
  dFake: number;
  seconds: number;
  /** The grid: `gridSize` images from the fixed codes, pixel values in [0, 1], and their labels. */
  samples: Float32Array;
  sampleLabels: Int32Array;
}

export interface GanTrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  betas?: [number, number];
  /** Seed of the run (shuffling, codes, the sample grid); default 0. Ignored when `generator` is given. */
  seed?: number;
  generator?: nn.Generator;
  /** Transforms each real batch (in [0, 1], before the mapping to [-1, 1]), e.g. random shifts. */
  augment?: (x: nn.Tensor, generator: nn.Generator) => nn.Tensor;
  /** Images in the grid given to onEpoch (default 100). */
  gridSize?: number;
  /** The discriminator's target for real images (default 1); 0.9 is one-sided label smoothing (Salimans et al. 2016). */
  realTarget?: number;
  /** Weight of an AC-GAN's class cross-entropy in both losses (default 1). */
  classWeight?: number;
  /**
   * A moving average of the model's weights (an nn.AveragedModel of it, e.g. with decay 0.999), folded
   * after every generator step; the grids given to onEpoch are then drawn from its generator. Sample
   * from `ema.module` after training.
   */
  ema?: nn.AveragedModel<GanModel>;
  /** Show a progress bar (default true), or a writer for it. */
  progress?: boolean | nn.ProgressWriter;
  onEpoch?: (e: GanEpoch) => void | Promise<void>;
}
const TRAIN_OPTIONS = nn.check.optionKeys<GanTrainOptions>({
  epochs: true, batchSize: true, lr: true, betas: true, seed: true, generator: true, augment: true, gridSize: true, realTarget: true, classWeight: true, ema: true, progress: true, onEpoch: true,
});

export interface GanHistory {
  dLoss: number[];
  gLoss: number[];
}

/** Trains `model` on `data` (images in [0, 1]; labels too when the GAN is conditional). */
export async function trainGan(model: GanModel, data: nn.Dataset, opts: GanTrainOptions = {}): Promise<GanHistory> {
  const where = 'trainGan';
  nn.check.checkOptions(where, opts, TRAIN_OPTIONS);
  const epochs = opts.epochs === undefined ? 1 : nn.check.int(where, 'epochs', opts.epochs, 0);
  const batchSize = opts.batchSize === undefined ? 64 : nn.check.int(where, 'batchSize', opts.batchSize);
  const lr = opts.lr === undefined ? 2e-4 : nn.check.num(where, 'lr', opts.lr, 0);
  const betas = opts.betas ?? [0.5, 0.999];
  const gridSize = opts.gridSize === undefined ? 100 : nn.check.int(where, 'gridSize', opts.gridSize);
  const realTarget = opts.realTarget === undefined ? 1 : nn.check.num(where, 'realTarget', opts.realTarget, 0, 1);
  const classWeight = opts.classWeight === undefined ? 1 : nn.check.num(where, 'classWeight', opts.classWeight, 0);
  const ema = opts.ema;
  if (ema !== undefined && !(ema instanceof nn.AveragedModel && ema.module instanceof GanModel)) throw new Error(`${where}: ema must be an nn.AveragedModel of the GAN`);
  if (opts.generator !== undefined) nn.check.checkGenerator(where, opts.generator);
  const g = opts.generator ?? new nn.Generator(opts.seed === undefined ? 0 : nn.check.num(where, 'seed', opts.seed));
  const per = model.imageShape.reduce((a, b) => a * b, 1);
  const n = data.count;
  if (n === 0) throw new Error(`${where}: the training data is empty`);
  if (data.x.length !== n * per) throw new Error(`${where}: ${model.where} makes images of ${per} values, the data has ${data.x.length / n} per sample`);
  const labels = model.numClasses ? model.labelsOf('trainGan (data labels)', data.y as ArrayLike<number>, n) : null;

  const optD = new nn.Adam(model.netD.parameters(), { lr, betas });
  const optG = new nn.Adam(model.netG.parameters(), { lr, betas });
  const fixedZ = nn.normalAround(nn.zeros([gridSize, model.latentDim]), 1, { generator: g }).keep();
  const fixedLabels = model.numClasses ? cycleLabels(gridSize, model.numClasses) : new Int32Array(0);
  const x = nn.fromArray(data.x, [n, ...model.imageShape]).keep();
  const batches = Math.ceil(n / batchSize);
  const history: GanHistory = { dLoss: [], gLoss: [] };
  const writer = typeof opts.progress === 'object' ? opts.progress : opts.progress === false ? null : undefined;
  const realTargets = (m: number) => nn.full([m, 1], realTarget);
  const ones = (m: number) => nn.full([m, 1], 1);
  const classLoss = (logits: nn.Tensor, ls: Int32Array) => (classWeight === 1 ? nn.crossEntropy(logits, ls) : nn.affine(nn.crossEntropy(logits, ls), classWeight));
  const zeros = (m: number) => nn.full([m, 1], 0);
  try {
    model.train();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const bar = writer === null ? null : new nn.ProgressBar(batches, `${model.where} epoch ${epoch + 1}/${epochs}`, writer);
      const order = g.permutation(n);
      const t0 = performance.now();
      let dSum = 0, gSum = 0, realSum = 0, fakeSum = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const m = idx.length;
        const ls = labels ? Int32Array.from(idx, (i) => labels[i]!) : undefined;
        const r = nn.tidy(() => {
          let real = nn.gather(x, idx);
          if (opts.augment) real = opts.augment(real, g);
          real = nn.affine(real, 2, -1);
          const z = nn.normalAround(nn.zeros([m, model.latentDim]), 1, { generator: g });
          optD.zeroGrad();
          const fake = model.generate(z, ls);
          const jReal = model.judge(real, ls), jFake = model.judge(nn.detach(fake), ls);
          const outReal = jReal.logit, outFake = jFake.logit;
          let dLoss = nn.add(nn.binaryCrossEntropyWithLogits(outReal, realTargets(m)), nn.binaryCrossEntropyWithLogits(outFake, zeros(m)));
          // AC-GAN: the discriminator also learns the class of the real images (not of the generated ones, see above).
          if (jReal.classLogits) dLoss = nn.add(dLoss, classLoss(jReal.classLogits, ls!));
          dLoss.backward();
          nn.noGrad(() => optD.step());
          optG.zeroGrad();
          const jGen = model.judge(fake, ls);
          let gLoss = nn.binaryCrossEntropyWithLogits(jGen.logit, ones(m));
          if (jGen.classLogits) gLoss = nn.add(gLoss, classLoss(jGen.classLogits, ls!));
          gLoss.backward();
          nn.noGrad(() => optG.step());
          ema?.updateParameters(model);
          return { d: dLoss.item(), g: gLoss.item(), real: nn.mean(nn.sigmoid(outReal)).item(), fake: nn.mean(nn.sigmoid(outFake)).item() };
        });
        if (!Number.isFinite(r.d) || !Number.isFinite(r.g)) throw new Error(`${where}: the losses became ${r.d} (discriminator) and ${r.g} (generator) at epoch ${epoch + 1}, batch ${b + 1}`);
        dSum += r.d, gSum += r.g, realSum += r.real, fakeSum += r.fake;
        // Short enough for 80 columns beside "DCGAN epoch 10/10" and "938/938 eta 1m05s": D's mean
        // probability on real images, D(x), and on generated ones, D(G(z)), as "real" and "fake".
        bar?.update(b + 1, `D ${(dSum / (b + 1)).toFixed(3)} G ${(gSum / (b + 1)).toFixed(3)} real ${(realSum / (b + 1)).toFixed(2)} fake ${(fakeSum / (b + 1)).toFixed(2)}`);
      }
      const seconds = (performance.now() - t0) / 1000;
      const e = { epoch, dLoss: dSum / batches, gLoss: gSum / batches, dReal: realSum / batches, dFake: fakeSum / batches, seconds };
      bar?.finish(`D ${e.dLoss.toFixed(4)} G ${e.gLoss.toFixed(4)} ${seconds.toFixed(1)} s`);
      history.dLoss.push(e.dLoss);
      history.gLoss.push(e.gLoss);
      if (opts.onEpoch) {
        const samples = gridOf(ema ? ema.module : model, fixedZ, fixedLabels);
        await opts.onEpoch({ ...e, samples, sampleLabels: fixedLabels });
      }
    }
  } finally {
    x.dispose();
    fixedZ.dispose();
    optD.dispose();
    optG.dispose();
  }
  return history;
}

/** Images from the fixed codes in eval mode, mapped to [0, 1]. */
function gridOf(model: GanModel, z: nn.Tensor, labels: Int32Array): Float32Array {
  const was = model.training;
  model.eval();
  try {
    return nn.noGrad(() => nn.tidy(() => nn.affine(model.generate(z, model.numClasses ? labels : undefined), 0.5, 0.5).toArray()));
  } finally {
    model.train(was);
  }
}
