/** GEMM with B packed once (shared weights) equals the plain GEMM and the reference, bit for bit with gemm. */
import { describe, expect, it } from 'vitest';
import { gemm, gemmPackedB, gemmReference, loadKernels, packB, packedBFloats } from '../src/index.js';
import { ISAS, get, put, rng, uniform } from './support/arrays.js';

// Sizes around the 4x8 tile, the 512-deep K block and the 1024-wide N block.
const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [7, 13, 5], [32, 512, 128], [33, 129, 65], [5, 1030, 600], [64, 24, 1100]];

for (const isa of ISAS) {
  describe(`gemm with packed B (${isa})`, async () => {
    const k = await loadKernels({ isa });
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it.each(SHAPES)(`M=%i N=%i K=%i transA=${transA} transB=${transB}`, (M, N, K) => {
          const r = rng(M * 31 + N * 7 + K + (transA ? 1 : 0) + (transB ? 2 : 0));
          const A = uniform(r, M * K, -1, 1);
          const B = uniform(r, K * N, -1, 1);
          const C0 = uniform(r, M * N, -1, 1);
          const [lda, ldb] = [transA ? M : K, transB ? K : N];
          const pa = put(k, A), pb = put(k, B), pc1 = put(k, C0), pc2 = put(k, C0);
          const packed = k.arena.alloc(packedBFloats(k, K, N) * 4);
          const P = packB(k, transB, K, N, pb, ldb, packed);
          gemmPackedB(k, transA, M, 0.5, pa, lda, P, 0.25, pc1, N);
          gemm(k, transA, transB, M, N, K, 0.5, pa, lda, pb, ldb, 0.25, pc2, N);
          const got = get(k, pc1, M * N);
          expect(Array.from(got)).toEqual(Array.from(get(k, pc2, M * N)));
          const want = Float32Array.from(C0);
          gemmReference(transA, transB, M, N, K, 0.5, A, lda, B, ldb, 0.25, want, N);
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[i]!)));
          for (const p of [pa, pb, pc1, pc2, packed]) k.arena.free(p);
        });
      }
    }
  });
}
