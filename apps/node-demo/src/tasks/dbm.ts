/**
 * A deep Boltzmann machine 784-500-1000 on the MNIST split (pixels binarised at 0.5), Salakhutdinov and
 * Hinton's (2009) recipe scaled to a few minutes: greedy stacking of two RBMs with doubled inputs
 * (CD-1), then joint training (mean-field data term, persistent Gibbs chains burnt in before the first
 * update for the model term, SGD with the rate 0.003 decayed linearly to 0). It prints the mean-field
 * variational lower bound on the average test log-likelihood, in nats, with log Z from AIS on the DBM
 * from the data's base rate: of the stacked model and of the final one with the same long AIS (100
 * runs x 3,000 temperatures, 30 sweeps), and after each joint epoch a quick one (20 runs x 1,000, 10
 * sweeps), each with the runs' log-weight spread and effective number. Then samples after 1,000 Gibbs
 * sweeps (out/dbm-samples.png) and a classifier: logistic regression on the mean-field features
 * [mu1, mu2] against the same on the pixels.
 */
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { dbm } from '@deepwasm/models';
import { writeGridPng } from '../images/png-grid.js';
import type { TaskOptions } from './common.js';
import { effectiveRuns } from './rbm.js';

export interface DbmTaskOptions extends TaskOptions {
  sizes?: number[];
  train?: number;
  test?: number;
  /** CD-1 epochs per layer of greedy stacking (default 5). */
  pretrainEpochs?: number;
  /** Joint training epochs (default `epochs`, `steps` or 5), SGD rate (default 0.003, decayed linearly to 0), persistent chains (default 100) and their burn-in sweeps (default 200). */
  epochs?: number;
  lr?: number;
  numChains?: number;
  burnIn?: number;
  /** Mean-field sweeps in training and for the features and the per-epoch bounds (default 10), for the final bound (default 30). */
  meanFieldIterations?: number;
  finalIterations?: number;
  /** AIS per epoch: runs (default 20) and temperatures (default 1,000); for the stacked and the final model: `finalRuns` (default 100) x `finalBetas` (default env DBM_BETAS or 3,000). */
  epochRuns?: number;
  epochBetas?: number;
  finalRuns?: number;
  finalBetas?: number;
  /** Logistic-regression epochs (default 30) and Gibbs sweeps for the samples (default 1,000). */
  classifierEpochs?: number;
  sampleSteps?: number;
}

export interface DbmTaskResult {
  /** The bound after each joint epoch (quick AIS). */
  bounds: number[];
  /** The bound of the stacked model and of the final one (the final AIS settings for both). */
  stackedBound: number;
  finalBound: number;
  logZ: number;
  featureAccuracy: number;
  pixelAccuracy: number;
}

export async function runDbmTask(opts: DbmTaskOptions = {}): Promise<DbmTaskResult> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0, sizes = opts.sizes ?? [784, 500, 1000];
  const nTrain = opts.train ?? 8000, nTest = opts.test ?? 2000, B = 64;
  const epochs = opts.epochs ?? opts.steps ?? 5, lr0 = opts.lr ?? 0.003, pretrainEpochs = opts.pretrainEpochs ?? 5;
  const mf = opts.meanFieldIterations ?? 10, mfFinal = opts.finalIterations ?? 30;
  const epochRuns = opts.epochRuns ?? 20, epochBetas = opts.epochBetas ?? 1000;
  const finalRuns = opts.finalRuns ?? 100, finalBetas = opts.finalBetas ?? (process.env.DBM_BETAS ? Number(process.env.DBM_BETAS) : 3000);
  const numChains = opts.numChains ?? 100, burnIn = opts.burnIn ?? 200;
  const { train, test } = mnistSplit({ train: nTrain, test: nTest, seed });
  const bin = (x: Float32Array) => Float32Array.from(x, (p) => (p > 0.5 ? 1 : 0));
  const trainX = nn.fromArray(bin(train.x), [nTrain, 784]).keep(), testX = nn.fromArray(bin(test.x), [nTest, 784]).keep();
  const g = new nn.Generator(seed);
  const model = dbm(sizes, { generator: g });
  const t0 = Date.now();
  const secs = (t: number) => `${((Date.now() - t) / 1000).toFixed(0)} s`;
  model.pretrain(trainX, { epochs: pretrainEpochs, lr: 0.05, generator: g });
  log(`DBM ${sizes.join('-')} on ${nTrain} binarised digits: greedy stacking, ${pretrainEpochs} CD-1 epochs per RBM (doubled inputs, SGD lr 0.05, momentum 0.5, weight decay 2e-4), ${secs(t0)}`);
  const bounds: number[] = [];
  const score = (label: string, runs: number, betas: number, sweeps: number): { bound: number; logZ: number } => {
    const t = Date.now();
    const ais = model.annealedImportanceSampling({ runs, betas, data: trainX, generator: g });
    const lw = Array.from(ais.logWeights);
    const b = mean(model.variationalBound(testX, ais.logZ, sweeps));
    log(
      `${label}: test bound ${b.toFixed(2)} nats (E_q[-E] + H(q) ${(b + ais.logZ).toFixed(2)}, ${sweeps} mean-field sweeps; log Z ${ais.logZ.toFixed(2)} by AIS, ${runs} runs x ${betas} temperatures from the data's base rate, ` +
        `runs' log weights ${Math.min(...lw).toFixed(1)}..${Math.max(...lw).toFixed(1)}, effective runs ${effectiveRuns(lw).toFixed(1)}, ${secs(t)})`,
    );
    return { bound: b, logZ: ais.logZ };
  };
  const stacked = score('after stacking', finalRuns, finalBetas, mfFinal);
  const opt = new nn.SGD(model.parameters(), { lr: lr0, momentum: 0.5, weightDecay: 2e-4 });
  const steps = epochs * Math.ceil(nTrain / B);
  let step = 0;
  const t1 = Date.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = g.permutation(nTrain);
    for (let s = 0; s < nTrain; s += B) {
      opt.paramGroups[0]!.lr = lr0 * (1 - step++ / steps);
      opt.zeroGrad();
      nn.tidy(() => model.jointGradient(nn.gather(trainX, order.subarray(s, Math.min(nTrain, s + B))), { meanFieldIterations: mf, numChains, burnIn, generator: g }));
      opt.step();
    }
    bounds.push(score(`joint epoch ${epoch + 1}/${epochs} (${secs(t1)} of training)`, epochRuns, epochBetas, mf).bound);
  }
  model.resetChains();
  const final = score(
    `after joint training (SGD lr ${lr0} decayed linearly to 0, momentum 0.5, weight decay 2e-4, ${mf} mean-field sweeps, ${numChains} persistent chains burnt in for ${burnIn} sweeps)`,
    finalRuns,
    finalBetas,
    mfFinal,
  );
  log(`joint training moved the test bound by ${(final.bound - stacked.bound).toFixed(2)} nats (${stacked.bound.toFixed(2)} -> ${final.bound.toFixed(2)}, the same AIS settings)`);

  const t2 = Date.now();
  const samples = model.sample(50, { gibbsSteps: opts.sampleSteps ?? 1000, generator: g });
  if (opts.out) {
    const p = samples.toArray();
    const path = await writeGridPng(join(opts.out, 'dbm-samples.png'), Array.from({ length: 50 }, (_, i) => p.subarray(i * 784, (i + 1) * 784)));
    log(`50 samples after ${opts.sampleSteps ?? 1000} Gibbs sweeps from random states (${secs(t2)}): ${path}`);
  }
  samples.dispose();

  // Mean-field features 500 rows at a time (the sweeps' intermediates of 8,000 rows at once exceed 4 GiB of WASM memory).
  const features = (x: nn.Tensor) => {
    const n = x.shape[0]!, width = sizes.slice(1).reduce((a, b) => a + b, 0), out = new Float32Array(n * width);
    for (let s = 0; s < n; s += 500) {
      const rows = Int32Array.from({ length: Math.min(500, n - s) }, (_, i) => s + i);
      out.set(nn.tidy(() => nn.concat(model.meanField(nn.gather(x, rows), mf), 1).toArray()), s * width);
    }
    return nn.fromArray(out, [n, width]).keep();
  };
  const [fTrain, fTest] = [features(trainX), features(testX)];
  const ce = opts.classifierEpochs ?? 30;
  const featureAccuracy = logisticRegression(fTrain, train.y, fTest, test.y, ce, seed);
  const pixelAccuracy = logisticRegression(trainX, train.y, testX, test.y, ce, seed);
  log(`logistic regression (Adam lr 0.01, ${ce} epochs, batch 64) on the mean-field features [mu1, mu2] (${sizes.slice(1).join(' + ')}): test accuracy ${(featureAccuracy * 100).toFixed(2)}%; on the pixels: ${(pixelAccuracy * 100).toFixed(2)}%`);
  for (const t of [fTrain, fTest, trainX, testX]) t.dispose();
  model.dispose();
  return { bounds, stackedBound: stacked.bound, finalBound: final.bound, logZ: final.logZ, featureAccuracy, pixelAccuracy };
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** A linear softmax classifier on fixed features: its test accuracy. */
function logisticRegression(x: nn.Tensor, y: ArrayLike<number>, xt: nn.Tensor, yt: ArrayLike<number>, epochs: number, seed: number): number {
  const g = new nn.Generator(seed);
  nn.manualSeed(seed);
  const n = x.shape[0]!, clf = new nn.Linear(x.shape[1]!, 10);
  const opt = new nn.Adam(clf.parameters(), { lr: 1e-2 });
  for (let e = 0; e < epochs; e++) {
    const order = g.permutation(n);
    for (let s = 0; s < n; s += 64) {
      const idx = order.subarray(s, Math.min(n, s + 64));
      nn.tidy(() => {
        opt.zeroGrad();
        nn.crossEntropy(clf.forward(nn.gather(x, idx)), Array.from(idx, (i) => y[i]!)).backward();
        nn.noGrad(() => opt.step());
      });
    }
  }
  const pred = nn.tidy(() => nn.noGrad(() => nn.argmax(clf.forward(xt), 1)));
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === yt[i]) right++;
  clf.dispose();
  opt.dispose();
  return right / pred.length;
}

