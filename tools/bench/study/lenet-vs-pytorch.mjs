// bench cnn's LeNet-5 rows alone, in alternating rounds: each round times PyTorch's one-thread step
// (train_step.py lenet5, 1 s, OPENBLAS_NUM_THREADS=1) and then ours on each build at 1 and 2 threads
// (ourTrainingRate: forward, cross-entropy, backward, Adam at batch 64, quick timing), and prints the
// median and range over the rounds of each rate and of its ratio to the same round's PyTorch rate.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lenet-vs-pytorch.mjs [--rounds 3]
import { lenet5 } from '@deepwasm/models';
import { builds, ourTrainingRate } from '../dist/train-bench.js';
import { runPytorch } from '../dist/pytorch.js';

const at = process.argv.indexOf('--rounds');
const rounds = at < 0 ? 3 : Number(process.argv[at + 1]);
const rates = new Map();
const ratios = new Map();
const push = (m, key, v) => (m.get(key) ?? m.set(key, []).get(key)).push(v);
for (let r = 0; r < rounds; r++) {
  const torch = runPytorch('train_step.py', ['lenet5', '--seconds', '1', '--threads', '1'])?.samples_per_sec ?? Number.NaN;
  push(rates, 'pytorch 1t', torch);
  for (const isa of builds()) {
    for (const threads of [1, 2]) {
      const { rate } = await ourTrainingRate(isa, () => lenet5(), [64, 1, 28, 28], true, threads);
      push(rates, `${isa} ${threads}t`, rate);
      push(ratios, `${isa} ${threads}t`, rate / torch);
    }
  }
  console.log(`round ${r + 1}: ${[...rates].map(([k, v]) => `${k} ${v[v.length - 1].toFixed(0)}`).join(', ')} images/s`);
}
const med = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const range = (v, d) => `${Math.min(...v).toFixed(d)}-${Math.max(...v).toFixed(d)}`;
for (const [k, v] of rates) {
  const q = ratios.get(k);
  console.log(`${k.padEnd(12)} ${med(v).toFixed(0)} images/s (${range(v, 0)})${q ? `, ${med(q).toFixed(2)}x PyTorch's one thread (${range(q, 2)})` : ''}`);
}
