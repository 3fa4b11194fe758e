// Who runs while the LeNet-5 training step (batch 64, Adam; relaxed SIMD, 2 threads) runs: every
// thread of the process (the caller, the pool's worker, V8's platform threads, which compile and
// collect garbage) with its CPU time, its time waiting for a core on the run queue and its context
// switches (/proc/self/task/*/schedstat and status, Linux), over N steps after --warmup steps. Found
// here (14:38 UTC, load 2.4): after 200 warm-up steps the platform threads still ran 350 ms in 600
// steps, TurboFan compiling the step's functions (V8 optimizes a function called once a step only
// after some hundreds of steps; with --no-concurrent-recompilation they ran 16 ms); and the caller
// and the worker each waited ~9% of the wall time for a core.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lenet-sched.mjs [--steps 800] [--warmup 200] [--threads 2] [--isa relaxed]
import fs from 'node:fs';
import { loadKernels, setThreads, threadsStarted, closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { lenet5 } from '@deepwasm/models';
import { lenetStep } from './lenet-step-setup.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const steps = Number(arg('steps', '800'));
const k = await loadKernels({ isa: arg('isa', 'relaxed') });
setThreads(k, Number(arg('threads', '2')));
await threadsStarted(k);
nn.useKernels(k);
const { step } = lenetStep(nn, lenet5);
for (let i = 0, n = Number(arg('warmup', '200')); i < n; i++) step();

// Per thread: [ran ns, waited ns, slices, voluntary switches, involuntary switches].
const snap = () => Object.fromEntries(fs.readdirSync('/proc/self/task').map((t) => {
  const s = fs.readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').trim().split(' ').map(Number);
  const st = fs.readFileSync(`/proc/self/task/${t}/status`, 'utf8');
  const count = (re) => Number(re.exec(st)[1]);
  return [t, [...s, count(/\nvoluntary_ctxt_switches:\s+(\d+)/), count(/nonvoluntary_ctxt_switches:\s+(\d+)/)]];
}));
const before = snap();
const t0 = performance.now();
const times = [];
for (let i = 0; i < steps; i++) {
  const s = performance.now();
  step();
  times.push(performance.now() - s);
}
const wall = performance.now() - t0;
const after = snap();
times.sort((a, b) => a - b);
console.log(`${steps} steps in ${wall.toFixed(0)} ms: median ${times[steps >> 1].toFixed(2)} ms, mean ${(wall / steps).toFixed(2)} ms`);
const main = String(process.pid);
for (const t of Object.keys(after)) {
  if (before[t] === undefined) continue;
  const d = after[t].map((v, i) => v - before[t][i]);
  if (d[0] < 1e6) continue;
  console.log(`thread ${t}${t === main ? ' (caller)' : ''}: ran ${(d[0] / 1e6).toFixed(0)} ms, waited for a core ${(d[1] / 1e6).toFixed(1)} ms, ${d[2]} slices, switches ${d[3]} voluntary / ${d[4]} involuntary`);
}
closeThreads(k);
