import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import '@deepwasm/models';
import { affine } from './affine.mjs';
nn.setNumThreads(1); // one thread for accuracy experiments on the shared machine
await nn.ready();
const [path, epochs, lr, dropout, shift, optName, seedArg] = process.argv.slice(2);
const seed = +(seedArg ?? 0);
const { train, test } = mnistSplit({ train: 8000, test: 2000, seed: 0 });
let clf;
if (path === 'random') {
  nn.manualSeed(seed + 1);
  clf = new nn.Sequential(new nn.Linear(784, 500), new nn.Sigmoid(), new nn.Linear(500, 500), new nn.Sigmoid(), new nn.Linear(500, 2000), new nn.Sigmoid(), new nn.Linear(2000, 10));
} else {
  const model = await nn.loadModel(path);
  console.log(model.sizes, model.numClasses);
  clf = model.toClassifier({ generator: new nn.Generator(seed + 1) });
}
const p = +dropout;
let net = clf;
if (p > 0) {
  const out = [new nn.Dropout(0.2)];
  for (const l of clf.layers) { out.push(l); if (l instanceof nn.Sigmoid) out.push(new nn.Dropout(p)); }
  net = new nn.Sequential(...out);
}
const optimizer = optName === 'adam' ? new nn.Adam(net.parameters(), { lr: +lr }) : new nn.SGD(net.parameters(), { lr: +lr, momentum: 0.9 });
// Env: LS label smoothing, WARM linear warm-up epochs (then cosine over the rest), BS batch size.
const ls = +(process.env.LS ?? 0), warm = +(process.env.WARM ?? 0), bs = +(process.env.BS ?? 64);
const cosine = new nn.CosineAnnealingLR(optimizer, +epochs - warm);
const base = optimizer.paramGroups.map((g) => g.lr);
let ep = 0;
const setLr = (f) => optimizer.paramGroups.forEach((g, i) => (g.lr = base[i] * f));
if (warm > 0) setLr(1 / (warm + 1));
const scheduler = { step: () => { ep++; if (ep < warm) setLr((ep + 1) / (warm + 1)); else if (ep === warm) setLr(1); else cosine.step(); } };
const s = +shift;
const augment = shift.startsWith('a') ? affine(...shift.slice(1).split(',').map(Number)) : s > 0 ? (x, gen) => nn.reshape(nn.randomTranslate(nn.reshape(x, [x.shape[0], 1, 28, 28]), s, gen), [x.shape[0], 784]) : undefined;
const t0 = Date.now();
const h = await nn.fit(net, train, { loss: ls > 0 ? (p, t) => nn.crossEntropy(p, t, { labelSmoothing: ls }) : 'crossEntropy', accuracy: true, optimizer, scheduler, augment, epochs: +epochs, batchSize: bs, validationData: test, seed, progress: false, verbose: true });
console.log('train', h.epochs.map((e) => (100 * e.accuracy).toFixed(1)).join(' '));
console.log(process.argv.slice(2).join(' '), 'curve', h.epochs.map((e) => (100 * e.valAccuracy).toFixed(2)).join(' '));
console.log(process.argv.slice(2).join(' '), 'final', (100 * nn.evaluate(net, test).accuracy).toFixed(2), 's', (Date.now() - t0) / 1000);
