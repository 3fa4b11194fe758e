// GFLOP/s of gemmChannelAffine (scale, shift, ReLU) on ResNet-50's 1x1 shapes, weights packed once.
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-affine-shapes.mjs [relaxed|simd128] [threads]
import * as K from '@deepwasm/kernels';
import { studyKernels, timeIt } from './kernels-setup.mjs';

const { k } = await studyKernels();
const shapes = [[256, 3136, 64], [64, 3136, 256], [512, 784, 128], [128, 784, 512], [1024, 196, 256], [256, 196, 1024], [2048, 49, 512], [512, 49, 2048], [512, 512, 512]];
for (const [M, N, Kd] of shapes) {
  const a = k.arena.alloc(M * Kd * 4), b = k.arena.alloc(Kd * N * 4), c = k.arena.alloc(M * N * 4), st = k.arena.alloc(M * 8);
  const f = new Float32Array(k.memory.buffer);
  for (let i = 0; i < M * Kd; i++) f[(a >> 2) + i] = Math.sin(i);
  for (let i = 0; i < Kd * N; i++) f[(b >> 2) + i] = Math.cos(i);
  const pa = k.arena.alloc(K.packedAFloats(k, M, Kd) * 4);
  K.packA(k, M, Kd, a, Kd, pa);
  const ms = timeIt(() => K.gemmChannelAffine(k, M, N, Kd, pa, b, N, c, N, { scale: st, shift: st + M * 4, residual: 0, relu: true }), 200);
  console.log(`${M}x${N}x${Kd}: ${ms.toFixed(3)} ms, ${(2 * M * N * Kd / ms / 1e6).toFixed(1)} GFLOP/s`);
  for (const p of [a, b, c, st, pa]) k.arena.free(p);
}
K.closeThreads(k);
