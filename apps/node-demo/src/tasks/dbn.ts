/**
 * Deep belief network on the MNIST split (8,000 / 2,000): greedy layer-wise pretraining of
 * 784-500-500-2000 with the ten label units joined to the top RBM (Hinton, Osindero and Teh 2006),
 * then fine-tuning the unrolled network with backpropagation, against the same network from random
 * initialisation at the same fine-tuning budget. Pictures: first-layer filters, reconstructions and
 * class-conditional samples; when the main job's LeNet-5 is in the output folder, it classifies them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { dbn, type DBN } from '@deepwasm/models';
import { lineChartSvg } from '../plot.js';
import { writeGridPng, type GridOptions } from '../images/png-grid.js';
import { writeOut, type TaskOptions } from './common.js';

export interface DbnTaskOptions extends TaskOptions {
  sizes?: number[];
  /** Pretraining epochs per layer (default 10) and fine-tuning epochs (default `steps` or 40). */
  pretrainEpochs?: number;
  fineTuneEpochs?: number;
  /** Fine-tuning: dropout after each hidden layer (default 0; 0.2 on the pixels when above 0) and the random shift in pixels (default 1). */
  dropout?: number;
  shift?: number;
  /** Fine-tuning learning rate of SGD with momentum 0.9, cosine-annealed to 0 (default 0.3; 0.6 diverges, 0.1 and 0.02 fall short). */
  lr?: number;
  /** Seeds seed .. seed + seeds - 1 are pretrained and fine-tuned; accuracies are their means (default 1). */
  seeds?: number;
  /** Up-down fine-tuning epochs of the first seed's generative model before sampling (default 0). */
  upDownEpochs?: number;
  /** Temperatures of the top RBM when sampling (default [1]); one picture and one LeNet-5 score each. */
  temperatures?: number[];
  /** The LeNet-5 that classifies the samples (default <out>/lenet5, the main job's). */
  lenet?: string;
  train?: number;
  test?: number;
}

export interface DbnTaskResult {
  /** Mean test accuracies over the seeds, and each seed's. */
  pretrained: number;
  random: number;
  perSeed: Array<{ seed: number; pretrained: number; random: number }>;
  /** Share of the class-conditional samples LeNet-5 recognises, per temperature (null without LeNet-5). */
  samplesRecognised: number | null;
  recognisedByTemperature: Record<string, number>;
}

const png = (dir: string | undefined, name: string, images: Float32Array[], o: GridOptions) => (dir ? writeGridPng(join(dir, name), images, o) : null);

export async function runDbnTask(opts: DbnTaskOptions = {}): Promise<DbnTaskResult> {
  const log = opts.log ?? console.log;
  const seed0 = opts.seed ?? 0, sizes = opts.sizes ?? [784, 500, 500, 2000];
  const pre = opts.pretrainEpochs ?? 10, fine = opts.fineTuneEpochs ?? opts.steps ?? 40, seeds = opts.seeds ?? 1;
  const dropout = opts.dropout ?? 0, shift = opts.shift ?? 1, lr = opts.lr ?? 0.3, upDownEpochs = opts.upDownEpochs ?? 0;
  log(
    `DBN ${sizes.join('-')} + 10 label units: ${pre} CD-1 epochs per layer (SGD lr 0.05, momentum 0.5, weight decay 2e-4, batch 64) and ${pre} PCD epochs ` +
      `for the top RBM (lr 0.01 decayed linearly to 0), then ${fine} epochs of backpropagation (SGD lr ${lr}, momentum 0.9, cosine schedule, random ${shift}-pixel shifts` +
      `${dropout > 0 ? `, dropout 0.2 on the pixels and ${dropout} after each hidden layer` : ''}), against random initialisation; ${seeds} seed(s)`,
  );
  const perSeed: DbnTaskResult['perSeed'] = [];
  let first: { model: DBN; train: nn.Dataset; test: nn.Dataset; history: number[][]; curves: number[][] } | null = null;
  for (let seed = seed0; seed < seed0 + seeds; seed++) {
    const { train, test } = mnistSplit({ train: opts.train ?? 8000, test: opts.test ?? 2000, seed: seed0 }); // one split; the seeds vary the models
    const g = new nn.Generator(seed);
    const model = dbn(sizes, { numClasses: 10, generator: g });
    const t0 = Date.now();
    const history = model.pretrain(train, { epochs: pre, topPcdEpochs: pre, topPcdDecay: true, generator: g, progress: opts.progress ?? true });
    log(`seed ${seed} pretraining: ${((Date.now() - t0) / 1000).toFixed(1)} s; reconstruction error per layer (first -> last epoch): ${history.map((h) => `${h[0]!.toFixed(4)} -> ${h[h.length - 1]!.toFixed(4)}`).join(', ')}`);
    const fineTune = async (clf: nn.Sequential, label: string) => {
      const net = dropout > 0 ? withDropout(clf, dropout) : clf;
      const optimizer = new nn.SGD(net.parameters(), { lr, momentum: 0.9 });
      const scheduler = new nn.CosineAnnealingLR(optimizer, fine);
      const augment = shift > 0 ? (x: nn.Tensor, gen: nn.Generator) => nn.reshape(nn.randomTranslate(nn.reshape(x, [x.shape[0]!, 1, 28, 28]), shift, gen), [x.shape[0]!, 784]) : undefined;
      const t1 = Date.now();
      const h = await nn.fit(net, train, { loss: 'crossEntropy', optimizer, scheduler, augment, epochs: fine, batchSize: 64, validationData: test, seed, progress: opts.progress ?? true });
      const acc = nn.evaluate(net, test).accuracy ?? 0;
      log(`seed ${seed} ${label}: test accuracy ${(acc * 100).toFixed(2)}% (training accuracy ${(100 * h.epochs[h.epochs.length - 1]!.accuracy!).toFixed(2)}%${shift > 0 ? ' on shifted digits' : ''}; ${((Date.now() - t1) / 1000).toFixed(1)} s)`);
      return { acc, curve: h.epochs.map((e) => e.valAccuracy ?? 0) };
    };
    const pretrained = await fineTune(model.toClassifier({ generator: new nn.Generator(seed + 1) }), 'pretrained + fine-tuned');
    nn.manualSeed(seed + 1);
    const layers: nn.Module[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) layers.push(new nn.Linear(sizes[i]!, sizes[i + 1]!), new nn.Sigmoid());
    layers.push(new nn.Linear(sizes[sizes.length - 1]!, 10));
    const random = await fineTune(new nn.Sequential(...layers), 'random initialisation, same budget');
    perSeed.push({ seed, pretrained: pretrained.acc, random: random.acc });
    if (first === null) first = { model, train, test, history, curves: [pretrained.curve, random.curve] };
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const result: DbnTaskResult = { pretrained: mean(perSeed.map((r) => r.pretrained)), random: mean(perSeed.map((r) => r.random)), perSeed, samplesRecognised: null, recognisedByTemperature: {} };
  if (seeds > 1) {
    const spread = (xs: number[]) => {
      const m = mean(xs), sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
      return `${(m * 100).toFixed(2)} ± ${(sd * 100).toFixed(2)}% (${(Math.min(...xs) * 100).toFixed(2)}-${(Math.max(...xs) * 100).toFixed(2)})`;
    };
    log(`${seeds} seeds, mean ± standard deviation (range): pretrained ${spread(perSeed.map((r) => r.pretrained))}, random initialisation ${spread(perSeed.map((r) => r.random))}`);
  }
  const { model, test, train, history, curves } = first!;

  // Pictures.
  const rbm0 = model.rbms[0]!;
  const w = rbm0.weight.toArray();
  const filters = Array.from({ length: 50 }, (_, j) => w.subarray(j * 784, (j + 1) * 784));
  const testX = nn.fromArray(test.x.subarray(0, 20 * 784), [20, 784]);
  const recon = nn.noGrad(() => rbm0.visibleProbabilities(rbm0.hiddenProbabilities(testX))).toArray();
  const pairs: Float32Array[] = [], captions: string[] = [];
  for (let i = 0; i < 10; i++) {
    pairs.push(test.x.slice(i * 784, (i + 1) * 784), recon.slice(i * 784, (i + 1) * 784));
    captions.push('digit', 'recon');
  }
  const labels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
  const lenetPath = opts.lenet ?? join(opts.out ?? 'out', 'lenet5');
  const lenet = existsSync(`${lenetPath}.safetensors`) ? await nn.loadModel(lenetPath) : null;
  if (lenet === null) log(`(run the main job first to have ${lenetPath}.safetensors classify the samples)`);
  const sampleFiles: Array<[string, Float32Array[]]> = [];
  /** 100 samples (10 per class) per temperature, each set scored by LeNet-5; `stage` names the model ('' after greedy training alone). */
  const drawSamples = (stage: string) => {
    for (const T of opts.temperatures ?? [1]) {
      const t1 = Date.now();
      const samples = model.sample(100, { label: labels, gibbsSteps: 1000, temperature: T, generator: new nn.Generator(seed0 + 3) }).toArray();
      let line = `100 class-conditional samples at temperature ${T} (1,000 Gibbs steps in the top RBM${stage ? `, ${stage}` : ''}, seed ${seed0 + 3}): ${((Date.now() - t1) / 1000).toFixed(1)} s`;
      if (lenet !== null) {
        const pred = nn.argmax(nn.predict(lenet, nn.fromArray(samples, [100, 1, 28, 28])), 1);
        const recognised = labels.filter((y, i) => pred[i] === y).length / 100;
        result.recognisedByTemperature[`${stage ? `${stage} ` : ''}${T}`] = recognised;
        if (T === (opts.temperatures ?? [1])[0]) result.samplesRecognised = recognised; // the last model's, at the first temperature
        line += `; LeNet-5 recognises ${(recognised * 100).toFixed(0)}% as their intended class`;
      }
      log(line);
      const suffix = `${stage ? '-up-down' : ''}${T === 1 ? '' : `-T${T}`}`;
      sampleFiles.push([`dbn-samples${suffix}.png`, Array.from({ length: 100 }, (_, i) => samples.subarray(i * 784, (i + 1) * 784))]);
    }
  };
  drawSamples('');
  if (upDownEpochs > 0) {
    const t2 = Date.now();
    const binary: nn.Dataset = { ...train, x: Float32Array.from(train.x, (p) => (p > 0.5 ? 1 : 0)) };
    model.upDown(binary, { epochs: upDownEpochs, generator: new nn.Generator(seed0 + 2), progress: opts.progress ?? true });
    log(`${upDownEpochs} up-down epochs: ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    drawSamples('after up-down');
  }
  const files = await Promise.all([
    png(opts.out, 'dbn-filters.png', filters, { captions: filters.map((_, j) => `h${j}`), range: 'each' }),
    png(opts.out, 'dbn-reconstructions.png', pairs, { captions }),
    ...sampleFiles.map(([name, images]) => png(opts.out, name, images, { captions: labels.map(String) })),
    writeOut(opts.out, 'dbn-fine-tuning.svg', await lineChartSvg({
      title: `DBN ${sizes.join('-')}: test accuracy ${(100 * perSeed[0]!.pretrained).toFixed(2)}% pretrained, ${(100 * perSeed[0]!.random).toFixed(2)}% from random init`,
      subtitle: `${pre} CD-1 epochs per layer, then ${fine} epochs of backpropagation for both; seed ${seed0}`,
      xTitle: 'epoch',
      panels: [
        { title: 'test accuracy while fine-tuning', percent: true, series: [{ name: 'pretrained', values: curves[0]! }, { name: 'random init', values: curves[1]! }] },
        { title: 'reconstruction error while pretraining', series: history.map((h, i) => ({ name: `RBM ${i + 1}`, values: h })) },
      ],
    })),
  ]);
  const written = files.filter((f): f is string => f !== null);
  if (written.length > 0) log(`wrote ${written.join(', ')}`);
  if (opts.out) await nn.saveModel(model, join(opts.out, 'dbn'));
  return result;
}

/** The classifier with dropout 0.2 on its input and `p` after each Sigmoid (Hinton et al. 2012's fine-tuning). */
function withDropout(clf: nn.Sequential, p: number): nn.Sequential {
  const out: nn.Module[] = [new nn.Dropout(0.2)];
  for (const layer of clf.layers) {
    out.push(layer);
    if (layer instanceof nn.Sigmoid) out.push(new nn.Dropout(p));
  }
  return new nn.Sequential(...out);
}
