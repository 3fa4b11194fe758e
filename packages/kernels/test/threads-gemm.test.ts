/** GEMM split over threads: the same bits at 1, 2, 3 and 4 threads, on both builds, at awkward shapes. */
import { describe, it } from 'vitest';
import { gemm, gemmPackedB, loadKernels, packB, packedBFloats, type Isa } from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

// M x N x K: one row or column (the matrix-vector path), tile remainders, more threads than rows, a deep K,
// a C twice as tall as wide (row panels although wide enough for column panels), A packed once for
// 32-column panels (2^24+ multiply-adds: odd rows, two K blocks, A packed by the threads; a small A packed
// by the caller).
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [1, 37, 5], [5, 1, 9], [2, 3, 1], [3, 5, 7], [4, 8, 16], [5, 9, 17], [7, 13, 33],
  [9, 70, 3], [65, 129, 513], [130, 9, 17], [33, 1030, 20], [1, 300, 40], [301, 1, 40], [520, 260, 9], [131, 520, 530], [9, 30101, 62],
];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`GEMM across threads (${isa})`, () => {
    it('gives the same bits at 1, 2, 3 and 4 threads', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(7);
      await splittingEverything(async () => {
        for (const [M, N, K] of SHAPES) {
          for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            for (const beta of [0, 0.5]) {
              const A = uniform(rand, M * K, -1, 1);
              const B = uniform(rand, K * N, -1, 1);
              const C = uniform(rand, M * N, -1, 1);
              const pa = put(k, A), pb = put(k, B), pc = put(k, C);
              await expectSameBitsAcrossThreads(
                k, `gemm ${M}x${N}x${K} tA=${tA} tB=${tB} beta=${beta}`,
                () => k.arena.f32(pc, C.length).set(C),
                () => gemm(k, tA, tB, M, N, K, 1.25, pa, tA ? M : K, pb, tB ? K : N, beta, pc, N),
                [[pc, M * N]],
              );
              for (const p of [pa, pb, pc]) k.arena.free(p);
            }
          }
        }
      });
    });

    it('gives the same bits with a packed B', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(8);
      await splittingEverything(async () => {
        for (const [M, N, K] of [[1, 9, 3], [5, 8, 7], [13, 17, 600], [64, 130, 33], [3, 300, 5], [2, 1001, 3]] as const) {
          const A = uniform(rand, M * K, -1, 1);
          const B = uniform(rand, K * N, -1, 1);
          const C = uniform(rand, M * N, -1, 1);
          const pa = put(k, A), pb = put(k, B), pc = put(k, C);
          const packed = packB(k, false, K, N, pb, N, k.arena.alloc(packedBFloats(k, K, N) * 4));
          // Packing itself splits by panels: the same packed bits, from B and from its transpose.
          const other = k.arena.alloc(packedBFloats(k, K, N) * 4);
          for (const tB of [false, true]) {
            await expectSameBitsAcrossThreads(
              k, `packB ${K}x${N} tB=${tB}`, () => k.arena.f32(other, packedBFloats(k, K, N)).fill(NaN),
              () => packB(k, tB, K, N, pb, tB ? K : N, other), [[other, packedBFloats(k, K, N)]],
            );
          }
          k.arena.free(other);
          for (const tA of [false, true]) {
            await expectSameBitsAcrossThreads(
              k, `gemmPackedB ${M}x${N}x${K} tA=${tA}`,
              () => k.arena.f32(pc, C.length).set(C),
              () => gemmPackedB(k, tA, M, 0.75, pa, tA ? M : K, packed, 1, pc, N),
              [[pc, M * N]],
            );
          }
          for (const p of [pa, pb, pc, packed.ptr]) k.arena.free(p);
        }
      });
    });
  });
}
