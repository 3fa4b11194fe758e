// Bundled and minified by esbuild (keepNames: false), then run: layers of many types, a ResNet and
// LeNet-5 saved to a file, loaded back and summarised; the names must be the registered ones. No
// configuration: the bundle has no wasm/ folder beside it, so the kernels use their embedded copy and
// say so once (the warning is part of the output).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { lenet5, resnet, summary } from '@deepwasm/models';

const warnings = [];
const warn = console.warn;
console.warn = (...a) => warnings.push(a.join(' '));
await nn.ready();
console.warn = warn;
const dir = await mkdtemp(join(tmpdir(), 'deepwasm-names-'));
const mixed = new nn.Sequential(
  new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.LeakyReLU(0.1), new nn.MaxPool2d(2),
  new nn.ConvTranspose2d(4, 2, 2, { stride: 2 }), new nn.Upsample({ scaleFactor: 2 }), new nn.AvgPool2d(2), new nn.AdaptiveAvgPool2d(4),
  new nn.Flatten(), new nn.Dropout(0.1), new nn.Linear(32, 8), new nn.ELU(), new nn.Linear(8, 3), new nn.LogSoftmax(1),
);
const out = { warnings };
for (const [name, model, shape] of [['mixed', mixed, [2, 1, 8, 8]], ['resnet18', resnet(18, { numClasses: 10 }), [1, 3, 32, 32]], ['lenet5', lenet5(), [1, 1, 28, 28]]]) {
  await nn.saveModel(model, join(dir, name));
  const again = await nn.loadModel(join(dir, name));
  out[name] = { summary: summary(model, shape), summaryAgain: summary(again, shape), type: nn.moduleTypeName(again) };
}
const sgd = new nn.SGD(mixed.parameters(), { lr: 0.1 });
try {
  sgd.loadStateDict({ state: {}, paramGroups: [] });
} catch (e) {
  out.optimizerError = e.message;
}
await rm(dir, { recursive: true });
console.log(JSON.stringify(out));
