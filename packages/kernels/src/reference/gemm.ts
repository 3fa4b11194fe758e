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

/**
 * Reference of gemmChannelAffine: C[i, j] = act(scale[i] * (A · B)[i, j] + shift[i] + R[i, j]) with A
 * [M, K] row-major (unpacked), B [K, N] (row stride ldb), R and C [M, N] (row stride ldc); scale,
 * shift and R may be null. Float64 sums.
 */
export function gemmChannelAffineReference(
  M: number, N: number, K: number, A: Float32Array, B: Float32Array, ldb: number, C: Float32Array, ldc: number,
  scale: Float32Array | null, shift: Float32Array | null, R: Float32Array | null, relu: boolean,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += A[i * K + p]! * B[p * ldb + j]!;
      let v = s * (scale ? scale[i]! : 1) + (shift ? shift[i]! : 0) + (R ? R[i * ldc + j]! : 0);
      if (relu && v < 0) v = 0;
      C[i * ldc + j] = v;
    }
  }
}
