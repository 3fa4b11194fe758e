// Trains demo --task rbm's recipe (784-500, plain SGD lr 0.05 constant, batch 64, 30 epochs; cd1 or pcd) with a
// chosen generator seed on the seed-0 split that demo --task rbm --out writes as mnist-binarised.u8, and saves
// weight [500, 784], visible_bias and hidden_bias as raw float32 (<out>-W.f32, -b.f32, -c.f32) for rbm_ais.py.
// usage: node rbm-train-save.mjs <seed> <cd1|pcd> <out prefix>  (after pnpm build)
import * as nn from '../../../packages/nn/dist/index.js';
import { mnistSplit } from '../../../packages/data/dist/index.js';
import { writeFileSync } from 'node:fs';
const seed = Number(process.argv[2] ?? 0), recipe = process.argv[3] ?? 'pcd', out = process.argv[4] ?? `ours-${recipe}-s${seed}`;
nn.setNumThreads(1);
await nn.ready();
const { train } = mnistSplit({ train: 8000, test: 2000, seed: 0 }); // the split of out/mnist-binarised.u8 (seed 0) for every training seed
const trainX = Float32Array.from(train.x, (p) => (p > 0.5 ? 1 : 0));
const g = new nn.Generator(seed);
const rbm = new nn.RBM(784, 500, { generator: g });
const opt = new nn.SGD(rbm.parameters(), { lr: 0.05 });
for (let epoch = 0; epoch < 30; epoch++) {
  const order = g.permutation(8000);
  for (let s = 0; s < 8000; s += 64) {
    const idx = order.subarray(s, Math.min(8000, s + 64));
    const batch = new Float32Array(idx.length * 784);
    idx.forEach((r, i) => batch.set(trainX.subarray(r * 784, (r + 1) * 784), i * 784));
    opt.zeroGrad();
    nn.tidy(() => rbm.contrastiveDivergence(nn.fromArray(batch, [idx.length, 784]), { persistent: recipe === 'pcd', generator: g }).reconstructionError);
    opt.step();
  }
  if (epoch % 10 === 9) console.log('epoch', epoch + 1, new Date().toISOString());
}
writeFileSync(out + '-W.f32', rbm.weight.toArray());
writeFileSync(out + '-b.f32', rbm.visibleBias.toArray());
writeFileSync(out + '-c.f32', rbm.hiddenBias.toArray());
console.log('saved', out);
