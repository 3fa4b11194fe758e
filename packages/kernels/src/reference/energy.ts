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

/** The row lists binaryLists writes (per row: count, then the columns of its ones), or null when a value is not 0 or 1. */
export function binaryListsReference(x: ArrayLike<number>, rows: number, cols: number): Int32Array | null {
  const out = new Int32Array(rows * (cols + 1));
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let j = 0; j < cols; j++) {
      const v = x[r * cols + j]!;
      if (v !== 0 && v !== 1) return null;
      if (v === 1) out[r * (cols + 1) + 1 + n++] = j;
    }
    out[r * (cols + 1)] = n;
  }
  return out;
}

/**
 * bias + s B for the 0/1 rows s [rows, K] and B [K, n] row-major, in binaryHalfStep's float32 order: the
 * picked rows of B in four interleaved partial sums, ((bias + positions 0 mod 4) + positions 1 mod 4)
 * + (positions 2 mod 4 + positions 3 mod 4).
 */
export function binaryProductReference(s: ArrayLike<number>, B: ArrayLike<number>, bias: ArrayLike<number> | null, rows: number, K: number, n: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const ks: number[] = [];
    for (let k = 0; k < K; k++) if (s[r * K + k] !== 0) ks.push(k);
    for (let c = 0; c < n; c++) {
      const acc = [bias === null ? 0 : bias[c]!, 0, 0, 0];
      ks.forEach((k, t) => (acc[t % 4] = f(acc[t % 4]! + B[k * n + c]!)));
      out[r * n + c] = f(f(acc[0]! + acc[1]!) + f(acc[2]! + acc[3]!));
    }
  }
  return out;
}

/**
 * binaryOuterGrad in its float32 order: g[i, j] (+)= alphaA SA - alphaB SB, SA[i, j] the sum of a[r, i]
 * over the rows r where va[r, j] is one (positions of even rank, then + those of odd rank), SB from b
 * and vb (b null: no second term), g null when not accumulating.
 */
export function binaryOuterGradReference(
  g: ArrayLike<number> | null, a: ArrayLike<number>, va: ArrayLike<number>, rowsA: number, alphaA: number,
  b: ArrayLike<number> | null, vb: ArrayLike<number> | null, rowsB: number, alphaB: number, m: number, n: number,
): Float32Array {
  const f = Math.fround;
  const colSum = (x: ArrayLike<number>, v: ArrayLike<number>, rows: number, i: number, j: number): number => {
    const acc = [0, 0];
    let t = 0;
    for (let r = 0; r < rows; r++) {
      if (v[r * n + j] === 0) continue;
      acc[t % 2] = f(acc[t % 2]! + x[r * m + i]!);
      t++;
    }
    return f(acc[0]! + acc[1]!);
  };
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let d = f(colSum(a, va, rowsA, i, j) * f(alphaA));
      if (b !== null) d = f(d - f(colSum(b, vb!, rowsB, i, j) * f(alphaB)));
      out[i * n + j] = g === null ? d : f(g[i * n + j]! + d);
    }
  }
  return out;
}
