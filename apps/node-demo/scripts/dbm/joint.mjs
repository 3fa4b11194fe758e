// DBM joint-training experiments on the demo's split (one thread):
//   node joint.mjs stack DIR                      greedy stacking as in the demo (seed 0), saved to DIR/stacked
//   node joint.mjs score DIR/model RUNS BETAS     the test bound with log Z by AIS (RUNS x BETAS), effective runs
//   node joint.mjs joint DIR/stacked LR EPOCHS MF CHAINS GIBBS BURNIN [RUNS BETAS]
//                                                  joint training (SGD LR decayed linearly to 0, momentum 0.5, weight decay 2e-4),
//                                                  the chains burnt in for BURNIN sweeps first; the bound after each epoch.
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { dbm } from '@deepwasm/models';
import { effectiveRuns } from '../../dist/tasks/rbm.js';
nn.setNumThreads(1);
await nn.ready();
const [mode, path, ...rest] = process.argv.slice(2);
const { train, test } = mnistSplit({ train: 8000, test: 2000, seed: 0 });
const bin = (x) => Float32Array.from(x, (p) => (p > 0.5 ? 1 : 0));
const trainX = nn.fromArray(bin(train.x), [8000, 784]).keep(), testX = nn.fromArray(bin(test.x), [2000, 784]).keep();
const t0 = Date.now();
const secs = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
const score = (model, runs, betas, seed = 11, sweeps = 10) => {
  const ais = model.annealedImportanceSampling({ runs, betas, data: trainX, generator: new nn.Generator(seed) });
  const lw = Array.from(ais.logWeights);
  const b = mean(Array.from(model.variationalBound(testX, ais.logZ, sweeps)));
  return `bound ${b.toFixed(2)} logZ ${ais.logZ.toFixed(2)} [${ais.logZLow.toFixed(2)}, ${ais.logZHigh.toFixed(2)}] AIS ${runs}x${betas} ess ${effectiveRuns(lw).toFixed(1)} lw ${Math.min(...lw).toFixed(1)}..${Math.max(...lw).toFixed(1)} (${secs()})`;
};
if (mode === 'stack') {
  const g = new nn.Generator(0);
  const model = dbm([784, 500, 1000], { generator: g });
  model.pretrain(trainX, { epochs: 5, lr: 0.05, generator: g });
  await nn.saveModel(model, `${path}/stacked`);
  console.log('stacked', secs());
} else if (mode === 'score') {
  const model = await nn.loadModel(path);
  for (const seed of (process.env.SEEDS ?? '11').split(',').map(Number)) console.log(path, 'seed', seed, score(model, +rest[0], +rest[1], seed, +(process.env.MF ?? 10)));
} else if (mode === 'joint') {
  const [lr0, epochs, mf, chains, gibbs, burnin] = rest.map(Number);
  const runs = +(rest[6] ?? 20), betas = +(rest[7] ?? 1000);
  const model = await nn.loadModel(path);
  const g = new nn.Generator(1);
  const opt = new nn.SGD(model.parameters(), { lr: lr0, momentum: 0.5, weightDecay: 2e-4 });
  const B = 64, steps = epochs * Math.ceil(8000 / B);
  let step = 0;
  const tag = `lr ${lr0} mf ${mf} chains ${chains} gibbs ${gibbs} burnin ${burnin}`;
  for (let e = 0; e < epochs; e++) {
    const order = g.permutation(8000);
    for (let s = 0; s < 8000; s += B) {
      opt.paramGroups[0].lr = lr0 * (1 - step / steps);
      opt.zeroGrad();
      const o = { meanFieldIterations: mf, numChains: chains, gibbsSteps: step === 0 ? burnin + gibbs : gibbs, generator: g };
      nn.tidy(() => model.jointGradient(nn.gather(trainX, order.subarray(s, Math.min(8000, s + B))), o));
      step++;
      opt.step();
    }
    console.log(tag, 'epoch', e + 1, score(model, runs, betas));
  }
  model.resetChains();
  if (process.env.SAVE) await nn.saveModel(model, process.env.SAVE);
}
