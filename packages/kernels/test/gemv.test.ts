/** GEMMs with one row or one column go through f32_gemv: every transpose, strides, alpha/beta, NaN in C with beta 0. */
import { describe, expect, it } from 'vitest';
import { gemm, gemmReference, loadKernels } from '../src/index.js';
import { ISAS, get, put, rng, uniform } from './support/arrays.js';

const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [1, 7, 5], [1, 33, 3], [1, 1024, 256], [1, 65, 300], [9, 1, 13], [130, 1, 64], [1, 37, 1], [5, 1, 1],
];

for (const isa of ISAS) {
  describe(`gemm, one row or one column (${isa})`, async () => {
    const k = await loadKernels({ isa });
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it.each(SHAPES)(`M=%i N=%i K=%i transA=${transA} transB=${transB}`, (M, N, K) => {
          const r = rng(M * 7 + N * 13 + K + (transA ? 100 : 0) + (transB ? 200 : 0));
          const pad = 3;
          const [aRows, aCols] = transA ? [K, M] : [M, K];
          const [bRows, bCols] = transB ? [N, K] : [K, N];
          const [lda, ldb, ldc] = [aCols + pad, bCols + pad, N + pad];
          const A = uniform(r, aRows * lda, -1, 1);
          const B = uniform(r, bRows * ldb, -1, 1);
          for (const beta of [0, 0.5]) {
            const C = beta === 0 ? new Float32Array(M * ldc).fill(NaN) : uniform(r, M * ldc, -1, 1);
            const want = Float32Array.from(C);
            gemmReference(transA, transB, M, N, K, 0.75, A, lda, B, ldb, beta, want, ldc);
            const pa = put(k, A), pb = put(k, B), pc = put(k, C);
            gemm(k, transA, transB, M, N, K, 0.75, pa, lda, pb, ldb, beta, pc, ldc);
            const got = get(k, pc, C.length);
            for (let i = 0; i < M; i++) {
              for (let j = 0; j < ldc; j++) {
                const e = want[i * ldc + j]!, a = got[i * ldc + j]!;
                // Padding columns keep what they held (NaN included): only the N real columns are written.
                if (j >= N) expect(Object.is(a, C[i * ldc + j]!) || a === C[i * ldc + j]).toBe(true);
                else expect(Math.abs(a - e), `C[${i}, ${j}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e)) + 1e-6 * K);
              }
            }
            for (const p of [pa, pb, pc]) k.arena.free(p);
          }
        });
      }
    }
  });
}
