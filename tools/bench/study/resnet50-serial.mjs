// Where ResNet-50's batch-1 forward spends the calling thread's time outside the parallel jobs: every
// kernel call on the caller (outside a job) and every job is timed; the rest is JavaScript (modules,
// ops, tensor bookkeeping, dispatch). Prints the serial kernels by name, the jobs' total, and the
// JavaScript between calls, summed per forward and by the call that follows it.
// --stub replaces every kernel but the size queries by a no-op (use one thread): the forward's
// JavaScript alone.
//   node --experimental-wasm-relaxed-simd tools/bench/study/resnet50-serial.mjs [--threads 2] [--forwards 10] [--stub]
import { closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { resnet } from '@deepwasm/models';
import { arg, profiledKernels } from './step-profile-setup.mjs';

const threads = Number(arg('threads', '2'));
const isa = arg('isa', 'relaxed');
const R = Number(arg('forwards', '10'));
const stub = process.argv.includes('--stub');
const { k, record } = await profiledKernels({ isa, threads, stub });
nn.manualSeed(0);
const model = resnet(50).eval();
const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();
const fwd = () => nn.noGrad(() => nn.tidy(() => void model.forward(input)));
for (let i = 0; i < 3; i++) fwd();
const direct = new Map();
const jsBefore = new Map();
let js = 0, dir = 0, jobs = 0, nJobs = 0, nDirect = 0;
const ms = [];
const jsPer = [];
const gapsPer = [];
for (let r = 0; r < R; r++) {
  const { t0, t1, events } = record(fwd);
  ms.push(t1 - t0);
  let prev = t0;
  const js0 = js;
  let gaps = 0;
  for (const [name, a, b, kind] of events) {
    js += a - prev;
    if (kind === 'job' && a - prev > 0.3) gaps++;
    jsBefore.set(name, (jsBefore.get(name) ?? 0) + (a - prev));
    if (kind === 'job') { jobs += b - a; nJobs++; } else {
      dir += b - a; nDirect++;
      const d = direct.get(name) ?? { n: 0, t: 0 };
      d.n++; d.t += b - a; direct.set(name, d);
    }
    prev = b;
  }
  js += t1 - prev;
  jsPer.push(js - js0);
  gapsPer.push(gaps);
}
jsPer.sort((a, b) => a - b);
ms.sort((a, b) => a - b);
const f = (v) => (v / R).toFixed(2).padStart(7);
console.log(`ResNet-50 forward, ${isa}, ${threads} thread(s)${stub ? ', kernels stubbed' : ''}: median ${ms[R >> 1].toFixed(1)} ms (${ms[0].toFixed(1)}-${ms[R - 1].toFixed(1)}), load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
console.log(`per forward: JS ${f(js)} ms, kernels on the caller ${f(dir)} ms (${(nDirect / R).toFixed(0)} calls), ${(nJobs / R).toFixed(0)} jobs ${f(jobs)} ms`);
console.log(`JS per forward: min ${jsPer[0].toFixed(2)} median ${jsPer[R >> 1].toFixed(2)} max ${jsPer[R - 1].toFixed(2)} ms; stretches over 300 us before a job: ${(gapsPer.reduce((a, b) => a + b, 0) / R).toFixed(1)} a forward`);
console.log('kernels on the caller (ms per forward, calls):');
for (const [name, d] of [...direct].sort((a, b) => b[1].t - a[1].t).slice(0, 25)) console.log(`  ${name.padEnd(48)} ${f(d.t)} ${(d.n / R).toFixed(0).padStart(4)}`);
console.log('JS before each kind of call (ms per forward):');
for (const [name, t] of [...jsBefore].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${name.padEnd(48)} ${f(t)}`);
closeThreads(k);
