// Do ResNet-50's GEMM tasks run slower when both threads compute? One fused 1x1 convolution's job
// (conv2dInference on 2 threads), its tasks captured, then: every task run one after the other on the
// calling thread alone (the worker idle), against the same job on 2 threads (the caller's own tasks
// timed), alternating, medians of the per-task time; and the job's wall time against the tasks alone.
// node --experimental-wasm-relaxed-simd tools/bench/study/resnet50-contention.mjs [rounds] [cold]
import * as K from '@deepwasm/kernels';
import os from 'node:os';
import { LAYOUT } from '../../../packages/kernels/dist/threads/layout.js';
import { median, sineInput, studyKernels } from './kernels-setup.mjs';

const rounds = Number(process.argv[2] ?? 30);
// 'cold': 48 MB of other reads before each timed run (inside a forward the weights come from memory).
const cold = process.argv[3] === 'cold';
const evict = new Float64Array(6 << 20);
let sink = 0;
const coldCaches = () => {
  if (!cold) return;
  for (let i = 0; i < evict.length; i += 8) sink += evict[i];
};
const { k } = await studyKernels([0, 0, 'relaxed', '2']);
if (sink < 0) console.log(sink);
const pool = K.poolOf(k);
// 'spin=<us>': how long the worker spins for the next job before it sleeps (the pool's default 300).
const spinArg = process.argv.find((a) => a.startsWith('spin='));
if (spinArg !== undefined) Atomics.store(new Int32Array(pool.control), LAYOUT.SPIN_US, Number(spinArg.slice(5)));
// [name, C, H, OC, stride, residual]
const shapes = [
  ['1x1 256->64 @56', 256, 56, 64, 1, false],
  ['1x1 64->256 @56 +res', 64, 56, 256, 1, true],
  ['1x1 512->128 @28', 512, 28, 128, 1, false],
  ['1x1 1024->256 @14', 1024, 14, 256, 1, false],
  ['1x1 256->1024 @14 +res', 256, 14, 1024, 1, true],
  ['1x1 2048->512 @7', 2048, 7, 512, 1, false],
];
const call0 = pool.call;
let own = 0;
let ownTasks = 0;
pool.call = (fn, args) => {
  const s = performance.now();
  call0(fn, args);
  own += performance.now() - s;
  ownTasks++;
};
console.log(`relaxed, 2 threads, ${rounds} rounds, ${cold ? 'cold caches' : 'warm'}, worker spin ${Atomics.load(new Int32Array(pool.control), LAYOUT.SPIN_US)} us, load ${os.loadavg()[0].toFixed(2)}`);
console.log('shape | jobs | tasks | task alone us | caller task in 2t us | ratio | caller tasks a job | job 2t us | all tasks alone us | speed-up');
for (const [name, C, H, OC, stride, res] of shapes) {
  const g = { N: 1, C, H, W: H, OC, KH: 1, KW: 1, strideH: stride, strideW: stride, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1 };
  const OH = Math.floor((H - 1) / stride) + 1;
  const form = K.convInferenceForm(g);
  const x = sineInput(k, C * H * H);
  const w = sineInput(k, OC * C);
  const st = sineInput(k, 2 * OC);
  const r = res ? sineInput(k, OC * OH * OH) : 0;
  const y = k.arena.alloc(OC * OH * OH * 4);
  const prepared = k.arena.alloc(K.convWeightsFloats(k, g, form) * 4);
  K.prepareConvWeights(k, g, form, w, prepared);
  const e = { scale: st, shift: st + OC * 4, residual: r, relu: true };
  // Capture the jobs.
  const jobs = [];
  const run0 = pool.run;
  pool.run = function (tasks, tail) {
    jobs.push(tasks.map((t) => ({ ...t, args: [...t.args] })));
    return run0.call(this, tasks, tail);
  };
  K.conv2dInference(k, g, x, prepared, e, y);
  pool.run = run0;
  const fns = jobs.flat().map((t) => k.exports[t.fn]);
  const scratch = pool.f64[K.LAYOUT ? 0 : 0]; // unused
  void scratch;
  const scratch0 = pool.scratch[0];
  const alone = [];
  const twoTask = [];
  const twoJob = [];
  const callerRan = [];
  for (let i = 0; i < rounds; i++) {
    // All the tasks on the caller, the worker idle (it spins out and sleeps; the first task of the job wakes nobody).
    coldCaches();
    let s = performance.now();
    jobs.flat().forEach((t, j) => {
      const a = [...t.args];
      if (t.scratch !== undefined) a[t.scratch] = scratch0;
      fns[j](...a);
    });
    const all = performance.now() - s;
    alone.push((all * 1000) / fns.length);
    K.conv2dInference(k, g, x, prepared, e, y); // wakes the worker: the timed job finds it spinning
    coldCaches();
    own = 0;
    ownTasks = 0;
    s = performance.now();
    K.conv2dInference(k, g, x, prepared, e, y);
    twoJob.push((performance.now() - s) * 1000);
    twoTask.push((own * 1000) / ownTasks);
    callerRan.push(ownTasks);
    twoJob[twoJob.length - 1] = [twoJob[twoJob.length - 1], all * 1000];
  }
  const a = median(alone);
  const t = median(twoTask);
  const j = median(twoJob.map((v) => v[0]));
  const al = median(twoJob.map((v) => v[1]));
  console.log(`${name} | ${jobs.length} | ${fns.length} | ${a.toFixed(0)} | ${t.toFixed(0)} | ${(t / a).toFixed(2)} | ${(callerRan.reduce((u, v) => u + v, 0) / callerRan.length).toFixed(2)} | ${j.toFixed(0)} | ${al.toFixed(0)} | ${(al / j).toFixed(2)}x`);
  for (const p of [x, w, st, r, y, prepared]) if (p) k.arena.free(p);
}
K.closeThreads(k);
