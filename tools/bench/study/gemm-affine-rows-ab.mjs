// A/B of gemmChannelAffine's row split on ResNet-50's taller-than-wide 1x1 shapes (14x14 and 7x7
// stages): B packed once as whole-K panels and shared (the op now) against every row task packing
// all of B itself (before), alternating rounds in one process.
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-affine-rows-ab.mjs relaxed 2
import * as K from '@deepwasm/kernels';
import os from 'node:os';
import { median as med, sineInput, studyKernels, timeIt } from './kernels-setup.mjs';

const { k, threads } = await studyKernels();
const shapes = [[1024, 196, 256], [256, 196, 1024], [2048, 49, 512], [512, 49, 2048], [512, 49, 4608]];
for (const [M, N, Kd] of shapes) {
  const a = sineInput(k, M * Kd), b = sineInput(k, Kd * N), c = k.arena.alloc(M * N * 4), st = sineInput(k, 2 * M);
  const pa = k.arena.alloc(K.packedAFloats(k, M, Kd) * 4);
  K.packA(k, M, Kd, a, Kd, pa);
  const e = { scale: st, shift: st + M * 4, residual: 0, relu: true };
  const parts = Math.max(threads, Math.min(threads * 2, Math.floor(M / 16)));
  const old = K.splitRange(M, parts, 4).map(([s, t]) => ({
    fn: 'f32_gemm_4x8_channel_affine', args: [t - s, N, Kd, pa + s * Kd * 4, b, N, c + s * N * 4, N, st + s * 4, st + M * 4 + s * 4, 0, N, 1, 0], scratch: 13,
  }));
  const work = k.exports.f32_gemm_channel_affine_work_bytes();
  const pb = k.arena.alloc(k.exports.f32_packed_b_floats(Kd, N) * 4);
  const shared = () => {
    K.runTasks(k, K.splitRange(N, threads * 2, 8).map(([s, t]) => ({ fn: 'f32_pack_b_panels', args: [0, b + s * 4, N, Kd, t - s, pb + s * Kd * 4] })));
    K.runTasks(k, K.splitRange(M, parts, 4).map(([s, t]) => ({
      fn: 'f32_gemm_4x8_channel_affine_b_panels', args: [t - s, N, Kd, pa + s * Kd * 4, pb, c + s * N * 4, N, st + s * 4, st + M * 4 + s * 4, 0, N, 1, 0], scratch: 12,
    })), work);
  };
  const variants = [['own B', () => K.runTasks(k, old, work)], ['shared B', shared]];
  const times = variants.map(() => []);
  const cold = new Float64Array(6 << 20);
  let sink = 0;
  for (let r = 0; r < 7; r++) variants.forEach(([, fn], i) => times[i].push(timeIt(fn, 40)));
  // Cold: 48 MB of other reads before each call (the weights come from memory, as in the forward).
  const coldTimes = variants.map(([, fn]) => {
    const t = [];
    for (let r = 0; r < 9; r++) {
      for (let i = 0; i < cold.length; i += 8) sink += cold[i];
      const s = performance.now();
      fn();
      t.push(performance.now() - s);
    }
    return med(t);
  });
  console.log(`${M}x${N}x${Kd}: ` + variants.map(([name], i) => {
    const ratios = times[0].map((v, r) => v / times[i][r]);
    return `${name} ${med(times[i]).toFixed(3)} ms (cold ${coldTimes[i].toFixed(3)}) ${med(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
  }).join('; ') + (sink > 0 ? '' : ' '));
  k.arena.free(pb);
  for (const p of [a, b, c, st, pa]) k.arena.free(p);
}
console.log(`load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
K.closeThreads(k);
