/**
 * Plain reference GEMM (float64 accumulation) on Float32Arrays with element offsets, the same
 * semantics as ops/gemm.ts: C = alpha * op(A) * op(B) + beta * C, row-major.
 */
export function gemmReference(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float32Array,
  lda: number,
  B: Float32Array,
  ldb: number,
  beta: number,
  C: Float32Array,
  ldc: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) {
        const av = transA ? A[p * lda + i]! : A[i * lda + p]!;
        const bv = transB ? B[j * ldb + p]! : B[p * ldb + j]!;
        s += av * bv;
      }
      const prev = beta === 0 ? 0 : beta * C[i * ldc + j]!;
      C[i * ldc + j] = alpha * s + prev;
    }
  }
}
