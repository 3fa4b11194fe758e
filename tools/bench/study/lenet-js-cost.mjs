// The JavaScript of one LeNet-5 training step (batch 64, Adam, cross-entropy) alone: every kernel but
// the size queries (*_bytes, *_floats) is a no-op on one thread, so a step is only autograd, tensors,
// checks and dispatch. Prints the median and mean step time and, per step, the objects V8 allocated
// (process.memoryUsage heap growth between scavenges is not exact; this counts young-generation bytes
// from v8.getHeapStatistics' total minus freed, sampled around a batch of steps with GC off the path).
// Run it under `node --cpu-prof` to see where the time goes.
//   node tools/bench/study/lenet-js-cost.mjs [--steps 3000] [--real] [--threads 1] [--isa simd128] [--spin-us 300] [--warmup 1500] [--alloc-prof FILE]
import { loadKernels, setThreads, threadsStarted, closeThreads, poolOf } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { lenet5 } from '@deepwasm/models';
import { lenetStep } from './lenet-step-setup.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const steps = Number(arg('steps', '3000'));
const threads = Number(arg('threads', '1'));
const real = process.argv.includes('--real');
const k = await loadKernels({ isa: arg('isa', 'simd128') });
if (!real) {
  for (const name of Object.keys(k.exports)) {
    if (typeof k.exports[name] === 'function' && name.startsWith('f32_') && !/_bytes$|_floats$/.test(name)) k.exports[name] = () => 0;
  }
}
setThreads(k, threads);
await threadsStarted(k);
// --spin-us N: how long the workers spin on the job number before they block (LAYOUT.SPIN_US).
if (arg('spin-us', null) !== null) Atomics.store(new Int32Array(poolOf(k).control), 7, Number(arg('spin-us', null)));
nn.useKernels(k);
const { step } = lenetStep(nn, lenet5);
// --warmup: steps before the measured ones (V8 optimizes functions called once a step only after some hundreds).
for (let i = 0, n = Number(arg('warmup', '1500')); i < n; i++) step();
const t = [];
const v8 = await import('node:v8');
const before = v8.getHeapStatistics();
const m0 = process.memoryUsage().heapUsed;
// --alloc-prof FILE: a sampling heap profile of everything the steps allocate (garbage included).
const profFile = arg('alloc-prof', null);
let session = null;
if (profFile !== null) {
  const { Session } = await import('node:inspector/promises');
  session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  step();
  t.push(performance.now() - t0);
}
const m1 = process.memoryUsage().heapUsed;
if (session !== null) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  (await import('node:fs')).writeFileSync(profFile, JSON.stringify(profile));
  let bytes = 0;
  const walk = (node) => { bytes += node.selfSize; node.children.forEach(walk); };
  walk(profile.head);
  console.log(`sampled allocations: ${(bytes / steps / 1024).toFixed(1)} KiB a step`);
}
const after = v8.getHeapStatistics();
t.sort((a, b) => a - b);
const mean = t.reduce((a, b) => a + b, 0) / t.length;
console.log(`${real ? 'real kernels' : 'stubbed kernels'}, ${threads} thread(s): median ${(t[t.length >> 1] * 1000).toFixed(0)} µs, mean ${(mean * 1000).toFixed(0)} µs, p90 ${(t[Math.floor(t.length * 0.9)] * 1000).toFixed(0)} µs, max ${(t[t.length - 1] * 1000).toFixed(0)} µs over ${steps} steps`);
const pct = (q) => (t[Math.min(t.length - 1, Math.floor(t.length * q))] * 1000).toFixed(0);
console.log(`percentiles (µs): p10 ${pct(0.1)} p25 ${pct(0.25)} p50 ${pct(0.5)} p75 ${pct(0.75)} p90 ${pct(0.9)} p95 ${pct(0.95)} p99 ${pct(0.99)}; steps above 1.25x the median carry ${(100 * t.filter((v) => v > 1.25 * t[t.length >> 1]).reduce((a, v) => a + v - t[t.length >> 1], 0) / t.reduce((a, v) => a + v - t[t.length >> 1], 0)).toFixed(0)}% of the mean's excess`);
console.log(`heap: used ${((m1 - m0) / 1024).toFixed(0)} KiB net; total_heap_size ${((after.total_heap_size - before.total_heap_size) / 1024).toFixed(0)} KiB`);
closeThreads(k);
