// bench rnn's LSTM training step alone, in alternating rounds: each round times PyTorch's one-thread
// step (rnn_step.py lstm, 1 s, OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)) and then ours on each
// build at 1 and 2 threads (ourStepMs: LSTM(64, 128) on x [50, 32, 64], MSE of the whole output,
// backward through time, Adam 1e-3; quick timing), and prints the median and range over the rounds of
// each step time and of PyTorch's step time over ours in the same round (above 1: ours is faster).
// --base DIR also times the build of another checkout (DIR/tools/bench/dist, its own nn and kernels)
// in the same rounds, for an A/B of a change.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lstm-vs-pytorch.mjs [--rounds 3] [--base DIR]
import { pathToFileURL } from 'node:url';
import { builds } from '../dist/train-bench.js';
import { ourStepMs } from '../dist/rnn.js';
import { runPytorch } from '../dist/pytorch.js';

const arg = (name, dflt) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? dflt : process.argv[at + 1];
};
const rounds = Number(arg('--rounds', 3));
const baseDir = arg('--base', null);
const contenders = [['', ourStepMs]];
if (baseDir) contenders.push(['base ', (await import(pathToFileURL(`${baseDir}/tools/bench/dist/rnn.js`).href)).ourStepMs]);

const times = new Map();
const ratios = new Map();
const push = (m, key, v) => (m.get(key) ?? m.set(key, []).get(key)).push(v);
for (let r = 0; r < rounds; r++) {
  const torch = runPytorch('rnn_step.py', ['lstm', '--seconds', '1', '--threads', '1'])?.median_step_ms ?? Number.NaN;
  push(times, 'pytorch 1t', torch);
  for (const isa of builds()) {
    for (const threads of [1, 2]) {
      for (const [label, stepMs] of contenders) {
        const ms = await stepMs(isa, 'lstm', true, threads);
        push(times, `${label}${isa} ${threads}t`, ms);
        push(ratios, `${label}${isa} ${threads}t`, torch / ms);
      }
    }
  }
  console.log(`round ${r + 1}: ${[...times].map(([k, v]) => `${k} ${v[v.length - 1].toFixed(1)}`).join(', ')} ms`);
}
const med = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const range = (v, d) => `${Math.min(...v).toFixed(d)}-${Math.max(...v).toFixed(d)}`;
for (const [k, v] of times) {
  const q = ratios.get(k);
  console.log(`${k.padEnd(18)} ${med(v).toFixed(1)} ms (${range(v, 1)})${q ? `, ${med(q).toFixed(2)}x PyTorch's one thread (${range(q, 2)})` : ''}`);
}
// With --base: the base's step time over ours, round by round (above 1: this checkout is faster).
for (const [k, v] of times) {
  const b = times.get(`base ${k}`);
  if (!baseDir || !b || k.startsWith('base ')) continue;
  const q = v.map((ms, i) => b[i] / ms);
  console.log(`${k.padEnd(18)} ${med(q).toFixed(2)}x the base (${range(q, 2)})`);
}
