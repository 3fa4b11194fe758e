// What a freshly compiled kernel module costs the LeNet-5 training step (batch 64, Adam) in its first
// second: V8 compiles WebAssembly with its baseline compiler (Liftoff) and tiers hot functions up to
// TurboFan as they run, so a fresh module's first steps run slower code. In one process (the JS warm
// after a first load), rounds alternate a fresh compile of the build's bytes against a load that
// reuses an already tiered-up module (loadKernels' `source` as a WebAssembly.Module); each round times
// --steps steps after 5 warm-up steps (as bench's ourTrainingRate) and prints the median.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lenet-fresh-module.mjs [--threads 2] [--isa relaxed] [--rounds 4] [--steps 250]
import { loadKernels, setThreads, threadsStarted, closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { lenet5 } from '@deepwasm/models';
import { lenetStep } from './lenet-step-setup.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const threads = Number(arg('threads', '2'));
const isa = arg('isa', 'relaxed');
const rounds = Number(arg('rounds', '4'));
const steps = Number(arg('steps', '250'));

async function timeSteps(source, n) {
  const k = await loadKernels(source === undefined ? { isa } : { isa, source });
  setThreads(k, threads);
  await threadsStarted(k);
  nn.useKernels(k);
  const { model, opt, x, step } = lenetStep(nn, lenet5);
  for (let i = 0; i < 5; i++) step();
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    step();
    t.push(performance.now() - t0);
  }
  x.dispose();
  opt.dispose();
  model.dispose();
  closeThreads(k);
  const half = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  return { k, median: half(t), first: half(t.slice(0, 50)), last: half(t.slice(-50)) };
}

// Warm the JavaScript (and tier up one module) first.
const warm = await timeSteps(undefined, 600);
console.log(`warm-up load: median ${warm.median.toFixed(2)} ms`);
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const fresh = [];
const reused = [];
for (let r = 0; r < rounds; r++) {
  for (const kind of r % 2 === 0 ? ['fresh', 'reused'] : ['reused', 'fresh']) {
    const res = await timeSteps(kind === 'fresh' ? undefined : warm.k.module, steps);
    (kind === 'fresh' ? fresh : reused).push(res.median);
    console.log(`round ${r + 1} ${kind.padEnd(6)}: median ${res.median.toFixed(2)} ms (first 50 steps ${res.first.toFixed(2)}, last 50 ${res.last.toFixed(2)})`);
  }
}
console.log(`${isa} ${threads}t, ${steps} steps a load: fresh module ${med(fresh).toFixed(2)} ms (${Math.min(...fresh).toFixed(2)}-${Math.max(...fresh).toFixed(2)}), reused ${med(reused).toFixed(2)} ms (${Math.min(...reused).toFixed(2)}-${Math.max(...reused).toFixed(2)})`);
