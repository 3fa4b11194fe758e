// Refine the top RBM of a saved DBN with PCD (lr decayed linearly to 0), then score class-conditional samples by LeNet-5.
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import '@deepwasm/models';
import { writeGridPng } from '../../dist/images/png-grid.js';
const shots = [];
await nn.ready();
const [path, epochsArg, lrArg, udArg, out] = process.argv.slice(2);
const epochs = +epochsArg, lr0 = +lrArg;
const { train } = mnistSplit({ train: 8000, test: 2000, seed: 0 });
const model = await nn.loadModel(path);
const lenet = await nn.loadModel('/tmp/energy-out/lenet5');
const L = model.rbms.length, top = model.rbms[L - 1];
const n = train.count;
const labels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
const score = (tag) => {
  for (const T of (process.env.TEMPS ?? '1').split(',').map(Number)) for (const steps of [1000]) {
    const s = model.sample(100, { label: labels, gibbsSteps: steps, temperature: T, generator: new nn.Generator(3) }).toArray();
    shots.push([tag, s]);
    const pred = nn.argmax(nn.predict(lenet, nn.fromArray(s, [100, 1, 28, 28])), 1);
    console.log(tag, 'T', T, 'steps', steps, 'recognised', labels.filter((y, i) => pred[i] === y).length);
  }
};
score('before');
if (epochs > 0) {
  const pen = model.upPass(nn.fromArray(train.x, [n, 784]), L - 1).toArray();
  const P = pen.length / n, W = P + 10;
  const rows = new Float32Array(n * W);
  for (let i = 0; i < n; i++) { rows.set(pen.subarray(i * P, (i + 1) * P), i * W); rows[i * W + P + train.y[i]] = 1; }
  const g = new nn.Generator(7);
  const opt = new nn.SGD(top.parameters(), { lr: lr0, momentum: 0.5, weightDecay: 2e-4 });
  const batches = Math.ceil(n / 64), total = epochs * batches;
  let t = 0;
  const t0 = Date.now();
  for (let e = 0; e < epochs; e++) {
    const order = g.permutation(n);
    for (let b = 0; b < batches; b++, t++) {
      const idx = order.subarray(b * 64, Math.min(n, (b + 1) * 64));
      const batch = new Float32Array(idx.length * W);
      idx.forEach((r, i) => batch.set(rows.subarray(r * W, (r + 1) * W), i * W));
      opt.lr = lr0 * (1 - t / total);
      opt.zeroGrad();
      nn.tidy(() => top.contrastiveDivergence(nn.fromArray(batch, [idx.length, W]), { persistent: true, numChains: 100, reconstructionError: false, generator: g }));
      opt.step();
    }
    if ((e + 1) % 5 === 0) console.log('epoch', e + 1, (Date.now() - t0) / 1000, 's');
  }
  top.resetChains();
  score(`after ${epochs} PCD epochs lr ${lr0} decayed`);
}
const ud = +(udArg ?? 0);
if (ud > 0) {
  const t1 = Date.now();
  const binary = { ...train, x: Float32Array.from(train.x, (p) => (p > 0.5 ? 1 : 0)) };
  model.upDown(binary, { epochs: ud, generator: new nn.Generator(2) });
  console.log('up-down', ud, 'epochs', (Date.now() - t1) / 1000, 's');
  score(`after ${ud} up-down epochs`);
}
if (out) {
  const imgs = [], caps = [];
  for (const [tag, s] of shots) for (let c = 0; c < 10; c++) for (let k = 0; k < 3; k++) { imgs.push(s.slice((c * 10 + k) * 784, (c * 10 + k + 1) * 784)); caps.push(String(c)); }
  await writeGridPng(out, imgs, { captions: caps, columns: 30 });
}
