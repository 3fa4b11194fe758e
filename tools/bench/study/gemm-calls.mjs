// Per-call times of a square GEMM (not loop averages): the 10th percentile and the median of single
// calls on 1 thread, on 2 threads, and on 2 threads by the shared-A path of before issue 12's lazy
// packing (op(A) packed first, on the calling thread for 2^16 floats or fewer, else in a job of its
// own; then f32_gemm_4x8_packed_a's column panels), alternating blocks of calls. On a shared host the
// low percentiles are the calls no other process disturbed, which is what a change to the GEMM moves.
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-calls.mjs [relaxed|simd128] [M] [blocks] [calls per block]
import * as K from '@deepwasm/kernels';

const [isa = 'relaxed', size = '256', blocksArg = '20', callsArg = '50'] = process.argv.slice(2);
const M = Number(size);
const k = await K.loadKernels({ isa });
K.setThreads(k, 2);
await K.threadsStarted(k);
const fill = (n) => { const p = k.arena.alloc(n * 4); const v = k.arena.f32(p, n); for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37); return p; };
const [a, b, c] = [fill(M * M), fill(M * M), fill(M * M)];
const packed = k.arena.alloc(((M + 3) & ~3) * M * 4);
const ws = k.exports.gemm_workspace_bytes();
const whole = () => K.gemm(k, false, false, M, M, M, 1, a, M, b, M, 0, c, M);
const packTasks = K.splitRange(M, 4, 4).map(([s, e]) => ({ fn: 'f32_pack_a_rows', args: [0, a + s * M * 4, M, e - s, M, packed + s * M * 4] }));
const packA = M * M <= 1 << 16 ? () => k.exports.f32_pack_a_rows(0, a, M, M, M, packed) : () => K.runTasks(k, packTasks);
const computeTasks = K.splitRange(M, 8, 8).map(([s, e]) => ({ fn: 'f32_gemm_4x8_packed_a', args: [0, M, e - s, M, 1, packed, b + s * 4, M, 0, c + s * 4, M, 0], scratch: 11 }));
const before = () => { packA(); K.runTasks(k, computeTasks, ws); };
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
