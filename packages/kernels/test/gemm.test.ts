/**
 * The packed GEMM against the plain reference: every transpose combination, sizes around the 4x8
 * tile and the 256-deep K block, strided leading dimensions, alpha/beta, and beta = 0 over NaN.
 */
import { describe, expect, it } from 'vitest';
import { gemm, gemmReference, gemmVariants, loadKernels, type Kernels } from '../src/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
}

interface Case {
  M: number;
  N: number;
  K: number;
  tA: boolean;
  tB: boolean;
  alpha?: number;
  beta?: number;
  pad?: number;
  nanC?: boolean;
}

function run(k: Kernels, cs: Case): void {
  const { M, N, K, tA, tB } = cs;
  const alpha = cs.alpha ?? 1;
  const beta = cs.beta ?? 0;
  const pad = cs.pad ?? 0;
  const rnd = lcg(M * 7919 + N * 104729 + K * 31 + (tA ? 1 : 0) + (tB ? 2 : 0));
  const [aRows, aCols] = tA ? [K, M] : [M, K];
  const [bRows, bCols] = tB ? [N, K] : [K, N];
  const lda = aCols + pad;
  const ldb = bCols + pad;
  const ldc = N + pad;
  const A = Float32Array.from({ length: aRows * lda }, rnd);
  const B = Float32Array.from({ length: bRows * ldb }, rnd);
  const C = Float32Array.from({ length: M * ldc }, () => (cs.nanC ? NaN : rnd()));
  const want = C.slice();
  gemmReference(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, want, ldc);
  const pa = k.arena.alloc(A.length * 4);
  const pb = k.arena.alloc(B.length * 4);
  const pc = k.arena.alloc(C.length * 4);
  k.arena.f32(pa, A.length).set(A);
  k.arena.f32(pb, B.length).set(B);
  k.arena.f32(pc, C.length).set(C);
  gemm(k, tA, tB, M, N, K, alpha, pa, lda, pb, ldb, beta, pc, ldc);
  const got = k.arena.f32(pc, C.length).slice();
  k.arena.free(pa);
  k.arena.free(pb);
  k.arena.free(pc);
  // Inputs are in [-1, 1], so |C| grows like sqrt(K) and float32 rounding like sqrt(K) * 2^-24 per
  // term on average (K * 2^-24 at worst): 1e-4 relative (to max(1, |C|)) holds with a wide margin up
  // to K = 1024 (measured worst: 2e-5 at K = 3000) and the bound grows linearly beyond.
  const tol = 1e-4 * Math.max(1, K / 1024) * Math.max(1, Math.abs(alpha));
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < ldc; j++) {
      const at = i * ldc + j;
      if (j >= N) {
        // Padding between rows of C is never written.
        if (!Object.is(got[at], C[at])) throw new Error(`C padding [${i}, ${j}] changed: ${C[at]} -> ${got[at]}`);
        continue;
      }
      const err = Math.abs(got[at]! - want[at]!);
      if (!(err <= tol * Math.max(1, Math.abs(want[at]!)))) {
        throw new Error(
          `${k.isa} gemm ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} M=${M} N=${N} K=${K} at [${i}, ${j}]: expected ${want[at]}, got ${got[at]}`,
        );
      }
    }
  }
}

const transposes: Array<[boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

for (const isa of ['simd128', 'relaxed'] as const) {
  for (const variant of gemmVariants) {
    describe(`${variant.name} (${isa})`, async () => {
      const k = await loadKernels({ isa });

      it.each([
        [1, 1, 1],
        [7, 13, 5],
        [65, 129, 33],
        [256, 256, 256],
      ])('matches the reference at %i x %i x %i, all transposes', (M, N, K) => {
        for (const [tA, tB] of transposes) run(k, { M, N, K, tA, tB });
      });

      it('handles every remainder around the tile and the K block', () => {
        const mr = variant.mr;
        const nr = variant.nr;
        const kc = variant.kc;
        for (const M of [1, mr - 1, mr, mr + 1, 2 * mr + 1]) {
          for (const N of [1, nr - 1, nr, nr + 1, 2 * nr + 1]) {
            for (const K of [1, 2, 3, kc - 1, kc, kc + 1]) {
              for (const [tA, tB] of transposes) run(k, { M, N, K, tA, tB });
            }
          }
        }
      });

      it('blocks over M, N and K beyond one cache block (M = 131, N = 1031, K = 600)', () => {
        run(k, { M: 131, N: 1031, K: 600, tA: false, tB: false });
        run(k, { M: 131, N: 1031, K: 600, tA: true, tB: true, alpha: 0.5, beta: -1 });
      });

      it('applies alpha and beta, with strided rows', () => {
        for (const [tA, tB] of transposes) {
          run(k, { M: 9, N: 17, K: 11, tA, tB, alpha: -1.5, beta: 0.25, pad: 3 });
          run(k, { M: 33, N: 9, K: 300, tA, tB, alpha: 2, beta: 1, pad: 5 });
        }
      });

      it('does not read C when beta is 0 (NaN in C stays out of the result)', () => {
        for (const [tA, tB] of transposes) run(k, { M: 6, N: 10, K: 7, tA, tB, nanC: true });
      });

      it('treats K = 0 as C = beta * C and rejects bad leading dimensions', () => {
        const pc = k.arena.alloc(4 * 4);
        k.arena.f32(pc, 4).set([1, 2, 3, 4]);
        gemm(k, false, false, 2, 2, 0, 1, pc, 1, pc, 2, 0.5, pc, 2);
        expect(Array.from(k.arena.f32(pc, 4))).toEqual([0.5, 1, 1.5, 2]);
        expect(() => gemm(k, false, false, 2, 2, 3, 1, pc, 2, pc, 2, 0, pc, 2)).toThrow(
          'gemm: lda 2 is smaller than the 3 columns of A',
        );
        expect(() => gemm(k, false, true, 2, 2, 3, 1, pc, 3, pc, 2, 0, pc, 2)).toThrow(
          'gemm: ldb 2 is smaller than the 3 columns of B (stored transposed)',
        );
        k.arena.free(pc);
      });
    });
  }
}
