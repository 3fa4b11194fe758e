// The GEMMs of one LSTM(64, 128) training step (batch 32 x 50 steps) one by one, with a square
// 256^3 beside them for scale: GFLOP/s of single calls (10th percentile and median) on 1 and on 2
// threads, alternating blocks of calls, and the 2-thread speed-up of each.
//   node tools/bench/study/lstm-gemms.mjs [relaxed|simd128] [blocks] [calls per block]
import * as K from '@deepwasm/kernels';
import { sineInput } from './kernels-setup.mjs';

const [isa = 'simd128', blocksArg = '10', callsArg = '20'] = process.argv.slice(2);
const k = await K.loadKernels({ isa });
K.setThreads(k, 2);
await K.threadsStarted(k);
// [name, transA, transB, M, N, K, beta]
const shapes = [
  ['input projection 1600x512x64 (B^T)', false, true, 1600, 512, 64, 1],
  ['dW_ih 512x64x1600 (A^T)', true, false, 512, 64, 1600, 0],
  ['dW_hh 512x128x1600 (A^T)', true, false, 512, 128, 1600, 0],
  ['dx 1600x64x512', false, false, 1600, 64, 512, 0],
  ['square 256^3', false, false, 256, 256, 256, 0],
];
const cases = shapes.map(([name, ta, tb, M, N, Kd, beta]) => {
  const a = sineInput(k, M * Kd);
  const b = sineInput(k, Kd * N);
  const c = sineInput(k, M * N);
  const lda = ta ? M : Kd;
  const ldb = tb ? Kd : N;
  return { name, flops: 2 * M * N * Kd, run: () => K.gemm(k, ta, tb, M, N, Kd, 1, a, lda, b, ldb, beta, c, N), t: { 1: [], 2: [] } };
});
for (let blk = 0; blk < Number(blocksArg); blk++) {
  for (const threads of blk % 2 === 0 ? [1, 2] : [2, 1]) {
    K.setThreads(k, threads);
    for (const c of cases) {
      c.run();
      for (let i = 0; i < Number(callsArg); i++) {
        const t0 = performance.now();
        c.run();
        c.t[threads].push(performance.now() - t0);
      }
    }
  }
}
const q = (x, p) => [...x].sort((u, v) => u - v)[Math.floor(p * (x.length - 1))];
const gf = (flops, ms) => (flops / ms / 1e6).toFixed(1).padStart(5);
console.log(`${isa}: GFLOP/s p10-call / median-call, 1 thread | 2 threads | 2t over 1t (p10 / median)`);
for (const c of cases) {
  const [a, b] = [c.t[1], c.t[2]];
  console.log(`${c.name.padEnd(36)} ${gf(c.flops, q(a, 0.1))} / ${gf(c.flops, q(a, 0.5))} | ${gf(c.flops, q(b, 0.1))} / ${gf(c.flops, q(b, 0.5))} | ${(q(a, 0.1) / q(b, 0.1)).toFixed(2)}x / ${(q(a, 0.5) / q(b, 0.5)).toFixed(2)}x`);
}
K.closeThreads(k);
