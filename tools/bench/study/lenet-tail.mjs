// Where the LeNet-5 step's tail goes (batch 64, Adam, cross-entropy; the step of lenet-step-profile.mjs):
// every call site is timed in every step (step-profile-setup.mjs), and for the steps slower than 1.25x
// the median step, the excess over each site's own median is summed by site and by kind (JS before a
// call, a kernel on the caller, a job), with how often such a job found a worker asleep against the
// other steps. Says whether the mean's excess over the median is a few sites or spread over all.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lenet-tail.mjs [--threads 2] [--isa relaxed] [--steps 600] [--warmup 600] [--spin-us 300]
import { closeThreads, poolOf } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { lenet5 } from '@deepwasm/models';
import { arg, profiledKernels } from './step-profile-setup.mjs';
import { lenetStep } from './lenet-step-setup.mjs';

const threads = Number(arg('threads', '2'));
const isa = arg('isa', 'relaxed');
const steps = Number(arg('steps', '600'));
const { k, record } = await profiledKernels({ isa, threads });
// --spin-us N: how long the workers spin on the job number before they block (LAYOUT.SPIN_US).
if (arg('spin-us', null) !== null) Atomics.store(new Int32Array(poolOf(k).control), 7, Number(arg('spin-us', null)));

const { step } = lenetStep(nn, lenet5);
for (let i = 0, n = Number(arg('warmup', '600')); i < n; i++) step();

const rows = []; // per step: [total, [js_i, run_i, asleep_i, kind_i, name_i]...]
for (let s = 0; s < steps; s++) {
  const { t0, t1, events } = record(step);
  let prev = t0;
  const sites = events.map(([name, a, b, kind, , asleep]) => {
    const r = { name, kind, js: a - prev, run: b - a, asleep };
    prev = b;
    return r;
  });
  sites.push({ name: '(after the last call)', kind: 'js', js: t1 - prev, run: 0, asleep: 0 });
  rows.push({ total: t1 - t0, sites });
}
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const totals = rows.map((r) => r.total);
const m = med(totals);
const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
const n = Math.min(...rows.map((r) => r.sites.length));
const siteMed = Array.from({ length: n }, (_, i) => ({ js: med(rows.map((r) => r.sites[i].js)), run: med(rows.map((r) => r.sites[i].run)) }));
const slow = rows.filter((r) => r.total > 1.25 * m);
const fast = rows.filter((r) => r.total <= 1.25 * m);
console.log(`${isa}, ${threads} threads: median step ${m.toFixed(2)} ms, mean ${mean.toFixed(2)} ms; ${slow.length} of ${steps} steps above 1.25x the median carry ${(slow.reduce((a, r) => a + r.total - m, 0) / steps).toFixed(2)} ms of the mean`);
const perSite = [];
let jsX = 0, directX = 0, jobX = 0;
for (let i = 0; i < n; i++) {
  const s = rows[0].sites[i];
  const exJs = slow.reduce((a, r) => a + r.sites[i].js - siteMed[i].js, 0) / steps;
  const exRun = slow.reduce((a, r) => a + r.sites[i].run - siteMed[i].run, 0) / steps;
  jsX += exJs;
  if (s.kind === 'job') jobX += exRun; else directX += exRun;
  const asleepSlow = slow.length ? slow.reduce((a, r) => a + r.sites[i].asleep, 0) / slow.length : 0;
  const asleepFast = fast.reduce((a, r) => a + r.sites[i].asleep, 0) / fast.length;
  perSite.push({ i, name: s.name, kind: s.kind, exJs, exRun, asleepSlow, asleepFast, medRun: siteMed[i].run });
}
console.log(`excess of the slow steps per step of the run (ms): JS ${jsX.toFixed(3)}, kernels on the caller ${directX.toFixed(3)}, jobs ${jobX.toFixed(3)}`);
console.log('top sites (excess µs per step: JS before / the call; jobs: asleep % in slow steps / other steps; median of the call µs)');
perSite.sort((a, b) => b.exJs + b.exRun - (a.exJs + a.exRun)).slice(0, 16).forEach((p) =>
  console.log(`${String(p.i).padStart(3)} ${(p.kind === 'job' ? '[job] ' : '') + p.name.padEnd(40)} ${(p.exJs * 1000).toFixed(0).padStart(5)} / ${(p.exRun * 1000).toFixed(0).padStart(5)}  ${p.kind === 'job' ? `${(100 * p.asleepSlow).toFixed(0).padStart(3)}% / ${(100 * p.asleepFast).toFixed(0).padStart(3)}%` : '           '}  ${(p.medRun * 1000).toFixed(0).padStart(5)}`),
);
// How the slow steps' excess is spread: the share of it in the step's single worst site.
const worstShare = slow.map((r) => {
  const ex = r.sites.slice(0, n).map((s, i) => s.js - siteMed[i].js + s.run - siteMed[i].run);
  return Math.max(...ex) / (r.total - m);
});
console.log(`in a slow step, its worst site carries a median ${(100 * med(worstShare)).toFixed(0)}% of the step's excess (range ${(100 * Math.min(...worstShare)).toFixed(0)}-${(100 * Math.max(...worstShare)).toFixed(0)}%)`);
closeThreads(k);
