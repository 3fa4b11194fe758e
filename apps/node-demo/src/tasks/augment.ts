/**
 * Small-sample augmentation (demo --task augment [--seeds 5]): can samples of a deep generative model
 * help a classifier that has only 100 labelled digits (10 per class)? A LeNet-5 is trained on them and
 * tested on the 2,000 test digits in three arms at the same budget (the same number of Adam steps on
 * batches of the same size): the real digits alone; with random shifts of up to 2 pixels; and with
 * class-conditional samples added. The generative arm's recipe: a conditional VAE trained on the same
 * 100 digits (with shifts), a pool of its decoded samples per class, kept only when the shift arm's
 * classifier gives the intended class at least `confidence`, then batches that mix real and generated
 * digits (a `mix` fraction generated), all shifted. Every seed draws its own 100 digits; the result is
 * each arm's mean and standard deviation over seeds, whatever it is.
 */
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { VAE, lenet5, trainVae } from '@deepwasm/models';
import { gridPng } from '../images/png-grid.js';
import { bar, writeOut, type TaskOptions } from './common.js';
import { images } from './vae.js';

export interface AugmentTaskOptions extends TaskOptions {
  /** Seeds (default 5): each draws its own 100 digits and initialisations. */
  seeds?: number;
  /** Labelled digits per class (default 10). */
  perClass?: number;
  /** Adam steps of each classifier (default 600, batch 64). */
  classifierSteps?: number;
  /** Epochs of the conditional VAE over the labelled digits (one batch each, default 1,000). */
  generatorEpochs?: number;
  /** Latent size and hidden width of the conditional VAE (defaults 4 and 400): a small code leaves the class to the label. */
  latentDim?: number;
  hiddenSize?: number;
  /**
   * Where the codes come from: 'prior' (z ~ N(0, I), new digits of the class) or 'posterior' (z ~ q(z | x)
   * of a randomly shifted labelled digit: variations of the real digits). Default 'prior'.
   */
  codes?: 'prior' | 'posterior';
  /** Generated digits drawn per class before filtering (default 200). */
  pool?: number;
  /** Fraction of each batch that is generated (default 0.25). */
  mix?: number;
  /** Least probability of the intended class, by the shift arm's classifier, for a sample to be kept (default 0.95). */
  confidence?: number;
  test?: number;
}

export type Arm = 'alone' | 'shifts' | 'generated';
export interface AugmentTaskResult {
  /** Test accuracy per arm, one per seed. */
  accuracy: Record<Arm, number[]>;
  mean: Record<Arm, number>;
  sd: Record<Arm, number>;
  /** Generated samples kept after filtering, per seed. */
  kept: number[];
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0 };
};
const shift = (x: nn.Tensor, g: nn.Generator) => nn.randomTranslate(nn.reshape(x, [x.shape[0]!, 1, 28, 28]), 2, g);

/** `perClass` digits of each class, the first ones of the seed's shuffled split. */
function labelled(train: nn.Dataset, perClass: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(10 * perClass * 784), y = new Int32Array(10 * perClass);
  const count = new Array<number>(10).fill(0);
  let k = 0;
  for (let i = 0; i < train.count && k < 10 * perClass; i++) {
    const c = train.y[i]!;
    if (count[c]! >= perClass) continue;
    count[c]!++;
    x.set(train.x.subarray(i * 784, (i + 1) * 784), k * 784);
    y[k++] = c;
  }
  return { x, y };
}

/**
 * A LeNet-5 after `steps` Adam steps (lr 1e-3) on batches of 64: drawn from the real digits, or a
 * `mix` fraction from the generated ones; shifted when asked.
 */
function trainClassifier(
  real: { x: Float32Array; y: Int32Array }, gen: { x: Float32Array; y: Int32Array } | null, o: { steps: number; shifts: boolean; mix: number; g: nn.Generator },
): nn.Module {
  const model = lenet5();
  const opt = new nn.Adam(model.parameters(), { lr: 1e-3 });
  const xr = nn.fromArray(real.x, [real.y.length, 784]).keep();
  const xg = gen && gen.y.length > 0 ? nn.fromArray(gen.x, [gen.y.length, 784]).keep() : null;
  const B = 64, nGen = xg ? Math.round(B * o.mix) : 0;
  for (let s = 0; s < o.steps; s++) {
    nn.tidy(() => {
      const ir = Int32Array.from({ length: B - nGen }, () => o.g.int(real.y.length));
      const ig = Int32Array.from({ length: nGen }, () => o.g.int(gen!.y.length));
      let x = xg ? nn.concat([nn.gather(xr, ir), nn.gather(xg, ig)], 0) : nn.gather(xr, ir);
      const y = [...Array.from(ir, (i) => real.y[i]!), ...Array.from(ig, (i) => gen!.y[i]!)];
      x = o.shifts ? shift(x, o.g) : nn.reshape(x, [B, 1, 28, 28]);
      opt.zeroGrad();
      nn.crossEntropy(model.forward(x), y).backward();
      nn.noGrad(() => opt.step());
    });
  }
  xr.dispose();
  xg?.dispose();
  opt.dispose();
  return model;
}

function accuracy(model: nn.Module, test: nn.Dataset): number {
  return nn.evaluate(model, { ...test, sampleShape: [1, 28, 28] }).accuracy!;
}

export async function runAugmentTask(opts: AugmentTaskOptions = {}): Promise<AugmentTaskResult> {
  const log = opts.log ?? console.log;
  const seeds = opts.seeds ?? 5, perClass = opts.perClass ?? 10, steps = opts.classifierSteps ?? 600;
  const genEpochs = opts.generatorEpochs ?? 1000, pool = opts.pool ?? 200, mix = opts.mix ?? 0.25, confidence = opts.confidence ?? 0.95;
  const codes = opts.codes ?? 'prior';
  const first = opts.seed ?? 0, latentDim = opts.latentDim ?? 4, hiddenSize = opts.hiddenSize ?? 400;
  log(
    `${10 * perClass} labelled digits (${perClass} per class), LeNet-5, ${steps} Adam steps (lr 1e-3) of batch 64 per arm; generated arm: a conditional VAE ` +
      `(784-${hiddenSize}-${latentDim}) trained ${genEpochs} epochs on the same digits with shifts, ${pool} samples per class kept at confidence >= ${confidence}, ${Math.round(mix * 100)}% of each batch; ${seeds} seeds`,
  );
  const acc: Record<Arm, number[]> = { alone: [], shifts: [], generated: [] };
  const kept: number[] = [];
  const progress = bar(seeds * 4, 'augment', opts.progress ?? true);
  let done = 0;
  let pictures: Float32Array | null = null;
  let pictureLabels = new Int32Array(0);
  for (let s = first; s < first + seeds; s++) {
    const { train, test } = mnistSplit({ train: 8000, test: opts.test ?? 2000, seed: s });
    const real = labelled(train, perClass);
    nn.manualSeed(s);
    const alone = trainClassifier(real, null, { steps, shifts: false, mix, g: new nn.Generator(s) });
    acc.alone.push(accuracy(alone, test));
    progress.update(++done, `seed ${s}: alone ${(acc.alone.at(-1)! * 100).toFixed(1)}%`);
    nn.manualSeed(s);
    const shifted = trainClassifier(real, null, { steps, shifts: true, mix, g: new nn.Generator(s) });
    acc.shifts.push(accuracy(shifted, test));
    progress.update(++done, `seed ${s}: shifts ${(acc.shifts.at(-1)! * 100).toFixed(1)}%`);

    const cvae = new VAE({ numClasses: 10, latentDim, hiddenSize, generator: new nn.Generator(s) });
    await trainVae(cvae, { x: real.x, y: real.y, count: real.y.length, sampleShape: [784] }, { epochs: genEpochs, batchSize: real.y.length, seed: s, augment: shift, progress: false });
    progress.update(++done, `seed ${s}: conditional VAE trained`);
    const sg = new nn.Generator(s + 1000);
    let labels = Int32Array.from({ length: 10 * pool }, (_, i) => i % 10);
    let samples: nn.Tensor;
    if (codes === 'posterior') {
      const from = Int32Array.from({ length: 10 * pool }, (_, i) => i % real.y.length);
      labels = Int32Array.from(from, (i) => real.y[i]!);
      samples = nn.noGrad(() => {
        const x = nn.reshape(shift(nn.gather(nn.fromArray(real.x, [real.y.length, 784]), from), sg), [from.length, 784]);
        const { mu, logvar } = cvae.encode(x, labels);
        return cvae.decode(nn.reparameterize(mu, logvar, { generator: sg }), labels);
      });
    } else {
      samples = cvae.sample(labels.length, { labels, generator: sg });
    }
    const probs = nn.noGrad(() => nn.softmax(nn.predict(shifted, nn.reshape(samples, [labels.length, 1, 28, 28])), 1)).toArray();
    const keep = Array.from(labels.keys()).filter((i) => probs[i * 10 + labels[i]!]! >= confidence);
    const all = samples.toArray();
    const gen = { x: new Float32Array(keep.length * 784), y: Int32Array.from(keep, (i) => labels[i]!) };
    keep.forEach((i, k) => gen.x.set(all.subarray(i * 784, (i + 1) * 784), k * 784));
    kept.push(keep.length);
    if (pictures === null) [pictures, pictureLabels] = [all.slice(0, 100 * 784), labels.slice(0, 100)];
    nn.manualSeed(s);
    const withGen = trainClassifier(real, gen, { steps, shifts: true, mix, g: new nn.Generator(s) });
    acc.generated.push(accuracy(withGen, test));
    progress.update(++done, `seed ${s}: generated ${(acc.generated.at(-1)! * 100).toFixed(1)}% (${keep.length} samples kept)`);
    log(
      `seed ${s}: alone ${(acc.alone.at(-1)! * 100).toFixed(1)}%, shifts ${(acc.shifts.at(-1)! * 100).toFixed(1)}%, ` +
        `+ generated ${(acc.generated.at(-1)! * 100).toFixed(1)}% (${keep.length} of ${labels.length} samples kept)`,
    );
    for (const m of [alone, shifted, withGen, cvae]) m.dispose();
  }
  progress.finish();
  const mean = {} as Record<Arm, number>, sd = {} as Record<Arm, number>;
  for (const arm of ['alone', 'shifts', 'generated'] as const) {
    ({ mean: mean[arm], sd: sd[arm] } = stats(acc[arm]));
    log(`${arm.padEnd(9)} ${(mean[arm] * 100).toFixed(1)} ± ${(sd[arm] * 100).toFixed(1)}% test accuracy over ${seeds} seed${seeds > 1 ? 's' : ''}`);
  }
  if (pictures) {
    const file = await writeOut(opts.out, 'augment-generated.png', gridPng(images(pictures), { captions: Array.from(pictureLabels, String) }));
    if (file) log(`wrote ${file} (the first seed's conditional-VAE samples before filtering, captioned with their class)`);
  }
  return { accuracy: acc, mean, sd, kept };
}
