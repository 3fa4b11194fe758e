// A/B of gemmChannelAffine (scale, shift, residual, ReLU) on ResNet-50's 7x7- and 14x14-stage shapes (and the 56x56
// Winograd F(4x4) GEMM, 64x196x64):
// these kernels against another build's in the same process, alternating rounds (e.g. a copy of main's
// packages/kernels/dist made before a change).
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-affine-ab.mjs relaxed 2 /path/to/other/kernels/dist/index.js
import * as A from '@deepwasm/kernels';
import { timeIt, median } from './kernels-setup.mjs';
const isa = process.argv[2] ?? 'relaxed';
const threads = Number(process.argv[3] ?? 1);
const B = await import(process.argv[4]);
const sides = [];
for (const K of [B, A]) {
  const k = await K.loadKernels({ isa });
  K.setThreads(k, threads);
  await K.threadsStarted(k);
  sides.push({ K, k });
}
const shapes = [[2048, 49, 512], [512, 49, 2048], [2048, 49, 1024], [512, 49, 4608], [128, 49, 128], [1024, 196, 256], [256, 196, 1024], [64, 196, 64]];
for (const [M, N, Kd] of shapes) {
  const runs = sides.map(({ K, k }) => {
    const a = k.arena.alloc(M * Kd * 4), b = k.arena.alloc(Kd * N * 4), c = k.arena.alloc(M * N * 4), st = k.arena.alloc(M * 8), r = k.arena.alloc(M * N * 4);
    const f = new Float32Array(k.memory.buffer);
    for (let i = 0; i < M * Kd; i++) f[(a >> 2) + i] = Math.sin(i);
    for (let i = 0; i < Kd * N; i++) f[(b >> 2) + i] = Math.cos(i);
    const pa = k.arena.alloc(K.packedAFloats(k, M, Kd) * 4);
    K.packA(k, M, Kd, a, Kd, pa);
    return () => K.gemmChannelAffine(k, M, N, Kd, pa, b, N, c, N, { scale: st, shift: st + M * 4, residual: r, relu: true });
  });
  const t = [[], []];
  for (let round = 0; round < 7; round++) for (let s = 0; s < 2; s++) t[s].push(timeIt(runs[s], 40));
  const ratios = t[0].map((v, i) => v / t[1][i]);
  console.log(`${M}x${N}x${Kd} ${threads}t: base ${median(t[0]).toFixed(3)} ms, new ${median(t[1]).toFixed(3)} ms, ${median(ratios).toFixed(3)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
}
console.log(`load ${(await import('node:os')).loadavg().map((v) => v.toFixed(2)).join(' ')}`);
for (const { K, k } of sides) K.closeThreads(k);
