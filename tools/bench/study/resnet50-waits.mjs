// Where the calling thread waits in ResNet-50's batch-1 forward on several threads: every parallel job
// of the forward (by its kernel and task count), its time and the caller's time in waitDone (its own
// tasks done, the workers' not yet), per forward.
// node --experimental-wasm-relaxed-simd tools/bench/study/resnet50-waits.mjs [threads] [spin=<us>]
import * as K from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { resnet } from '@deepwasm/models';
const threads = Number(process.argv[2] ?? 2);
// 'spin=<us>': how long the workers spin for the next job before they block (the pool's default 300).
const spinArg = process.argv.find((a) => a.startsWith('spin='));
await nn.ready({ isa: 'relaxed' });
nn.setNumThreads(threads);
await K.threadsStarted(nn.kernels());
if (spinArg !== undefined) Atomics.store(new Int32Array(K.poolOf(nn.kernels()).control), 7, Number(spinArg.slice(5)));
nn.manualSeed(0);
const model = resnet(50).eval();
const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();
const P = (await import('../../../packages/kernels/dist/threads/pool.js')).Pool.prototype;
const run0 = P.run, wait0 = P.waitDone;
const stats = new Map();
let cur = null;
P.waitDone = function (...a) { const s = performance.now(); wait0.apply(this, a); cur.wait += performance.now() - s; };
// The caller's own tasks: its time computing inside the jobs (the rest of a job is writing it and waiting).
const pool = K.poolOf(nn.kernels());
if (pool !== undefined) {
  const call0 = pool.call;
  pool.call = (fn, args) => { const s = performance.now(); call0(fn, args); cur.own += performance.now() - s; cur.tasks++; };
}
// Jobs that found the worker asleep (it spins SPIN_US after a job, then blocks; the notify then takes 40-400 us).
let asleep = 0;
// The calling thread's time between the end of one job and the start of the next (JS, one-thread ops).
let lastEnd = 0;
let gaps = 0;
let longGaps = 0;
const before = new Map();
P.run = function (tasks) {
  const gap = performance.now() - lastEnd;
  const key0 = `${tasks[0].fn} x${tasks.length}`;
  if (gap < 50) { gaps += gap; if (gap > 0.3) { longGaps++; before.set(key0, (before.get(key0) ?? 0) + gap); } }
  const slept = Atomics.load(new Int32Array(this.control), 5) > 0;
  if (slept) asleep++;
  const key = `${tasks[0].fn} x${tasks.length}`;
  cur = stats.get(key) ?? { n: 0, total: 0, wait: 0, own: 0, tasks: 0, asleep: 0 };
  if (slept) cur.asleep++;
  stats.set(key, cur);
  const s = performance.now();
  run0.call(this, tasks);
  cur.n++; cur.total += performance.now() - s;
  lastEnd = performance.now();
};
const R = 15;
for (let i = 0; i < 3; i++) nn.noGrad(() => nn.tidy(() => void model.forward(input)));
stats.clear();
asleep = 0;
gaps = 0;
longGaps = 0;
before.clear();
const t = [];
for (let i = 0; i < R; i++) { const s = performance.now(); nn.noGrad(() => nn.tidy(() => void model.forward(input))); t.push(performance.now() - s); }
t.sort((a, b) => a - b);
console.log(`median ${t[R >> 1].toFixed(1)} min ${t[0].toFixed(1)} max ${t[R - 1].toFixed(1)} load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
let T = 0, W = 0, N = 0, O = 0;
for (const [k, v] of [...stats].sort((a, b) => b[1].wait - a[1].wait)) {
  T += v.total; W += v.wait; N += v.n; O += v.own;
  console.log(`${k.padEnd(50)} jobs/fwd ${(v.n / R).toFixed(1).padStart(5)} ms/fwd ${(v.total / R).toFixed(2).padStart(6)} wait/fwd ${(v.wait / R).toFixed(2).padStart(5)} caller's tasks/fwd ${(v.own / R).toFixed(2).padStart(6)} (${(v.tasks / v.n).toFixed(1)} a job), worker asleep ${(v.asleep / R).toFixed(1)}`);
}
console.log(`jobs/fwd ${(N / R).toFixed(0)} in jobs ${(T / R).toFixed(1)} ms, caller waiting ${(W / R).toFixed(1)} ms, in its own tasks ${(O / R).toFixed(1)} ms per forward; ${(asleep / R).toFixed(1)} jobs a forward found the worker asleep; between jobs ${(gaps / R).toFixed(1)} ms a forward, ${(longGaps / R).toFixed(1)} gaps over 300 us`);
K.closeThreads(nn.kernels());
console.log(`gaps over 300 us, ms a forward by the job after them: ${[...before].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / R).toFixed(2)}`).join(', ')}`);
