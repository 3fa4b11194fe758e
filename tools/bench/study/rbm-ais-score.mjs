// Scores a saved 784-500 binary RBM (raw float32 <prefix>-W.f32 [500, 784], -b.f32, -c.f32, as rbm-train-save.mjs
// writes; PyTorch's rbm_learn.py --save .npz converted by rbm-pcd-queue.sh) with our annealedImportanceSampling: the
// data's base rate (training rows 0-7999 of the seed-0 split), `runs` runs over Salakhutdinov and Murray's 14,501
// temperatures made m times finer (their three segments, as rbm_ais.py: m = 4 gives 58,001), one
// thread. One estimator for the RBMs of both sides. Prints one JSON line: log Z, the average test log-likelihood
// (rows 8000-9999) in nats, the runs' log-weight range and effective number (sum w)^2 / sum w^2, seconds.
// usage: node rbm-ais-score.mjs <mnist-binarised.u8> <prefix> [m = 1] [ais seed = 0] [runs = 100]  (after pnpm build)
import * as nn from '../../../packages/nn/dist/index.js';
import { readFileSync } from 'node:fs';
const [path, prefix] = process.argv.slice(2, 4);
const m = Number(process.argv[4] ?? 1), seed = Number(process.argv[5] ?? 0), runs = Number(process.argv[6] ?? 100);
nn.setNumThreads(1);
await nn.ready();
const raw = readFileSync(path);
const rows = (a, b) => nn.fromArray(Float32Array.from(raw.subarray(a * 784, b * 784)), [b - a, 784]);
const train = rows(0, 8000), test = rows(8000, 10000);
const f32 = (s) => { const b = readFileSync(prefix + s); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const rbm = new nn.RBM(784, 500);
rbm.weight.data.set(f32('-W.f32'));
rbm.visibleBias.data.set(f32('-b.f32'));
rbm.hiddenBias.data.set(f32('-c.f32'));
const betas = [];
for (let i = 0; i < 500 * m; i++) betas.push(i * (1e-3 / m));
for (let i = 0; i < 4000 * m; i++) betas.push(0.5 + i * (1e-4 / m));
for (let i = 0; i <= 10000 * m; i++) betas.push(0.9 + i * (1e-5 / m));
const t0 = performance.now();
const r = nn.annealedImportanceSampling(rbm, { runs, betas, data: train, generator: new nn.Generator(seed) });
const s = (performance.now() - t0) / 1000;
const lw = Array.from(r.logWeights), mx = Math.max(...lw), w = lw.map((l) => Math.exp(l - mx));
const sw = w.reduce((a, b) => a + b, 0), sw2 = w.reduce((a, b) => a + b * b, 0);
console.log(JSON.stringify({ model: prefix, m, betas: r.betas, seed, runs, logZ: r.logZ, test_ll: nn.averageLogLikelihood(rbm, test, r.logZ),
  logw_min: Math.min(...lw), logw_max: mx, eff: (sw * sw) / sw2, s }));
