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
import { dbn } from '@deepwasm/models';
import { lineChartSvg } from '../plot.js';
import { writeGridPng, type GridOptions } from '../images/png-grid.js';
import { writeOut, type TaskOptions } from './common.js';

export interface DbnTaskOptions extends TaskOptions {
  sizes?: number[];
  /** Pretraining epochs per layer (default 10) and fine-tuning epochs (default `steps` or 20). */
  pretrainEpochs?: number;
  fineTuneEpochs?: number;
  train?: number;
  test?: number;
}

export interface DbnTaskResult {
  pretrained: number;
  random: number;
  samplesRecognised: number | null;
}

const png = (dir: string | undefined, name: string, images: Float32Array[], o: GridOptions) => (dir ? writeGridPng(join(dir, name), images, o) : null);

export async function runDbnTask(opts: DbnTaskOptions = {}): Promise<DbnTaskResult> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0, sizes = opts.sizes ?? [784, 500, 500, 2000];
  const pre = opts.pretrainEpochs ?? 10, fine = opts.fineTuneEpochs ?? opts.steps ?? 20;
  const { train, test } = mnistSplit({ train: opts.train ?? 8000, test: opts.test ?? 2000, seed });
  log(
    `DBN ${sizes.join('-')} + 10 label units: ${pre} CD-1 epochs per layer (SGD lr 0.05, momentum 0.5, weight decay 2e-4, batch 64) and ${pre} PCD epochs ` +
      `for the top RBM, then ${fine} epochs of backpropagation (SGD lr 0.1, momentum 0.9, cosine schedule, random 1-pixel shifts), against random initialisation`,
  );
  const g = new nn.Generator(seed);
  const model = dbn(sizes, { numClasses: 10, generator: g });
  const t0 = Date.now();
  const history = model.pretrain(train, { epochs: pre, topPcdEpochs: pre, generator: g, progress: opts.progress ?? true });
  log(`pretraining: ${((Date.now() - t0) / 1000).toFixed(1)} s; reconstruction error per layer (first -> last epoch): ${history.map((h) => `${h[0]!.toFixed(4)} -> ${h[h.length - 1]!.toFixed(4)}`).join(', ')}`);

  const fineTune = async (clf: nn.Sequential, label: string) => {
    const optimizer = new nn.SGD(clf.parameters(), { lr: 0.1, momentum: 0.9 });
    const scheduler = new nn.CosineAnnealingLR(optimizer, fine);
    const augment = (x: nn.Tensor, gen: nn.Generator) => nn.reshape(nn.randomTranslate(nn.reshape(x, [x.shape[0]!, 1, 28, 28]), 1, gen), [x.shape[0]!, 784]);
    const h = await nn.fit(clf, train, { loss: 'crossEntropy', optimizer, scheduler, augment, epochs: fine, batchSize: 64, validationData: test, seed, progress: opts.progress ?? true });
    const acc = nn.evaluate(clf, test).accuracy ?? 0;
    const curve = h.epochs.map((e) => e.valAccuracy ?? 0);
    log(`${label}: test accuracy ${(acc * 100).toFixed(2)}%`);
    return { acc, curve };
  };
  const pretrained = await fineTune(model.toClassifier({ generator: new nn.Generator(seed + 1) }), 'pretrained + fine-tuned');
  nn.manualSeed(seed + 1);
  const layers: nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) layers.push(new nn.Linear(sizes[i]!, sizes[i + 1]!), new nn.Sigmoid());
  layers.push(new nn.Linear(sizes[sizes.length - 1]!, 10));
  const random = await fineTune(new nn.Sequential(...layers), 'random initialisation, same budget');

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
  const t1 = Date.now();
  const samples = model.sample(100, { label: labels, gibbsSteps: 1000, generator: g }).toArray();
  log(`100 class-conditional samples (1,000 Gibbs steps in the top RBM): ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  let recognised: number | null = null;
  const lenetPath = join(opts.out ?? 'out', 'lenet5.safetensors');
  if (existsSync(lenetPath)) {
    const lenet = await nn.loadModel(join(opts.out ?? 'out', 'lenet5'));
    const pred = nn.argmax(nn.predict(lenet, nn.fromArray(samples, [100, 1, 28, 28])), 1);
    recognised = labels.filter((y, i) => pred[i] === y).length / 100;
    log(`LeNet-5 of the main job recognises ${(recognised * 100).toFixed(0)}% of the samples as their intended class`);
  } else {
    log(`(run the main job first to have ${lenetPath} classify the samples)`);
  }
  const files = await Promise.all([
    png(opts.out, 'dbn-filters.png', filters, { captions: filters.map((_, j) => `h${j}`), range: 'each' }),
    png(opts.out, 'dbn-reconstructions.png', pairs, { captions }),
    png(opts.out, 'dbn-samples.png', Array.from({ length: 100 }, (_, i) => samples.subarray(i * 784, (i + 1) * 784)), { captions: labels.map(String) }),
    writeOut(opts.out, 'dbn-fine-tuning.svg', await lineChartSvg({
      title: `DBN ${sizes.join('-')}: test accuracy ${(100 * pretrained.acc).toFixed(2)}% pretrained, ${(100 * random.acc).toFixed(2)}% from random init`,
      subtitle: `${pre} CD-1 epochs per layer, then ${fine} epochs of backpropagation for both; seed ${seed}`,
      xTitle: 'epoch',
      panels: [
        { title: 'test accuracy while fine-tuning', percent: true, series: [{ name: 'pretrained', values: pretrained.curve }, { name: 'random init', values: random.curve }] },
        { title: 'reconstruction error while pretraining', series: history.map((h, i) => ({ name: `RBM ${i + 1}`, values: h })) },
      ],
    })),
  ]);
  const written = files.filter((f): f is string => f !== null);
  if (written.length > 0) log(`wrote ${written.join(', ')}`);
  if (opts.out) await nn.saveModel(model, join(opts.out, 'dbn'));
  return { pretrained: pretrained.acc, random: random.acc, samplesRecognised: recognised };
}
