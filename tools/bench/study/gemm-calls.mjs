// Per-call times of a square GEMM (not loop averages): the 10th percentile and the median of single
// calls on 1 thread, on 2 threads, and on 2 threads by the shared-A path of before issue 12's lazy
// packing (op(A) packed first, on the calling thread for 2^16 floats or fewer, else in a job of its
// own; then f32_gemm_4x8_packed_a's column panels), alternating blocks of calls. On a shared host the
// low percentiles are the calls no other process disturbed, which is what a change to the GEMM moves.
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-calls.mjs [relaxed|simd128] [M] [blocks] [calls per block]
import * as K from '@deepwasm/kernels';
import { gemmStudy } from './gemm-study-setup.mjs';

const [isa = 'relaxed', size = '256', blocksArg = '20', callsArg = '50'] = process.argv.slice(2);
const M = Number(size);
const { k, whole, before } = await gemmStudy(isa, M);
const variants = { '1 thread': [1, whole], '2 threads': [2, whole], 'before, 2 threads': [2, before] };
const times = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
const names = Object.keys(variants);
for (let blk = 0; blk < Number(blocksArg); blk++) {
  for (const v of blk % 2 === 0 ? names : [...names].reverse()) {
    const [t, run] = variants[v];
    K.setThreads(k, t);
    run();
    run();
    for (let i = 0; i < Number(callsArg); i++) {
      const t0 = performance.now();
      run();
      times[v].push(performance.now() - t0);
    }
  }
}
const q = (x, p) => [...x].sort((u, v) => u - v)[Math.floor(p * (x.length - 1))];
const one = times['1 thread'];
console.log(`${isa} GEMM ${M}^3, p10 / median of single calls, and over 1 thread's:`);
for (const v of names) {
  const x = times[v];
  console.log(`  ${v}: ${(q(x, 0.1) * 1000).toFixed(0)} / ${(q(x, 0.5) * 1000).toFixed(0)} us; ${(q(one, 0.1) / q(x, 0.1)).toFixed(2)}x / ${(q(one, 0.5) / q(x, 0.5)).toFixed(2)}x`);
}
K.closeThreads(k);
