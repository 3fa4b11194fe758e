// Where one LSTM(64, 128) training step (batch 32 x 50 steps, MSE, Adam: the step of bench rnn) spends
// its time: every kernel call made on the calling thread and every parallel job is timed, and the
// step splits into kernel time on the calling thread, parallel jobs (the caller's share plus its wait
// for the workers) and the JavaScript between them (autograd, tensors, dispatch). Rows sum the calls
// of one kernel (or one kind of job) over the step, with the caller's time inside a job's kernels and
// its mean count of tasks a job; the timing wrappers add about 1 µs a call.
//   node tools/bench/study/lstm-step-profile.mjs [--threads 2] [--isa simd128|relaxed] [--steps 40]
import { loadKernels, setThreads, threadsStarted, poolOf, closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const threads = Number(arg('threads', '1'));
const isa = arg('isa', 'simd128');
const steps = Number(arg('steps', '40'));
const wrap = !process.argv.includes('--no-wrap');

const k = await loadKernels({ isa });
const now = () => performance.now();
let events = null; // [name, start, end, kind, caller's share] of the step being recorded
let inJob = 0;
let mainShare = 0;
let mainCalls = 0;
for (const name of wrap ? Object.keys(k.exports) : []) {
  const f = k.exports[name];
  if (typeof f !== 'function' || !name.startsWith('f32_')) continue;
  k.exports[name] = (...a) => {
    if (events === null) return f(...a);
    const t0 = now();
    const r = f(...a);
    const t1 = now();
    if (inJob) {
      mainShare += t1 - t0;
      mainCalls++;
    }
    else events.push([name, t0, t1, 'direct', 0]);
    return r;
  };
}
setThreads(k, threads);
await threadsStarted(k);
nn.useKernels(k);
const pool = poolOf(k);
if (pool && wrap) {
  const run = pool.run.bind(pool);
  pool.run = (tasks) => {
    if (events === null) return run(tasks);
    const t0 = now();
    inJob++;
    mainShare = 0;
    mainCalls = 0;
    try {
      run(tasks);
    } finally {
      inJob--;
    }
    const t1 = now();
    events.push([`[job] ${tasks[0].fn} x${tasks.length}`, t0, t1, 'job', mainShare, mainCalls]);
  };
}

nn.manualSeed(0);
const layer = new nn.LSTM(64, 128);
const opt = new nn.Adam(layer.parameters(), { lr: 1e-3 });
const x = nn.randn([50, 32, 64]).keep();
const y = nn.randn([50, 32, 128]).keep();
const step = () =>
  nn.tidy(() => {
    opt.zeroGrad();
    nn.mseLoss(layer.forward(x), y).backward();
    opt.step();
  });
for (let i = 0; i < 5; i++) step();

const rows = new Map();
const stepMs = [];
let js = 0;
for (let s = 0; s < steps; s++) {
  events = [];
  const t0 = now();
  step();
  const t1 = now();
  stepMs.push(t1 - t0);
  let prev = t0;
  for (const [name, a, b, kind, share, calls] of events) {
    const r = rows.get(name) ?? rows.set(name, { kind, run: 0, share: 0, n: 0, calls: 0 }).get(name);
    r.calls += calls ?? 0;
    js += a - prev;
    r.run += b - a;
    r.share += share;
    r.n++;
    prev = b;
  }
  js += t1 - prev;
  events = null;
}
const med = [...stepMs].sort((a, b) => a - b)[Math.floor(stepMs.length / 2)];
const us = (v) => ((v / steps) * 1000).toFixed(0).padStart(7);
console.log(`LSTM(64, 128) step, B 32 x T 50, ${isa}, ${threads} thread(s): median ${med.toFixed(2)} ms over ${steps} steps${wrap ? ' (wrapped)' : ''}`);
console.log(`${'kernel or job'.padEnd(44)} ${'calls'.padStart(6)} ${'µs/step'.padStart(7)} ${'caller'.padStart(7)} ${'caller\'s tasks'.padStart(14)}`);
let direct = 0;
let jobs = 0;
for (const [name, r] of [...rows].sort((a, b) => b[1].run - a[1].run)) {
  if (r.kind === 'job') jobs += r.run;
  else direct += r.run;
  console.log(`${name.padEnd(44)} ${String(r.n / steps).padStart(6)} ${us(r.run)} ${r.kind === 'job' ? `${us(r.share)} ${(r.calls / r.n).toFixed(2).padStart(14)}` : ''}`);
}
console.log(`per step: JS between calls ${us(js)} µs, kernels on the caller ${us(direct)} µs, jobs ${us(jobs)} µs`);
closeThreads(k);
