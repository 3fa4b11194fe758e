// LeNet-5's small parallel ops alone (batch 64): its two max poolings forward and backward and the
// dense layers' GEMMs, each timed on 1 and on 2 threads of the same kernels in alternating rounds
// (median per call of each round, then the median and range over rounds of 1t, 2t and their ratio).
//   node --experimental-wasm-relaxed-simd tools/bench/study/lenet-small-ops.mjs [relaxed|simd128] [rounds]
import * as K from '@deepwasm/kernels';
import { median, sineInput, timeIt } from './kernels-setup.mjs';

const [isa = 'relaxed', roundsArg = '7'] = process.argv.slice(2);
const k = await K.loadKernels({ isa });
K.setThreads(k, 2);
await K.threadsStarted(k);

const pool = (planes, H) => ({ planes, H, W: H, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 });
const cases = [];
for (const [name, planes, H] of [['pool1', 64 * 6, 28], ['pool2', 64 * 16, 10]]) {
  const g = pool(planes, H);
  const x = sineInput(k, planes * H * H);
  const o = (planes * H * H) / 4;
  const y = k.arena.alloc(o * 4);
  const idx = k.arena.alloc(o * 4);
  const dx = k.arena.alloc(planes * H * H * 4);
  const sums = k.arena.alloc(planes * 4);
  cases.push([`${name} fwd`, () => K.maxPool2d(k, g, x, y, idx, true)]);
  cases.push([`${name} bwd`, () => K.maxPool2dBackward(k, g, y, idx, dx, sums)]);
}
for (const [name, tA, tB, M, N, Kd] of [
  ['C5 fwd 64x120x400', false, true, 64, 120, 400],
  ['C5 dX 64x400x120', false, false, 64, 400, 120],
  ['C5 dW 120x400x64', true, false, 120, 400, 64],
  ['F6 fwd 64x84x120', false, true, 64, 84, 120],
  ['F6 dX 64x120x84', false, false, 64, 120, 84],
  ['F6 dW 84x120x64', true, false, 84, 120, 64],
]) {
  const a = sineInput(k, M * Kd);
  const b = sineInput(k, Kd * N);
  const c = k.arena.alloc(M * N * 4);
  const lda = tA ? M : Kd;
  const ldb = tB ? Kd : N;
  cases.push([name, () => K.gemm(k, tA, tB, M, N, Kd, 1, a, lda, b, ldb, 0, c, N)]);
}
const res = new Map();
for (let r = 0; r < Number(roundsArg); r++) {
  for (const [name, fn] of cases) {
    const row = res.get(name) ?? res.set(name, { t1: [], t2: [], q: [] }).get(name);
    K.setThreads(k, 1);
    const t1 = timeIt(fn, 40);
    K.setThreads(k, 2);
    const t2 = timeIt(fn, 40);
    row.t1.push(t1);
    row.t2.push(t2);
    row.q.push(t1 / t2);
  }
}
const rng = (v, d) => `${Math.min(...v).toFixed(d)}-${Math.max(...v).toFixed(d)}`;
for (const [name, { t1, t2, q }] of res) {
  console.log(`${isa} ${name.padEnd(20)} 1t ${(median(t1) * 1000).toFixed(0).padStart(5)} us  2t ${(median(t2) * 1000).toFixed(0).padStart(5)} us  ${median(q).toFixed(2)}x (${rng(q, 2)})`);
}
K.closeThreads(k);
