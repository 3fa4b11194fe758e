/** Plain reference of the energy kernels, float64. */
import type { PhiloxKey } from '../ops/random.js';
import { bernoulliSigmoidReference } from './random.js';

export function softplusRowSumReference(x: ArrayLike<number>, rows: number, cols: number, beta = 1): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const y = beta * x[r * cols + j]!;
      s += Math.max(y, 0) + Math.log1p(Math.exp(-Math.abs(y)));
    }
    out[r] = s;
  }
  return out;
}

const softplus = (y: number): number => Math.max(y, 0) + Math.log1p(Math.exp(-Math.abs(y)));

/**
 * AIS hidden half-step in float64: inc[r] = (beta2 - beta1) v[r].d + sum_j (softplus(beta2 x) -
 * softplus(beta1 x)), prob = sigmoid(beta2 x) and the samples of bernoulliSigmoidReference.
 */
export function aisHiddenStepReference(
  x: ArrayLike<number>, v: ArrayLike<number>, d: ArrayLike<number>, rows: number, cols: number, vcols: number, beta1: number, beta2: number, key: PhiloxKey,
): { inc: Float64Array; prob: Float64Array; sample: Float32Array } {
  const inc = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0, dot = 0;
    for (let j = 0; j < cols; j++) s += softplus(beta2 * x[r * cols + j]!) - softplus(beta1 * x[r * cols + j]!);
    for (let i = 0; i < vcols; i++) dot += v[r * vcols + i]! * d[i]!;
    inc[r] = (beta2 - beta1) * dot + s;
  }
  return { inc, ...bernoulliSigmoidReference(x, beta2, key) };
}

/** AIS visible half-step in float64: logits (y + d) beta + a per row, their sigmoid and the samples. */
export function aisVisibleStepReference(
  y: ArrayLike<number>, d: ArrayLike<number>, a: ArrayLike<number>, rows: number, cols: number, beta: number, key: PhiloxKey,
): { logits: Float64Array; prob: Float64Array; sample: Float32Array } {
  const logits = Float64Array.from({ length: rows * cols }, (_, i) => (y[i]! + d[i % cols]!) * beta + a[i % cols]!);
  return { logits, ...bernoulliSigmoidReference(logits, 1, key) };
}
