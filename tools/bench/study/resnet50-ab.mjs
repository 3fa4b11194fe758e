// ResNet-50 batch-1 inference, this worktree's packages against another checkout's (argv[4]: its root,
// e.g. a copy of main with its dist built), in one process, alternating forward by forward; the other
// checkout's nn, models and kernels are separate module instances with their own kernels and pool.
// node --experimental-wasm-relaxed-simd tools/bench/study/resnet50-ab.mjs relaxed 2 /path/to/other [rounds]
import os from 'node:os';
import { median } from './kernels-setup.mjs';

const isa = process.argv[2] ?? 'relaxed';
const threads = Number(process.argv[3] ?? 2);
const other = process.argv[4];
const rounds = Number(process.argv[5] ?? 15);
const here = new URL('../../../', import.meta.url).pathname;
const sides = [];
for (const root of [other, here]) {
  const nn = await import(`${root}/packages/nn/dist/index.js`);
  const { resnet } = await import(`${root}/packages/models/dist/index.js`);
  const K = await import(`${root}/packages/kernels/dist/index.js`);
  await nn.ready({ isa });
  nn.setNumThreads(threads);
  await K.threadsStarted(nn.kernels());
  nn.manualSeed(0);
  const model = resnet(50).eval();
  const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();
  const forward = () => nn.noGrad(() => nn.tidy(() => Array.from(model.forward(input).data)));
  sides.push({ nn, K, forward, logits: forward() });
}
const [a, b] = sides.map((s) => s.logits);
let diff = 0;
let scale = 0;
for (let i = 0; i < a.length; i++) {
  diff = Math.max(diff, Math.abs(a[i] - b[i]));
  scale = Math.max(scale, Math.abs(a[i]));
}
console.log(`logits: ${diff === 0 ? 'the same bits' : `differ by ${diff.toExponential(2)} (scale ${scale.toFixed(2)})`}`);
for (const s of sides) for (let i = 0; i < 2; i++) s.forward();
const t = [[], []];
for (let r = 0; r < rounds; r++) {
  for (let s = 0; s < 2; s++) {
    const t0 = performance.now();
    sides[(r + s) % 2].forward();
    t[(r + s) % 2].push(performance.now() - t0);
  }
}
const ratios = t[0].map((v, i) => v / t[1][i]);
const fmt = (x) => `${median(x).toFixed(1)} ms (${Math.min(...x).toFixed(1)}-${Math.max(...x).toFixed(1)})`;
console.log(`ResNet-50 ${isa} ${threads}t, ${rounds} rounds: other ${fmt(t[0])}, this ${fmt(t[1])}, speed-up ${median(ratios).toFixed(3)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}), load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
for (const s of sides) s.K.closeThreads(s.nn.kernels());
