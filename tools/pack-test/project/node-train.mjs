// Node, plain ESM, from the installed tarballs: train a few steps, save, reload, predict the same;
// a preset and its summary; a dataset; MNIST asked for without the optional "mnist" package.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { lenet5, summary } from '@deepwasm/models';
import { karateClub, loadMnist } from '@deepwasm/data';

const k = await nn.ready();
nn.manualSeed(0);
const x = nn.tensor([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
const y = [0, 1, 1, 0];
const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
const optimizer = new nn.Adam(model.parameters(), { lr: 0.05 });
const losses = [];
for (let step = 0; step < 100; step++) {
  optimizer.zeroGrad();
  const loss = nn.crossEntropy(model.forward(x), y);
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
}
const dir = await mkdtemp(join(tmpdir(), 'deepwasm-node-'));
const saved = await nn.saveModel(model, join(dir, 'xor'));
const again = await nn.loadModel(join(dir, 'xor'));
const before = nn.noGrad(() => model.forward(x).toArray());
const after = nn.noGrad(() => again.forward(x).toArray());
await rm(dir, { recursive: true });

const net = lenet5();
const table = summary(net, [1, 1, 28, 28]);
let mnistError = null;
try {
  loadMnist();
} catch (e) {
  mnistError = e.message;
}
const karate = karateClub();
console.log(
  JSON.stringify({
    isa: k.isa, threads: nn.getNumThreads(), first: losses[0], last: losses.at(-1), file: saved.path.endsWith('xor.safetensors'),
    same: before.every((v, i) => v === after[i]), summary: table, mnistError, karateNodes: karate.numNodes,
  }),
);
