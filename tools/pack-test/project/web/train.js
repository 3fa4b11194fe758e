// What the page and the module Worker both do, from the installed packages: train a small MLP a few
// steps, save it to bytes and load it back (same predictions), and save, load and summarise LeNet-5
// (the layer names must survive minification). The console warnings of the packages are returned.
import * as nn from '@deepwasm/nn';
import { lenet5, summary } from '@deepwasm/models';

export async function trainSaveLoad(where, readyOptions) {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => {
    warnings.push(a.join(' '));
    warn(...a);
  };
  let k;
  try {
    k = await nn.ready(readyOptions);
  } finally {
    console.warn = warn;
  }
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
  const again = nn.modelFromBuffers(nn.modelToBytes(model));
  const before = nn.noGrad(() => model.forward(x).toArray());
  const after = nn.noGrad(() => again.forward(x).toArray());
  const net = lenet5();
  const netAgain = nn.modelFromBuffers(await nn.modelToBlob(net).arrayBuffer());
  return {
    where, isa: k.isa, shared: k.shared, threads: nn.getNumThreads(), cores: navigator.hardwareConcurrency, warnings,
    first: losses[0], last: losses.at(-1), same: before.every((v, i) => v === after[i]),
    summary: summary(net, [1, 1, 28, 28]), summaryAgain: summary(netAgain, [1, 1, 28, 28]),
  };
}
