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

/**
 * The CD bias gradient in plain float32 arithmetic, in the order the kernel (and the separate ops) round
 * it: column sums in blocks of 128 rows, alpha times each, their difference, added to g when accumulating.
 */
export function cdBiasGradReference(
  g: ArrayLike<number> | null, a: ArrayLike<number>, rowsA: number, alphaA: number, b: ArrayLike<number>, rowsB: number, alphaB: number, cols: number,
): Float32Array {
  const f = Math.fround;
  const colSum = (x: ArrayLike<number>, rows: number, j: number): number => {
    let acc = 0;
    for (let i = 0; i < rows; i += 128) {
      let part = 0;
      for (let r = i; r < Math.min(rows, i + 128); r++) part = f(part + x[r * cols + j]!);
      acc = f(acc + part);
    }
    return acc;
  };
  const out = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    const d = f(f(colSum(a, rowsA, j) * f(alphaA)) - f(colSum(b, rowsB, j) * f(alphaB)));
    out[j] = g === null ? d : f(g[j]! + d);
  }
  return out;
}
