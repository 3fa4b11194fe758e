// Where one LeNet-5 training step (batch 64, Adam, cross-entropy: the step of `bench scaling`) spends
// its time: every kernel call made on the calling thread and every parallel job is timed, so a step
// splits into kernel time on the calling thread, parallel jobs (the caller's share plus its wait for
// the workers) and the JavaScript between them (autograd, tensors, dispatch). Each row is one call
// site in step order, named by its kernel, with the JavaScript just before it; for a job also how often
// a worker was asleep when it started (it must be woken) and how many of its tasks the caller ran.
// --stub replaces every kernel but the size queries (*_bytes, *_floats) by a no-op: the step's
// JavaScript alone (the results are then meaningless, the graph and the calls the same; use it with
// one thread: workers run the real kernels).
//   node tools/bench/study/lenet-step-profile.mjs [--threads 2] [--isa simd128|relaxed] [--steps 200] [--warmup 30] [--stub]
import { closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { lenet5 } from '@deepwasm/models';
import { arg, profiledKernels } from './step-profile-setup.mjs';
import { lenetStep } from './lenet-step-setup.mjs';

const threads = Number(arg('threads', '1'));
const isa = arg('isa', 'simd128');
const steps = Number(arg('steps', '200'));
const wrap = !process.argv.includes('--no-wrap');
const stub = process.argv.includes('--stub');
const { k, record } = await profiledKernels({ isa, threads, wrap, stub });

const { step } = lenetStep(nn, lenet5);
// --warmup: steps before the timed ones (V8 optimizes functions called once a step only after some hundreds).
const warmup = Number(arg('warmup', '30'));
for (let i = 0; i < warmup; i++) step();

// Per call site (index in the step's sequence of calls): sums over the recorded steps.
const sites = [];
const stepMs = [];
for (let s = 0; s < steps; s++) {
  const { t0, t1, events } = record(step);
  stepMs.push(t1 - t0);
  let prev = t0;
  events.forEach(([name, a, b, kind, share, asleep, tasks], i) => {
    const site = (sites[i] ??= { name, kind, js: 0, run: 0, share: 0, n: 0, asleep: 0, tasks: 0 });
    site.asleep += asleep;
    site.tasks += tasks;
    site.js += a - prev;
    site.run += b - a;
    site.share += share;
    site.n++;
    prev = b;
  });
  const tail = (sites[events.length] ??= { name: '(after the last call)', kind: 'js', js: 0, run: 0, share: 0, n: 0 });
  tail.js += t1 - prev;
  tail.n++;
}
const med = [...stepMs].sort((a, b) => a - b)[Math.floor(stepMs.length / 2)];
const mean = stepMs.reduce((a, b) => a + b, 0) / steps;
const us = (v) => ((v / steps) * 1000).toFixed(0).padStart(6);
let js = 0;
let direct = 0;
let jobs = 0;
let share = 0;
console.log(`LeNet-5 step, ${isa}, ${threads} thread(s): median ${med.toFixed(2)} ms, mean ${mean.toFixed(2)} ms over ${steps} steps (${((64 * 1000) / med).toFixed(0)} images/s)`);
console.log(`${'#'.padStart(3)} ${'call'.padEnd(42)} ${'JS before'.padStart(9)} ${'kernel/job'.padStart(10)} ${'caller share'.padStart(12)}  (µs per step; jobs: % of steps a worker was asleep, caller's tasks)`);
sites.forEach((s, i) => {
  js += s.js;
  if (s.kind === 'direct') direct += s.run;
  if (s.kind === 'job') {
    jobs += s.run;
    share += s.share;
  }
  console.log(`${String(i).padStart(3)} ${(s.kind === 'job' ? '[job] ' : '') + s.name.padEnd(s.kind === 'job' ? 36 : 42)} ${us(s.js)}    ${us(s.run)}     ${s.kind === 'job' ? `${us(s.share)}  ${((100 * s.asleep) / s.n).toFixed(0).padStart(4)}%  ${(s.tasks / s.n).toFixed(1)}` : ''}`);
});
console.log(`total per step: JS ${us(js)} µs, kernels on the caller ${us(direct)} µs, ${sites.filter((s) => s.kind === 'job').length} jobs ${us(jobs)} µs (caller's share ${us(share)} µs), calls ${sites.length - 1}`);
closeThreads(k);
