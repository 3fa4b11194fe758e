/** The main job: train a recipe on the MNIST split, evaluate, save, and draw what happened. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import type { DemoArgs } from './args.js';
import type { Recipe } from './recipes.js';
import { confusionMatrix, formatConfusion } from './confusion.js';
import { lineChartSvg } from './plot.js';
import { writeGridPng } from './images/png-grid.js';

export async function trainMnist(recipe: Recipe, args: DemoArgs): Promise<{ testAccuracy: number }> {
  const k = await nn.ready();
  // Kernels already loaded (e.g. a test chose the plain build) are used as they are.
  const threads = nn.getNumThreads();
  const cores = availableParallelism();
  console.log(`kernels: ${k.isa === 'relaxed' ? 'WASM relaxed SIMD (fused multiply-add)' : 'WASM SIMD128'}, ${threads} thread${threads > 1 ? 's' : ''} (${threads === cores ? 'all cores' : `of ${cores} cores`}; --threads N changes it)`);
  const { train, test } = mnistSplit({ train: 8000, test: 2000, seed: args.seed });
  const shaped = (d: typeof train) => ({ ...d, sampleShape: recipe.sampleShape });
  console.log(`data: MNIST digits from the mnist package, ${train.count} train / ${test.count} test (seed ${args.seed})`);

  nn.manualSeed(args.seed);
  const model = recipe.build();
  console.log(`model: ${recipe.description}, ${model.numParameters().toLocaleString('en-US')} parameters`);
  const epochs = args.epochs ?? recipe.epochs;
  const lr = args.lr ?? recipe.lr;
  const optimizer = new nn.Adam(model.parameters(), { lr });
  // Cosine annealing to zero over the run: the last epochs average out the noise of mini-batch steps.
  const scheduler = new nn.CosineAnnealingLR(optimizer, epochs);
  console.log(`training: Adam lr ${lr} with cosine annealing, batch ${args.batchSize}, ${epochs} epochs\n`);

  const started = performance.now();
  const history = await nn.fit(model, shaped(train), {
    loss: 'crossEntropy',
    optimizer,
    epochs,
    batchSize: args.batchSize,
    shuffle: true,
    seed: args.seed,
    validationData: shaped(test),
    scheduler,
    augment: recipe.augment,
    progress: args.progress ?? true,
  });
  const minutes = (performance.now() - started) / 60000;

  const result = nn.evaluate(model, shaped(test), { loss: 'crossEntropy' });
  const testAccuracy = result.accuracy ?? 0;
  console.log(`\ntest: loss ${result.loss.toFixed(4)}, accuracy ${(100 * testAccuracy).toFixed(2)}% ` +
    `(${epochs} epochs in ${minutes.toFixed(2)} min)`);

  const predicted = nn.tidy(() => nn.argmax(nn.predict(model, shaped(test)), 1));
  const labels = test.y as Uint8Array;
  console.log('\nconfusion matrix (rows: true digit, columns: predicted)');
  console.log(formatConfusion(confusionMatrix(predicted, labels, 10)));

  await mkdir(args.out, { recursive: true });
  const saved = await nn.saveModel(model, join(args.out, recipe.name));
  const perEpoch = (f: (e: nn.EpochLogs) => number | undefined) => history.epochs.map((e) => f(e) ?? NaN);
  const curves = await lineChartSvg({
    title: `${recipe.title} on MNIST: test accuracy ${(100 * testAccuracy).toFixed(2)}% after ${epochs} epochs`,
    subtitle: `${train.count.toLocaleString('en-US')} training and ${test.count.toLocaleString('en-US')} test digits, Adam lr ${lr} with cosine annealing, batch ${args.batchSize}, seed ${args.seed}`,
    xTitle: 'epoch',
    panels: [
      { title: 'cross-entropy loss (log scale)', log: true, series: [{ name: 'train', values: perEpoch((e) => e.loss) }, { name: 'test', values: perEpoch((e) => e.valLoss) }] },
      { title: 'accuracy', percent: true, series: [{ name: 'train', values: perEpoch((e) => e.accuracy) }, { name: 'test', values: perEpoch((e) => e.valAccuracy) }] },
    ],
  });
  const curvesPath = join(args.out, `${recipe.name}-training.svg`);
  await writeFile(curvesPath, curves);

  const wrong: number[] = [];
  for (let i = 0; i < predicted.length && wrong.length < 40; i++) if (predicted[i] !== labels[i]) wrong.push(i);
  const images = wrong.map((i) => test.x.subarray(i * 784, (i + 1) * 784));
  const captions = wrong.map((i) => `${labels[i]}→${predicted[i]}`);
  const wrongPath = await writeGridPng(join(args.out, `${recipe.name}-misclassified.png`), images, { captions, scale: 3 });
  console.log(`\nsaved: ${saved.path} (${saved.architecture ? 'weights and architecture in one file; nn.loadModel reads it back' : 'weights only'})`);
  console.log(`plots: ${curvesPath} (loss and accuracy per epoch), ${wrongPath} (misclassified digits, true→predicted)`);
  return { testAccuracy };
}
