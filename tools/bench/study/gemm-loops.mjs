// Sustained loops of a square GEMM, as bench scaling runs them (rounds of about roundMs, 1 thread and
// 2 threads alternating, the order flipping each round), every call timed: the loop's speed-up and where
// the 2-thread loop loses against twice the one-thread rate. Per 2-thread call: the caller's wait at the
// barrier (after its own tasks, until the last task is done) and whether the call was slow (over twice
// the round's median). Variants of the pool's waiting policy run in the same rounds:
//   spin=<us>   the caller spins at most that long for the last tasks before it blocks (Pool.callerSpinUs)
//   tail=<us>   the caller spins that long whatever the op says (runTasks' tailUs; at most callerSpinUs)
//   wspin=<us>  a worker spins that long for the next job before it blocks (the control word SPIN_US)
//   pair        two independent one-thread GEMMs at once, one a thread: the ceiling of the same rounds
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-loops.mjs [relaxed|simd128] [M] [rounds] [roundMs] [variant...]
import * as K from '@deepwasm/kernels';
import { gemmStudy } from './gemm-study-setup.mjs';

const [isa = 'relaxed', size = '256', roundsArg = '6', roundMsArg = '100', ...variantArgs] = process.argv.slice(2);
const M = Number(size);
const rounds = Number(roundsArg);
const roundMs = Number(roundMsArg);
const { k, whole } = await gemmStudy(isa, M);
const pool = K.poolOf(k);
const defaults = { spin: pool.callerSpinUs, wspin: Atomics.load(pool.ctl, 7) };
const variants = ['1t', '2t', ...variantArgs];
// 'pair': two independent one-thread GEMMs of the same shape at once, one per thread (separate inputs
// and outputs): the host's two-core ceiling for this GEMM, measured in the same rounds.
const fill = (n) => { const p = k.arena.alloc(n * 4); const v = k.arena.f32(p, n); for (let i = 0; i < n; i++) v[i] = Math.cos(i * 0.11); return p; };
const pairTasks = [0, 1].map(() => {
  const [a, b, c] = [fill(M * M), fill(M * M), fill(M * M)];
  return { fn: 'f32_gemm_4x8', args: [0, 0, M, M, M, 1, a, M, b, M, 0, c, M, 0], scratch: 13 };
});
const pair = () => K.runTasks(k, pairTasks, k.exports.gemm_workspace_bytes());

// The caller's wait at the barrier of each job.
let waitMs = 0;
const waitDone = pool.waitDone.bind(pool);
pool.waitDone = (count) => {
  const t0 = performance.now();
  waitDone(count);
  waitMs += performance.now() - t0;
};

// The caller's own tasks in each job: how many, and the longest.
let callerTasks = 0;
let callerLongest = 0;
const call = pool.call;
pool.call = (fn, args) => {
  const t0 = performance.now();
  call(fn, args);
  const t = performance.now() - t0;
  callerTasks++;
  if (t > callerLongest) callerLongest = t;
};

// tail=<us>: the caller's spin for the last tasks whatever the op says (Pool.run's tailUs).
let tailOverride;
const runJob = pool.run.bind(pool);
pool.run = (tasks, tailUs) => runJob(tasks, tailOverride ?? tailUs);

function configure(v) {
  tailOverride = undefined;
  pool.callerSpinUs = defaults.spin;
  Atomics.store(pool.ctl, 7, defaults.wspin);
  for (const part of v.split(',')) {
    const [key, value] = part.split('=');
    if (key === 'spin') pool.callerSpinUs = Number(value);
    if (key === 'wspin') Atomics.store(pool.ctl, 7, Number(value));
    if (key === 'tail') tailOverride = Number(value);
  }
  K.setThreads(k, v === '1t' ? 1 : 2);
  if (v === 'pair') K.setThreads(k, 2);
}

const stats = Object.fromEntries(variants.map((v) => [v, { perCall: [], calls: [], waits: [], tasks: [], longest: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
    configure(v);
    const fn = v === 'pair' ? pair : whole;
    const per = v === 'pair' ? 2 : 1;
    fn();
    const calls = [];
    const waits = [];
    const tasks = [];
    const longest = [];
    const t0 = performance.now();
    while (calls.length < 3 || performance.now() - t0 < roundMs) {
      waitMs = 0;
      callerTasks = 0;
      callerLongest = 0;
      const s = performance.now();
      fn();
      calls.push((performance.now() - s) / per);
      waits.push(waitMs);
      tasks.push(callerTasks);
      longest.push(callerLongest);
    }
    const s = stats[v];
    s.perCall.push((performance.now() - t0) / calls.length / per);
    s.calls.push(calls);
    s.waits.push(waits);
    s.tasks.push(tasks);
    s.longest.push(longest);
  }
}
configure('2t');

const q = (x, p) => [...x].sort((a, b) => a - b)[Math.floor(p * (x.length - 1))];
const us = (ms) => (ms * 1000).toFixed(0);
const one = stats['1t'].perCall;
console.log(`${isa} GEMM ${M}^3, ${rounds} rounds of ${roundMs} ms (load ${(await import('node:os')).loadavg()[0].toFixed(2)}):`);
for (const v of variants) {
  const s = stats[v];
  const ratios = one.map((o, i) => o / s.perCall[i]);
  const all = s.calls.flat();
  const waits = s.waits.flat();
  // Time lost in slow calls: the part of each call above twice its round's median.
  // Slow calls are the caller's (one of its own tasks took 3x the median longest task) or the
  // worker's (the caller waited at the barrier for more than half the call's median).
  let slowCalls = 0;
  let slowExcess = 0;
  let callerSlow = 0;
  let workerSlow = 0;
  s.calls.forEach((calls, r) => {
    const m = q(calls, 0.5);
    const mt = q(s.longest[r], 0.5);
    calls.forEach((c, i) => {
      if (c <= 2 * m) return;
      slowCalls++;
      slowExcess += c - m;
      if (s.longest[r][i] > 3 * mt) callerSlow++;
      else if (s.waits[r][i] > m / 2) workerSlow++;
    });
  });
  const total = all.reduce((a, b) => a + b, 0);
  const wait = waits.reduce((a, b) => a + b, 0);
  console.log(
    `  ${v.padEnd(12)} loop ${us(q(s.perCall, 0.5))} us/call (${us(Math.min(...s.perCall))}-${us(Math.max(...s.perCall))}), x${q(ratios, 0.5).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}); ` +
      `calls p10/p50/p90/max ${us(q(all, 0.1))}/${us(q(all, 0.5))}/${us(q(all, 0.9))}/${us(Math.max(...all))} us; ` +
      `slow ${slowCalls}/${all.length} cost ${((100 * slowExcess) / total).toFixed(1)}%` +
      (v === '1t' ? '' : ` (caller ${callerSlow}, worker ${workerSlow}); caller ran ${q(s.tasks.flat(), 0.5)} tasks (p10 ${q(s.tasks.flat(), 0.1)}, p90 ${q(s.tasks.flat(), 0.9)}); barrier wait ${((100 * wait) / total).toFixed(1)}% (p50 ${us(q(waits, 0.5))} us, p90 ${us(q(waits, 0.9))})`),
  );
}
K.closeThreads(k);
