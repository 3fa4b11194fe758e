/**
 * The inference GEMM with a per-channel epilogue (packed A, B in place): against the plain reference at
 * tile and K-block edges with every epilogue, bit for bit with gemm without one, the epilogue pass
 * against batch norm + add + ReLU, and the same bits at 1-4 threads.
 */
import { describe, expect, it } from 'vitest';
import {
  batchNormInference, batchNormScaleShift, channelAffine, gemm, gemmChannelAffine, gemmChannelAffineReference, loadKernels, NO_EPILOGUE,
  packA, packedAFloats, type Isa,
} from '../src/index.js';
import { get, put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

// M x N x K around the 4x8 tile, the 128-row block, the 512-deep K block; N = 49 and 196 as in ResNet's late stages;
// N = 17, 25 and 49 end in one column (32-row column runs beside 4x8 tiles); N = 4, 12, 20 and 196 in four
// (4x4 tiles, beside a last row panel of 1-3 rows when M is not a multiple of 4).
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [3, 5, 7], [4, 8, 16], [5, 9, 17], [7, 13, 33], [130, 17, 513], [64, 49, 64], [12, 196, 1030], [33, 64, 9], [96, 25, 600],
  [4, 4, 3], [7, 12, 515], [9, 20, 1], [132, 196, 70],
];
const ISAS: Isa[] = ['simd128', 'relaxed'];

for (const isa of ISAS) {
  describe(`gemmChannelAffine (${isa})`, async () => {
    const k = await loadKernels({ isa });
    it.each(SHAPES)('M=%i N=%i K=%i against the reference, every epilogue', (M, N, K) => {
      const r = rng(M * 131 + N * 7 + K);
      const A = uniform(r, M * K, -1, 1);
      const ldb = N + 3;
      const B = uniform(r, K * ldb, -1, 1);
      const R = uniform(r, M * N, -1, 1);
      const scale = uniform(r, M, 0.5, 2);
      const shift = uniform(r, M, -1, 1);
      const pa = put(k, A), pb = put(k, B), pr = put(k, R), ps = put(k, scale), pt = put(k, shift);
      const packed = k.arena.alloc(packedAFloats(k, M, K) * 4);
      packA(k, M, K, pa, K, packed);
      const pc = k.arena.alloc(M * N * 4);
      for (const withAffine of [false, true]) {
        for (const withResidual of [false, true]) {
          for (const relu of [false, true]) {
            gemmChannelAffine(k, M, N, K, packed, pb, ldb, pc, N, {
              scale: withAffine ? ps : 0, shift: withAffine ? pt : 0, residual: withResidual ? pr : 0, relu,
            });
            const got = get(k, pc, M * N);
            const want = new Float32Array(M * N);
            gemmChannelAffineReference(M, N, K, A, B, ldb, want, N, withAffine ? scale : null, withAffine ? shift : null, withResidual ? R : null, relu);
            for (let i = 0; i < want.length; i++) {
              // |sum| <= K, scaled by at most 2: a bound that grows with the length of the sum.
              const tol = 4 * K * 2 ** -23 * 2 + 1e-6;
              if (!(Math.abs(got[i]! - want[i]!) <= tol)) {
                throw new Error(`M=${M} N=${N} K=${K} affine=${withAffine} residual=${withResidual} relu=${relu}: [${Math.floor(i / N)}, ${i % N}] expected ${want[i]}, got ${got[i]}`);
              }
              if (relu) expect(got[i]! >= 0).toBe(true);
            }
          }
        }
      }
      // Without an epilogue: gemm's bits (the same K blocks and order of sums).
      gemmChannelAffine(k, M, N, K, packed, pb, ldb, pc, N, NO_EPILOGUE);
      const plain = k.arena.alloc(M * N * 4);
      gemm(k, false, false, M, N, K, 1, pa, K, pb, ldb, 0, plain, N);
      expect(Array.from(get(k, pc, M * N))).toEqual(Array.from(get(k, plain, M * N)));
      // With it: the bits of that product followed by the epilogue pass (tiles and column runs alike).
      const all = { scale: ps, shift: pt, residual: pr, relu: true };
      gemmChannelAffine(k, M, N, K, packed, pb, ldb, pc, N, all);
      channelAffine(k, plain, plain, 1, M, N, all);
      expect(Array.from(get(k, pc, M * N))).toEqual(Array.from(get(k, plain, M * N)));
      for (const p of [pa, pb, pr, ps, pt, packed, pc, plain]) k.arena.free(p);
    });

    it('the epilogue pass gives batch norm + add + ReLU bit for bit', () => {
      const r = rng(5);
      const [N, C, P] = [2, 5, 37];
      const n = N * C * P;
      const x = put(k, uniform(r, n, -2, 2)), res = put(k, uniform(r, n, -1, 1));
      const mean = put(k, uniform(r, C, -1, 1)), variance = put(k, uniform(r, C, 0.5, 2));
      const weight = put(k, uniform(r, C, 0.5, 2)), bias = put(k, uniform(r, C, -1, 1));
      const s = k.arena.alloc(C * 4), t = k.arena.alloc(C * 4), y = k.arena.alloc(n * 4), bn = k.arena.alloc(n * 4);
      batchNormScaleShift(k, C, mean, variance, weight, bias, 1e-5, s, t);
      channelAffine(k, y, x, N, C, P, { scale: s, shift: t, residual: res, relu: true });
      batchNormInference(k, bn, x, { N, C, P, mean, variance, weight, bias, eps: 1e-5 });
      const b = get(k, bn, n), rr = get(k, res, n);
      const want = b.map((v, i) => Math.max(0, Math.fround(v + rr[i]!)));
      expect(Array.from(get(k, y, n))).toEqual(Array.from(want));
      for (const p of [x, res, mean, variance, weight, bias, s, t, y, bn]) k.arena.free(p);
    });

    it('taller than wide on several threads (B packed once, shared): strided B, C and residual against the reference', async () => {
      const r = rng(11);
      await splittingEverything(async () => {
        for (const [M, N, K] of [[133, 21, 1030], [61, 9, 515], [200, 49, 64], [101, 20, 600], [9, 4, 5]] as const) {
          const [ldb, ldc, ldr] = [N + 5, N + 2, N + 1];
          const A = uniform(r, M * K, -1, 1), B = uniform(r, K * ldb, -1, 1), R = uniform(r, M * ldr, -1, 1);
          const scale = uniform(r, M, 0.5, 2), shift = uniform(r, M, -1, 1);
          const pa = put(k, A), pb = put(k, B), pr = put(k, R), ps = put(k, scale), pt = put(k, shift);
          const packed = k.arena.alloc(packedAFloats(k, M, K) * 4);
          packA(k, M, K, pa, K, packed);
          const pc = put(k, new Float32Array(M * ldc).fill(7));
          await expectSameBitsAcrossThreads(k, `gemmChannelAffine ${M}x${N}x${K} strided`, () => undefined,
            () => gemmChannelAffine(k, M, N, K, packed, pb, ldb, pc, ldc, { scale: ps, shift: pt, residual: pr, relu: true }, ldr), [[pc, M * ldc]]);
          const got = get(k, pc, M * ldc);
          const want = new Float32Array(M * N);
          const Rn = new Float32Array(M * N).map((_, i) => R[Math.floor(i / N) * ldr + (i % N)]!);
          gemmChannelAffineReference(M, N, K, A, B, ldb, want, N, scale, shift, Rn, true);
          const tol = 4 * K * 2 ** -23 * 2 + 1e-6;
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < ldc; j++) {
              const g = got[i * ldc + j]!;
              if (j >= N) expect(g).toBe(7);
              else if (!(Math.abs(g - want[i * N + j]!) <= tol)) throw new Error(`M=${M} N=${N} K=${K}: [${i}, ${j}] expected ${want[i * N + j]}, got ${g}`);
            }
          }
          for (const p of [pa, pb, pr, ps, pt, packed, pc]) k.arena.free(p);
        }
      });
    });

    it('gives the same bits at 1, 2, 3 and 4 threads', async () => {
      const r = rng(9);
      await splittingEverything(async () => {
        // Wide ones run column chunks claimed as the job goes (a region a thread, past N = 1024 a GEMM block), tall ones row chunks.
        for (const [M, N, K] of [[5, 9, 17], [130, 17, 513], [12, 196, 40], [300, 49, 20], [8, 300, 9], [70, 49, 1100], [9, 4, 5], [101, 20, 600], [256, 196, 64],
          [4, 3137, 7], [3, 2061, 5], [37, 777, 21], [1030, 49, 9], [2047, 3, 6]] as const) {
          const pa = put(k, uniform(r, M * K, -1, 1)), pb = put(k, uniform(r, K * N, -1, 1)), pr = put(k, uniform(r, M * N, -1, 1));
          const ps = put(k, uniform(r, M, 0.5, 2)), pt = put(k, uniform(r, M, -1, 1));
          const packed = k.arena.alloc(packedAFloats(k, M, K) * 4);
          packA(k, M, K, pa, K, packed);
          const pc = k.arena.alloc(M * N * 4);
          await expectSameBitsAcrossThreads(k, `gemmChannelAffine ${M}x${N}x${K}`, () => undefined,
            () => gemmChannelAffine(k, M, N, K, packed, pb, N, pc, N, { scale: ps, shift: pt, residual: pr, relu: true }), [[pc, M * N]]);
          await expectSameBitsAcrossThreads(k, `channelAffine ${M}x${N}`, () => undefined,
            () => channelAffine(k, pc, pr, 1, M, N, { scale: ps, shift: pt, residual: pr, relu: true }), [[pc, M * N]]);
          for (const p of [pa, pb, pr, ps, pt, packed, pc]) k.arena.free(p);
        }
      });
    });
  });
}
