// A timeline of single GEMM calls on 2 threads in a sustained loop (as bench scaling runs them): the
// pool's worker runs an instrumented copy of its source (work.js, the task call timed) and the caller's
// pool.run / pool.call / waitDone are wrapped, all on one clock (timeOrigin + now). Per call: the JS
// before the job (gemm() to pool.run), writing the job (pool.run to the caller's task), when the
// worker's task starts after the caller's, both tasks' lengths, who finishes first and by how much, the
// caller's wait at the barrier and the JS after it; then the medians, and how the slow calls (over twice
// the median) split. Beside it, 1-thread calls in alternating rounds.
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-timeline.mjs [relaxed|simd128] [MxKxN] [rounds] [roundMs] [kernels dir]
// (kernels dir: another build's packages/kernels, with its dist/ and wasm/; by default this checkout's)
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const [isa = 'relaxed', shape = '256x256x256', roundsArg = '6', roundMsArg = '100', dir] = process.argv.slice(2);
const [M, Kd, N] = shape.split('x').map(Number);
const root = dir === undefined ? new URL('../../../packages/kernels/', import.meta.url) : pathToFileURL(`${dir}/`);
const K = await import(new URL('dist/index.js', root));
const kernelsDir = new URL('dist/threads/', root);
const { sharedATakeovers } = await import(new URL('dist/ops/gemm.js', root));
const { Pool } = await import(new URL('pool.js', kernelsDir));
const { workerSource } = await import(new URL('work.js', kernelsDir));
const { LAYOUT } = await import(new URL('layout.js', kernelsDir));

// Per job slot (seq mod SLOTS): [worker saw the job, worker task start, worker task end, tasks the worker ran].
const SLOTS = 1 << 14;
const trace = new SharedArrayBuffer(SLOTS * 4 * 8);
const T = new Float64Array(trace);
const now = () => performance.timeOrigin + performance.now();
let src = workerSource();
src = src.replace('call(f64[at], args);', 'const __s = performance.timeOrigin + performance.now(); call(f64[at], args); const __e = performance.timeOrigin + performance.now(); const __o = (seq & 16383) * 4; if (thread !== 0) { if (__T[__o + 1] === 0) __T[__o + 1] = __s; __T[__o + 2] = __e; __T[__o + 3]++; }');
src = src.replace('seen = seq;', 'seen = seq; __T[(seq & 16383) * 4] = performance.timeOrigin + performance.now();');
src = src.replace("'use strict';", "'use strict';\nlet __T;");
src = src.replace('workerMain(workerData, runClaimed);', '__T = new Float64Array(workerData.trace); workerMain(workerData, runClaimed);');
if (!src.includes('__T[__o + 1]') || !src.includes('seen = seq; __T')) throw new Error('work.js changed: the instrumentation did not apply');
Pool.prototype.spawn = function spawn(thread) {
  const w = new Worker(src, { eval: true, workerData: { module: this.k.module, memory: this.k.memory, control: this.control, thread, layout: LAYOUT, trace } });
  w.unref();
  return w;
};

const k = await K.loadKernels({ isa });
K.setThreads(k, 2);
await K.threadsStarted(k);
const pool = K.poolOf(k);
const put = (n) => { const p = k.arena.alloc(n * 4); const v = k.arena.f32(p, n); for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37); return p; };
const [a, b, c] = [put(M * Kd), put(Kd * N), put(M * N)];
const run = () => K.gemm(k, false, false, M, N, Kd, 1, a, Kd, b, N, 0, c, N);

// The caller's marks of the current call.
let mark = {};
const runJob = pool.run.bind(pool);
pool.run = (tasks, tailUs) => { mark.run = now(); mark.jobs = (mark.jobs ?? 0) + 1; runJob(tasks, tailUs); mark.runEnd = now(); };
const call = pool.call;
pool.call = (fn, args) => { const s = now(); call(fn, args); const e = now(); mark.cs ??= s; mark.ce = e; };
const waitDone = pool.waitDone.bind(pool);
pool.waitDone = (count, spinUs) => { mark.wait = now(); waitDone(count, spinUs); mark.waitEnd = now(); };

const one = [];
const rows = [];
for (let r = 0; r < Number(roundsArg); r++) {
  for (const t of r % 2 === 0 ? [1, 2] : [2, 1]) {
    K.setThreads(k, t);
    run();
    const t0 = performance.now();
    let n = 0;
    while (n < 3 || performance.now() - t0 < Number(roundMsArg)) {
      mark = {};
      const slot = ((pool.seq + 1) & (SLOTS - 1)) * 4;
      T[slot] = T[slot + 1] = T[slot + 2] = T[slot + 3] = 0;
      const s = now();
      run();
      const e = now();
      n++;
      if (t === 1) { one.push(e - s); continue; }
      if (mark.jobs !== 1) continue;
      const [seen, ws, we, wn] = [T[slot], T[slot + 1], T[slot + 2], T[slot + 3]];
      rows.push({
        total: e - s, pre: mark.run - s, publish: mark.cs - mark.run, seen: seen ? seen - mark.cs : NaN, lag: wn ? ws - mark.cs : NaN,
        caller: mark.ce - mark.cs, worker: wn ? we - ws : 0, ends: wn ? we - mark.ce : NaN, wait: mark.wait === undefined ? 0 : mark.waitEnd - mark.wait, post: e - (mark.waitEnd ?? mark.runEnd),
      });
    }
  }
}
const q = (x, p) => { const y = x.filter((v) => !Number.isNaN(v)).sort((u, v) => u - v); return y[Math.floor(p * (y.length - 1))]; };
const us = (ms) => (ms * 1000).toFixed(0).padStart(5);
const keys = ['total', 'pre', 'publish', 'seen', 'lag', 'caller', 'worker', 'ends', 'wait', 'post'];
console.log(`${isa} GEMM ${M}x${Kd}x${N}, ${rows.length} 2-thread calls (load ${(await import('node:os')).loadavg()[0].toFixed(2)}); 1 thread p10/p50 ${us(q(one, 0.1))}/${us(q(one, 0.5))} us`);
console.log('  us:      ' + keys.map((x) => x.padStart(7)).join(''));
for (const p of [0.1, 0.5, 0.9]) console.log(`  p${String(p * 100).padEnd(3)}     ` + keys.map((x) => us(q(rows.map((r) => r[x]), p)).padStart(7)).join(''));
const m = q(rows.map((r) => r.total), 0.5);
const slow = rows.filter((r) => r.total > 2 * m);
console.log(`  slow calls (> ${us(2 * m)} us): ${slow.length} of ${rows.length}, ${((100 * slow.reduce((s, r) => s + r.total - m, 0)) / rows.reduce((s, r) => s + r.total, 0)).toFixed(1)}% of the time; each:`);
for (const r of slow.slice(0, 12)) console.log('           ' + keys.map((x) => us(r[x]).padStart(7)).join(''));
const sum = (f) => rows.reduce((s, r) => s + (Number.isNaN(f(r)) ? 0 : f(r)), 0);
console.log(`  chunks the caller took over from a descheduled thread: ${sharedATakeovers?.(k) ?? 'n/a'}`);
console.log(`  mean call ${us(sum((r) => r.total) / rows.length)} us; 1t mean ${us(one.reduce((s, x) => s + x, 0) / one.length)} us; thread time unused in 2t calls: ${((100 * sum((r) => 2 * r.total - r.caller - r.worker)) / sum((r) => 2 * r.total)).toFixed(1)}%`);
K.closeThreads(k);
