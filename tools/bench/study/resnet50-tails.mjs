// What the calling thread's waits at the end of ResNet-50's batch-1 jobs (2 threads) come with: per job
// kind, the caller's wait split by how many of the job's tasks the caller ran (its share: the worker
// kept up; more: the worker started late or was held up), and the wait against the caller's own time.
// node --experimental-wasm-relaxed-simd tools/bench/study/resnet50-tails.mjs [forwards]
import * as K from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { resnet } from '@deepwasm/models';
import os from 'node:os';

const R = Number(process.argv[2] ?? 15);
await nn.ready({ isa: 'relaxed' });
nn.setNumThreads(2);
await K.threadsStarted(nn.kernels());
nn.manualSeed(0);
const model = resnet(50).eval();
const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();
const P = (await import('../../../packages/kernels/dist/threads/pool.js')).Pool.prototype;
const run0 = P.run, wait0 = P.waitDone;
const pool = K.poolOf(nn.kernels());
let job = null;
const call0 = pool.call;
pool.call = (fn, args) => { const s = performance.now(); call0(fn, args); job.own += performance.now() - s; job.ran++; };
P.waitDone = function (...a) { const s = performance.now(); wait0.apply(this, a); job.wait += performance.now() - s; };
const stats = new Map();
let on = false;
P.run = function (tasks, tailUs) {
  job = { own: 0, wait: 0, ran: 0, n: tasks.length };
  const asleep = Atomics.load(new Int32Array(this.control), 5) > 0;
  const s = performance.now();
  run0.call(this, tasks, tailUs);
  const total = performance.now() - s;
  if (!on) return;
  const share = Math.ceil(tasks.length / 2);
  const key = `${tasks[0].fn} x${tasks.length}`;
  const st = stats.get(key) ?? { jobs: 0, total: 0, wait: 0, own: 0, byRan: new Map(), asleepWait: 0, asleep: 0 };
  st.jobs++; st.total += total; st.wait += job.wait; st.own += job.own;
  if (asleep) { st.asleep++; st.asleepWait += job.wait; }
  const d = job.ran - share;
  const b = st.byRan.get(d) ?? [0, 0];
  st.byRan.set(d, [b[0] + 1, b[1] + job.wait]);
  stats.set(key, st);
};
const fwd = () => nn.noGrad(() => nn.tidy(() => void model.forward(input)));
for (let i = 0; i < 3; i++) fwd();
on = true;
const t = [];
for (let i = 0; i < R; i++) { const s = performance.now(); fwd(); t.push(performance.now() - s); }
t.sort((a, b) => a - b);
console.log(`forward median ${t[R >> 1].toFixed(1)} (${t[0].toFixed(1)}-${t[R - 1].toFixed(1)}) ms, load ${os.loadavg()[0].toFixed(2)}`);
for (const [key, st] of [...stats].sort((a, b) => b[1].wait - a[1].wait)) {
  const by = [...st.byRan].sort((a, b) => a[0] - b[0]).map(([d, [n, w]]) => `${d >= 0 ? '+' : ''}${d}: ${n} jobs ${(w / R).toFixed(2)}`).join(', ');
  console.log(`${key.padEnd(46)} ${(st.total / R).toFixed(1).padStart(5)} ms/fwd, wait ${(st.wait / R).toFixed(2)} (${(100 * st.wait / st.total).toFixed(0)}%), asleep ${(st.asleep / R).toFixed(1)} jobs ${(st.asleepWait / R).toFixed(2)} ms; caller ran share ${by}`);
}
K.closeThreads(nn.kernels());
