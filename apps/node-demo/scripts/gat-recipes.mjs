// GAT recipe candidates on Cora (README, "How it was chosen"): for each recipe (JSON list), seeds --from..--to
// of PyG's GAT recipe plus one change, the test and validation accuracy after 200 epochs, and the
// unaveraged test accuracy of the same runs. Averages (ema: decay, swa: last N epochs) are kept in
// float64 here. featDrop: the paper's code's extra dropout on each head's projected features.
// Run after a build, e.g.: nice -n 19 node scripts/gat-recipes.mjs --recipes '[{},{"ema":0.98}]'
import * as nn from '@deepwasm/nn';
import { loadPlanetoid } from '@deepwasm/data';
import { GAT, nodeAccuracy } from '@deepwasm/models';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(k); return i < 0 ? d : args[i + 1]; };
const seedA = +arg('--from', 0), seedB = +arg('--to', 9);
const isa = arg('--isa', 'simd128');
const recipes = JSON.parse(arg('--recipes', '[{}]'));
await nn.ready({ isa, threads: +arg('--threads', 1) });
const data = loadPlanetoid('cora');
let FEATDROP = 0;
// The original GAT's dropout on each head's projected features before aggregation (not on the scores' input).
const origRun = nn.GATConv.prototype.run;
nn.GATConv.prototype.run = function (x, graph) {
  if (!FEATDROP) return origRun.call(this, x, graph);
  const N = graph.numNodes, H = this.heads, C = this.outChannels;
  const h = x instanceof nn.SparseMatrix ? nn.sparseLinear(x, this.lin.weight) : this.lin.forward(x);
  const h3 = nn.reshape(h, [N, H, C]);
  const aSrc = nn.sum(nn.mul(h3, this.att_src), -1), aDst = nn.sum(nn.mul(h3, this.att_dst), -1);
  const g = graph.withSelfLoops({ replace: true });
  const attention = nn.segmentSoftmax(nn.leakyRelu(nn.addSourceTarget(g, aSrc, aDst), this.negativeSlope), g);
  const alpha = nn.dropout(attention, this.dropout, this.training, this.generator);
  let out = nn.spmm(g, nn.dropout(h, FEATDROP, this.training, this.generator), alpha);
  if (!this.concat) out = nn.mean(nn.reshape(out, [N, H, C]), 1);
  if (this.bias) out = nn.add(out, this.bias);
  return { out, attention, graph: g };
};
const labels = data.trainIndex.map((i) => data.y[i]);

function run(seed, r) {
  const epochs = r.epochs ?? 200, lr0 = r.lr ?? 0.005;
  nn.manualSeed(seed);
  FEATDROP = r.featDrop ?? 0;
  const model = new GAT({ inChannels: data.numFeatures, outChannels: data.numClasses, dropout: r.dropout ?? 0.6 });
  const params = model.parameters();
  const opt = new nn.Adam([{ params, weightDecay: r.wd ?? 5e-4 }], { lr: lr0 });
  const avg = params.map((p) => new Float64Array(p.size));
  let nAvg = 0;
  model.train();
  for (let e = 1; e <= epochs; e++) {
    let lr = lr0;
    if (r.sched === 'cos') lr = lr0 * (r.floor ?? 0) + lr0 * (1 - (r.floor ?? 0)) * (1 + Math.cos(Math.PI * (e - 1) / epochs)) / 2;
    if (r.sched === 'lin') lr = lr0 * (1 - (e - 1) / epochs);
    if (r.sched === 'step') lr = e > (r.stepAt ?? 150) ? lr0 * (r.gamma ?? 0.1) : lr0;
    if (r.warmup && e <= r.warmup) lr = lr0 * e / r.warmup;
    opt.paramGroups[0].lr = lr;
    nn.tidy(() => {
      opt.zeroGrad();
      const l = nn.crossEntropy(nn.gather(model.forward(data.x, data.graph), data.trainIndex), labels, { labelSmoothing: r.ls ?? 0 });
      l.backward();
      opt.step();
    });
    if (r.swa && e > epochs - r.swa) {
      params.forEach((p, i) => { const d = p.data, a = avg[i]; for (let k = 0; k < d.length; k++) a[k] += d[k]; });
      nAvg++;
    }
    if (r.ema) {
      if (e === 1) params.forEach((p, i) => avg[i].set(p.data));
      else params.forEach((p, i) => { const d = p.data, a = avg[i]; for (let k = 0; k < d.length; k++) a[k] = r.ema * a[k] + (1 - r.ema) * d[k]; });
    }
  }
  const plainTest = nodeAccuracy(model, data, data.testIndex);
  if (r.swa) params.forEach((p, i) => { const d = p.data; for (let k = 0; k < d.length; k++) d[k] = avg[i][k] / nAvg; });
  if (r.ema) params.forEach((p, i) => p.data.set(avg[i]));
  const test = nodeAccuracy(model, data, data.testIndex), val = nodeAccuracy(model, data, data.valIndex);
  opt.dispose(); model.dispose();
  return { test, val, plainTest };
}
const st = (xs) => { const m = xs.reduce((a, b) => a + b, 0) / xs.length; return [m, Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1))]; };
for (const r of recipes) {
  const t0 = performance.now();
  const res = [];
  for (let s = seedA; s <= seedB; s++) res.push(run(s, r));
  const [m, sd] = st(res.map((x) => x.test)), [mv] = st(res.map((x) => x.val)), [mp] = st(res.map((x) => x.plainTest));
  console.log(JSON.stringify(r), `seeds ${seedA}-${seedB}: test ${(100 * m).toFixed(2)} ± ${(100 * sd).toFixed(2)} val ${(100 * mv).toFixed(2)} (unaveraged ${(100 * mp).toFixed(2)})`,
    res.map((x) => (100 * x.test).toFixed(1)).join(' '), `${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
