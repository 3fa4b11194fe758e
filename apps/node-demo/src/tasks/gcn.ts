/**
 * Node classification on a citation graph (demo --task gcn [--model gat] [--dataset citeseer]): PyG's
 * example GCN (2 layers, 16 hidden, dropout 0.5, Adam 0.01, weight decay 5e-4 on the first layer) or
 * GAT (8 heads x 8, dropout 0.6, Adam 0.005, weight decay 5e-4, and an exponential moving average of
 * the weights, decay 0.98, which it is evaluated with: GAT_AVERAGE), 200 full-batch epochs on the
 * standard Planetoid split, for one or more seeds; validation and test accuracy after the last epoch and
 * the test accuracy at the epoch of best validation accuracy (what PyG's examples report), and the hidden layer
 * of the first seed's model in 2-D (PCA) coloured by class, out/<model>-<dataset>-hidden.svg.
 */
import * as nn from '@deepwasm/nn';
import { loadPlanetoid, type PlanetoidName } from '@deepwasm/data';
import { GAT, GAT_AVERAGE, GCN, trainNodeClassifier } from '@deepwasm/models';
import { pca2, scatterSvg } from '../scatter.js';
import { bar, writeOut, type TaskOptions } from './common.js';

export interface GcnTaskOptions extends TaskOptions {
  model?: 'gcn' | 'gat';
  dataset?: PlanetoidName;
  /** Seeds to train (default 1); the mean and spread of the test accuracy are printed. */
  seeds?: number;
  epochs?: number;
}

export interface GcnRun {
  seed: number;
  valAccuracy: number;
  testAccuracy: number;
  /** Test accuracy at the first epoch of best validation accuracy (what PyG's examples print). */
  bestValTestAccuracy: number;
  bestEpoch: number;
  msPerEpoch: number;
  /** GAT: the test accuracy of the last epoch's own weights (PyG's recipe, without the average). */
  unaveragedTestAccuracy: number | null;
}

export interface GcnTaskResult {
  model: 'gcn' | 'gat';
  dataset: PlanetoidName;
  runs: GcnRun[];
  meanTest: number;
  sdTest: number;
  meanVal: number;
  /** Mean and spread of the test accuracy at the best-validation epoch. */
  meanBestValTest: number;
  sdBestValTest: number;
  /** GAT: mean and spread of the unaveraged test accuracy. */
  meanUnaveragedTest: number | null;
  sdUnaveragedTest: number | null;
  plot: string | null;
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
};
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export async function runGcnTask(opts: GcnTaskOptions = {}): Promise<GcnTaskResult> {
  const log = opts.log ?? console.log;
  const which = opts.model ?? 'gcn';
  if (which !== 'gcn' && which !== 'gat') throw new Error(`--task gcn: --model must be gcn or gat, got "${String(which)}"`);
  const name = opts.dataset ?? 'cora';
  const seeds = opts.seeds ?? 1;
  const epochs = opts.epochs ?? opts.steps ?? 200;
  const seed0 = opts.seed ?? 0;
  if (!Number.isSafeInteger(seeds) || seeds < 1) throw new Error(`--task gcn: --seeds must be a positive integer, got ${seeds}`);
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new Error(`--task gcn: --epochs must be a positive integer, got ${epochs}`);
  const data = loadPlanetoid(name);
  log(
    `${name}: ${data.numNodes} nodes, ${data.graph.numEdges / 2} undirected edges, ${data.numFeatures} sparse features (${data.x.nnz} non-zero), ` +
      `${data.numClasses} classes; ${data.trainIndex.length} training, ${data.valIndex.length} validation, ${data.testIndex.length} test nodes`,
  );
  log(which === 'gcn' ? 'GCN: GCNConv(in, 16) -> ReLU -> GCNConv(16, classes), dropout 0.5, Adam lr 0.01, weight decay 5e-4 (first layer)' : `GAT: GATConv(in, 8 x 8 heads) -> ELU -> GATConv(64, classes, 1 head), dropout 0.6, Adam lr 0.005, weight decay 5e-4; evaluated with an EMA of the weights (decay ${GAT_AVERAGE.decay})`);
  const runs: GcnRun[] = [];
  let plot: string | null = null;
  for (let s = 0; s < seeds; s++) {
    const seed = seed0 + s;
    nn.manualSeed(seed);
    const model = which === 'gcn' ? new GCN({ inChannels: data.numFeatures, outChannels: data.numClasses }) : new GAT({ inChannels: data.numFeatures, outChannels: data.numClasses });
    const progress = bar(epochs, `${which.toUpperCase()} seed ${seed}`, opts.progress ?? true);
    const r = trainNodeClassifier(model, data, {
      epochs, lr: which === 'gcn' ? 0.01 : 0.005, weightDecay: 5e-4, evalEvery: 10, trackBest: true, ...(which === 'gat' ? { average: GAT_AVERAGE } : {}),
      onEpoch: (epoch, loss, val) => progress.update(epoch, `loss ${loss.toFixed(3)}${val === null ? '' : `, validation ${pct(val)}`}`),
    });
    progress.finish(`validation ${pct(r.valAccuracy)}, test ${pct(r.testAccuracy)}`);
    const best = r.best!;
    runs.push({ seed, valAccuracy: r.valAccuracy, testAccuracy: r.testAccuracy, bestValTestAccuracy: best.testAccuracy, bestEpoch: best.epoch, msPerEpoch: (r.seconds * 1000) / Math.max(1, epochs),
      unaveragedTestAccuracy: r.unaveraged?.testAccuracy ?? null });
    log(
      `seed ${seed}: validation ${pct(r.valAccuracy)}, test ${pct(r.testAccuracy)} after ${epochs} epochs (${((r.seconds * 1000) / Math.max(1, epochs)).toFixed(1)} ms per epoch` +
        `${r.unaveraged ? `; without the average ${pct(r.unaveraged.testAccuracy)}` : ''}); ` +
        `test ${pct(best.testAccuracy)} at epoch ${best.epoch}, the best validation (${pct(best.valAccuracy)})`,
    );
    if (s === 0 && opts.out) {
      model.eval();
      const hidden = nn.noGrad(() => nn.tidy(() => model.hidden(data.x, data.graph).toArray()));
      const width = hidden.length / data.numNodes;
      const { points, explained } = pca2(hidden, data.numNodes, width);
      const svg = await scatterSvg(
        points, data.y, Array.from({ length: data.numClasses }, (_, c) => `class ${c}`),
        `${which.toUpperCase()} on ${name[0]!.toUpperCase()}${name.slice(1)}: test accuracy ${pct(r.testAccuracy)}, the hidden layer in 2-D (PCA)`,
        `${data.numNodes.toLocaleString('en-US')} nodes coloured by class; ${width} hidden features -> 2 components (${pct(explained[0] + explained[1])} of the variance); seed ${seed}`,
      );
      plot = await writeOut(opts.out, `${which}-${name}-hidden.svg`, svg);
      if (plot) log(`hidden representations: ${plot}`);
    }
    model.dispose();
  }
  data.dispose();
  const test = stats(runs.map((r) => r.testAccuracy));
  const val = stats(runs.map((r) => r.valAccuracy));
  const bestTest = stats(runs.map((r) => r.bestValTestAccuracy));
  const unaveraged = which === 'gat' ? stats(runs.map((r) => r.unaveragedTestAccuracy!)) : null;
  if (seeds > 1) {
    log(
      `${which.toUpperCase()} on ${name}, ${seeds} seeds: test ${(100 * test.mean).toFixed(2)} ± ${(100 * test.sd).toFixed(2)}% after ${epochs} epochs, validation ${(100 * val.mean).toFixed(2)}%; ` +
        `test ${(100 * bestTest.mean).toFixed(2)} ± ${(100 * bestTest.sd).toFixed(2)}% at the best-validation epoch (as PyG's examples report)` +
        (unaveraged ? `; without the weight average ${(100 * unaveraged.mean).toFixed(2)} ± ${(100 * unaveraged.sd).toFixed(2)}% after ${epochs} epochs` : ''),
    );
  }
  return { model: which, dataset: name, runs, meanTest: test.mean, sdTest: test.sd, meanVal: val.mean, meanBestValTest: bestTest.mean, sdBestValTest: bestTest.sd,
    meanUnaveragedTest: unaveraged?.mean ?? null, sdUnaveragedTest: unaveraged?.sd ?? null, plot };
}
