/** Plain float64 references for the reductions over the middle axis of [outer, n, inner]. */
import type { ReduceOp } from '../ops/reduce.js';

export function refReduce(op: ReduceOp, x: Float32Array, outer: number, n: number, inner: number): Float64Array {
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = op === 'max' ? -Infinity : op === 'min' ? Infinity : 0;
      for (let i = 0; i < n; i++) {
        const v = x[(o * n + i) * inner + j]!;
        if (op === 'sum' || op === 'mean') acc += v;
        else if (Number.isNaN(v) || Number.isNaN(acc)) acc = NaN;
        else acc = op === 'max' ? Math.max(acc, v) : Math.min(acc, v);
      }
      out[o * inner + j] = op === 'mean' ? acc / n : acc;
    }
  }
  return out;
}

/** First index of the max (min) along n; NaN counts as the extreme. */
export function refArgReduce(isMax: boolean, x: Float32Array, outer: number, n: number, inner: number): Int32Array {
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = x[o * n * inner + j]!;
      let bi = 0;
      for (let i = 1; i < n && !Number.isNaN(best); i++) {
        const v = x[(o * n + i) * inner + j]!;
        if (Number.isNaN(v) || (isMax ? v > best : v < best)) {
          best = v;
          bi = i;
        }
      }
      out[o * inner + j] = bi;
    }
  }
  return out;
}

/** Sum of |x| along n: the scale of a sum's rounding error. */
export function refAbsSum(x: Float32Array, outer: number, n: number, inner: number): Float64Array {
  return refReduce('sum', x.map(Math.abs), outer, n, inner);
}
