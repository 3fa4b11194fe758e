/** Float64 references for the batch-norm kernels: x [N, C, P], statistics per channel over N and P. */
type A = ArrayLike<number>;

/** Batch norm with fixed statistics: weight and bias may be null. */
export function refBatchNormInference(
  x: A, N: number, C: number, P: number, mean: A, variance: A, weight: A | null, bias: A | null, eps: number,
): Float64Array {
  const y = new Float64Array(N * C * P);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let p = 0; p < P; p++) {
        const i = (n * C + c) * P + p;
        y[i] = ((x[i]! - mean[c]!) / Math.sqrt(variance[c]! + eps)) * (weight ? weight[c]! : 1) + (bias ? bias[c]! : 0);
      }
  return y;
}

/** Mean and biased variance per channel. */
export function refBatchNormMoments(x: A, N: number, C: number, P: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let p = 0; p < P; p++) s += x[(n * C + c) * P + p]!;
    const m = s / (N * P);
    let q = 0;
    for (let n = 0; n < N; n++) for (let p = 0; p < P; p++) q += (x[(n * C + c) * P + p]! - m) ** 2;
    mean[c] = m;
    variance[c] = q / (N * P);
  }
  return { mean, variance };
}

/** Gradients of training-mode batch norm (the batch's statistics, which depend on x). */
export function refBatchNormBackward(
  x: A, dy: A, N: number, C: number, P: number, weight: A | null, eps: number,
): { dx: Float64Array; dweight: Float64Array; dbias: Float64Array } {
  const { mean, variance } = refBatchNormMoments(x, N, C, P);
  const count = N * P;
  const dx = new Float64Array(N * C * P);
  const dweight = new Float64Array(C);
  const dbias = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const invstd = 1 / Math.sqrt(variance[c]! + eps);
    let sdy = 0;
    let sdyxhat = 0;
    for (let n = 0; n < N; n++)
      for (let p = 0; p < P; p++) {
        const i = (n * C + c) * P + p;
        sdy += dy[i]!;
        sdyxhat += dy[i]! * (x[i]! - mean[c]!) * invstd;
      }
    dbias[c] = sdy;
    dweight[c] = sdyxhat;
    const w = weight ? weight[c]! : 1;
    for (let n = 0; n < N; n++)
      for (let p = 0; p < P; p++) {
        const i = (n * C + c) * P + p;
        const xhat = (x[i]! - mean[c]!) * invstd;
        dx[i] = w * invstd * (dy[i]! - sdy / count - (xhat * sdyxhat) / count);
      }
  }
  return { dx, dweight, dbias };
}
