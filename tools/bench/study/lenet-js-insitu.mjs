// The JavaScript of the LeNet-5 training step (batch 64, Adam, cross-entropy) where it runs: between
// real kernels, whose data pushes the JavaScript's code and objects out of the caches (lenet-js-cost.mjs
// --stub times it cache-hot, with no kernels). One thread, no pool: every kernel call is timed (a plain
// wrapper, two clock reads) and a step's JavaScript is its time minus its kernels' time. Checkouts
// (--roots, comma-separated, each built) run as child processes in alternating rounds, after
// --warmup steps (V8 optimizes the step's functions after some hundreds); medians over the rounds.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lenet-js-insitu.mjs [--roots .,/work/main] [--rounds 4] [--steps 400] [--warmup 1500] [--isa relaxed]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { lenetStep } from './lenet-step-setup.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};

if (process.argv[2] === '--child') {
  const [root, isa, warmup, steps] = process.argv.slice(3);
  const K = await import(`${root}/packages/kernels/dist/index.js`);
  const nn = await import(`${root}/packages/nn/dist/index.js`);
  const { lenet5 } = await import(`${root}/packages/models/dist/index.js`);
  const k = await K.loadKernels({ isa });
  let inKernels = 0;
  for (const name of Object.keys(k.exports)) {
    const f = k.exports[name];
    if (typeof f !== 'function' || !name.startsWith('f32_')) continue;
    const g = f.original ?? f;
    k.exports[name] = (...a) => {
      const t0 = performance.now();
      const r = g(...a);
      inKernels += performance.now() - t0;
      return r;
    };
  }
  nn.useKernels(k);
  const { step } = lenetStep(nn, lenet5);
  for (let i = 0; i < Number(warmup); i++) step();
  const js = [];
  const total = [];
  for (let i = 0; i < Number(steps); i++) {
    inKernels = 0;
    const t0 = performance.now();
    step();
    const t = performance.now() - t0;
    total.push(t);
    js.push(t - inKernels);
  }
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  console.log(JSON.stringify({ js: med(js), step: med(total) }));
} else {
  const here = fileURLToPath(new URL('../../..', import.meta.url));
  const roots = arg('roots', `.,/work/main`).split(',').map((r) => (r === '.' ? here : path.resolve(r)));
  const [rounds, isa, warmup, steps] = [Number(arg('rounds', '4')), arg('isa', 'relaxed'), arg('warmup', '1500'), arg('steps', '400')];
  const res = roots.map(() => ({ js: [], step: [] }));
  for (let r = 0; r < rounds; r++) {
    const order = roots.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const o = JSON.parse(execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', roots[i], isa, warmup, steps]).toString());
      res[i].js.push(o.js);
      res[i].step.push(o.step);
    }
  }
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const range = (v, f) => `${f(Math.min(...v))}-${f(Math.max(...v))}`;
  const us = (v) => (v * 1000).toFixed(0);
  roots.forEach((root, i) => console.log(`${root}: JavaScript ${us(med(res[i].js))} µs a step (${range(res[i].js, us)}), step ${med(res[i].step).toFixed(3)} ms (${range(res[i].step, (v) => v.toFixed(3))}), ${isa}, 1 thread`));
}
