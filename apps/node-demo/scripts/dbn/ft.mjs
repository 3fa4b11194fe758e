import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import '@deepwasm/models';
import { affine } from './affine.mjs';
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
const scheduler = new nn.CosineAnnealingLR(optimizer, +epochs);
const s = +shift;
const augment = shift.startsWith('a') ? affine(...shift.slice(1).split(',').map(Number)) : s > 0 ? (x, gen) => nn.reshape(nn.randomTranslate(nn.reshape(x, [x.shape[0], 1, 28, 28]), s, gen), [x.shape[0], 784]) : undefined;
const t0 = Date.now();
const h = await nn.fit(net, train, { loss: 'crossEntropy', optimizer, scheduler, augment, epochs: +epochs, batchSize: 64, validationData: test, seed, progress: false });
console.log('train', h.epochs.map((e) => (100 * e.accuracy).toFixed(1)).join(' '));
console.log(process.argv.slice(2).join(' '), 'curve', h.epochs.map((e) => (100 * e.valAccuracy).toFixed(2)).join(' '));
console.log(process.argv.slice(2).join(' '), 'final', (100 * nn.evaluate(net, test).accuracy).toFixed(2), 's', (Date.now() - t0) / 1000);
