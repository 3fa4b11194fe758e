/**
 * A 784-500 binary RBM on the MNIST split (pixels binarised at 0.5), trained with CD-1 and with PCD
 * (plain SGD lr 0.05, batch 64, as the PyTorch reference), each scored by
 * AIS (100 runs x 14,501 temperatures from the data's and from the uniform base-rate model, the larger
 * estimate kept) as an average test log-likelihood in nats, with samples after 1,000 Gibbs steps. A sure check on AIS: log Z is at least the log of the
 * sum of exp(-F(v)) over the distinct training images, so the test log-likelihood is at most
 * mean(-F(test)) minus that; the task prints both. Writes the binarised split (out/mnist-binarised.u8: 8,000 + 2,000 rows of 784
 * bytes) so tools/bench/python/rbm_learn.py trains the same recipes in PyTorch side by side.
 */
import { join } from 'node:path';
import { writeFile, mkdir } from 'node:fs/promises';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { writeGridPng } from '../images/png-grid.js';
import type { TaskOptions } from './common.js';

export interface RbmTaskOptions extends TaskOptions {
  /** Epochs (default `steps` or 30), AIS temperatures (default 14,501), recipes (default both). */
  epochs?: number;
  betas?: number;
  recipes?: Array<'cd1' | 'pcd'>;
  /** Decay the learning rate linearly to 0 over training (default false). */
  decay?: boolean;
}

export async function runRbmTask(opts: RbmTaskOptions = {}): Promise<Record<string, { logZ: number; testLL: number; spread: [number, number] }>> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0, epochs = opts.epochs ?? opts.steps ?? 30, betas = opts.betas ?? (process.env.RBM_BETAS ? Number(process.env.RBM_BETAS) : 14501);
  const decay = opts.decay ?? process.env.RBM_DECAY === '1';
  const { train, test } = mnistSplit({ train: 8000, test: 2000, seed });
  const bin = (x: Float32Array) => Float32Array.from(x, (p) => (p > 0.5 ? 1 : 0));
  const trainX = bin(train.x), testX = bin(test.x);
  if (opts.out) {
    await mkdir(opts.out, { recursive: true });
    const bytes = new Uint8Array(trainX.length + testX.length);
    bytes.set(trainX);
    bytes.set(testX, trainX.length);
    await writeFile(join(opts.out, 'mnist-binarised.u8'), bytes);
  }
  const results: Record<string, { logZ: number; testLL: number; spread: [number, number] }> = {};
  const testT = nn.fromArray(testX, [2000, 784]).keep();
  const trainT = nn.fromArray(trainX, [8000, 784]).keep();
  const distinct = distinctRows(trainX, 784);
  for (const recipe of opts.recipes ?? (['cd1', 'pcd'] as const)) {
    const g = new nn.Generator(seed);
    const rbm = new nn.RBM(784, 500, { generator: g });
    const lr0 = 0.05;
    const opt = new nn.SGD(rbm.parameters(), { lr: lr0 });
    const steps = epochs * Math.ceil(8000 / 64);
    let step = 0;
    const t0 = Date.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = g.permutation(8000);
      let err = 0;
      for (let s = 0; s < 8000; s += 64) {
        const idx = order.subarray(s, Math.min(8000, s + 64));
        const batch = new Float32Array(idx.length * 784);
        idx.forEach((r, i) => batch.set(trainX.subarray(r * 784, (r + 1) * 784), i * 784));
        if (decay) opt.paramGroups[0]!.lr = lr0 * (1 - step / steps);
        opt.zeroGrad();
        err += nn.tidy(() => rbm.contrastiveDivergence(nn.fromArray(batch, [idx.length, 784]), { persistent: recipe === 'pcd', generator: g }).reconstructionError);
        opt.step();
        step++;
      }
      if (opts.progress !== false && (epoch % 5 === 4 || epoch === epochs - 1)) log(`${recipe} epoch ${epoch + 1}/${epochs}: reconstruction error ${(err / 125).toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    rbm.resetChains();
    const t1 = Date.now();
    // AIS from two base-rate models: the data's (right on PCD-trained RBMs, where from the uniform one
    // it is tens of nats low) and the uniform one (right on some CD-1-trained ones, where from the data's
    // it can be a few nats low). Each estimate is low in expectation (E[Z^] = Z), so the larger is kept.
    const estimates = (['data', 'uniform'] as const).map((base) => {
      const ais = nn.annealedImportanceSampling(rbm, { runs: 100, betas, data: base === 'data' ? trainT : undefined, generator: g });
      const lw = Array.from(ais.logWeights);
      log(
        `${recipe}: AIS from the ${base} base rate: log Z ${ais.logZ.toFixed(2)} [${ais.logZLow.toFixed(2)}, ${ais.logZHigh.toFixed(2)}], runs' log weights ${Math.min(...lw).toFixed(1)}..${Math.max(...lw).toFixed(1)}, ` +
          `effective runs ${effectiveRuns(lw).toFixed(1)} of 100 (${((Date.now() - t1) / 1000).toFixed(0)} s so far)`,
      );
      return ais;
    });
    const ais = estimates[0]!.logZ >= estimates[1]!.logZ ? estimates[0]! : estimates[1]!;
    const testLL = nn.averageLogLikelihood(rbm, testT, ais.logZ);
    const spread: [number, number] = [nn.averageLogLikelihood(rbm, testT, ais.logZHigh), nn.averageLogLikelihood(rbm, testT, ais.logZLow)];
    const bound = nn.logPartitionLowerBound(rbm, distinct);
    log(
      `${recipe}${decay ? ' (lr decayed to 0)' : ''}: log Z ${ais.logZ.toFixed(2)} (the larger AIS estimate, 100 runs x ${betas} temperatures, ${((Date.now() - t1) / 1000).toFixed(0)} s for both); ` +
        `average test log-likelihood ${testLL.toFixed(2)} nats [${spread[0].toFixed(2)}, ${spread[1].toFixed(2)}]; ` +
        `sure bound: log Z >= ${bound.toFixed(2)} (distinct training images), so at most ${nn.averageLogLikelihood(rbm, testT, bound).toFixed(2)} nats`,
    );
    results[recipe] = { logZ: ais.logZ, testLL, spread };
    const chains = rbm.gibbs(nn.bernoulli(nn.full([20, 784], 0.5), { generator: g }), 1000, { generator: g });
    const probs = chains.visibleProb.toArray();
    if (opts.out) await writeGridPng(join(opts.out, `rbm-${recipe}${decay ? '-decay' : ''}-samples.png`), Array.from({ length: 20 }, (_, i) => probs.subarray(i * 784, (i + 1) * 784)));
    rbm.dispose();
  }
  testT.dispose();
  trainT.dispose();
  distinct.dispose();
  return results;
}

/**
 * Kish's effective sample size of importance weights given as logs, (sum w)^2 / sum w^2: 100 when all
 * runs weigh the same, near 1 when one run dominates the mean (then the 3-standard-error band reaches 0
 * and the estimate rests on one run).
 */
export function effectiveRuns(logWeights: number[]): number {
  const m = Math.max(...logWeights);
  let s = 0, s2 = 0;
  for (const l of logWeights) {
    const w = Math.exp(l - m);
    s += w;
    s2 += w * w;
  }
  return (s * s) / s2;
}

/** The distinct rows of binary data [n, cols], as a tensor. */
function distinctRows(x: Float32Array, cols: number): nn.Tensor {
  const seen = new Set<string>(), keep: number[] = [];
  for (let r = 0; r < x.length / cols; r++) {
    const key = Buffer.from(Uint8Array.from(x.subarray(r * cols, (r + 1) * cols))).toString('base64');
    if (!seen.has(key)) (seen.add(key), keep.push(r));
  }
  const out = new Float32Array(keep.length * cols);
  keep.forEach((r, i) => out.set(x.subarray(r * cols, (r + 1) * cols), i * cols));
  return nn.fromArray(out, [keep.length, cols]).keep();
}
