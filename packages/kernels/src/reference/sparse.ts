/**
 * Plain references for the sparse kernels, in float64, edge by edge. CSR arrays as the kernels read
 * them: rowptr (rows + 1), col (one per edge); dense arrays row-major, rows of heads * dim floats.
 */

export interface CsrArrays {
  rowptr: ArrayLike<number>;
  col: ArrayLike<number>;
  rows: number;
}

/**
 * out[i, h, d] = sum over edges e of row i of w(e, h) x[col[e], h, d] (w = 1 without val, else
 * val[v, h] with v = vidx[e] or e; mean divides by the count).
 */
export function spmmReference(
  a: CsrArrays, x: ArrayLike<number>, val: ArrayLike<number> | null, heads: number, dim: number, mean = false, vidx: ArrayLike<number> | null = null,
): Float64Array {
  const w = heads * dim;
  const out = new Float64Array(a.rows * w);
  for (let i = 0; i < a.rows; i++) {
    const e0 = a.rowptr[i]!;
    const e1 = a.rowptr[i + 1]!;
    for (let e = e0; e < e1; e++) {
      const j = a.col[e]!;
      for (let h = 0; h < heads; h++) {
        const v = val ? val[(vidx ? vidx[e]! : e) * heads + h]! : 1;
        for (let d = 0; d < dim; d++) out[i * w + h * dim + d] += v * x[j * w + h * dim + d]!;
      }
    }
    if (mean && e1 > e0) for (let c = 0; c < w; c++) out[i * w + c] /= e1 - e0;
  }
  return out;
}

/** out[e, h] = sum_d a[i, h, d] b[col[e], h, d]. */
export function sddmmReference(c: CsrArrays, a: ArrayLike<number>, b: ArrayLike<number>, heads: number, dim: number): Float64Array {
  const out = new Float64Array(c.rowptr[c.rows]! * heads);
  const w = heads * dim;
  for (let i = 0; i < c.rows; i++) {
    for (let e = c.rowptr[i]!; e < c.rowptr[i + 1]!; e++) {
      const j = c.col[e]!;
      for (let h = 0; h < heads; h++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += a[i * w + h * dim + d]! * b[j * w + h * dim + d]!;
        out[e * heads + h] = s;
      }
    }
  }
  return out;
}

/** Softmax of src[e, h] over the edges of each row, per head. */
export function segmentSoftmaxReference(rowptr: ArrayLike<number>, rows: number, src: ArrayLike<number>, heads: number): Float64Array {
  const out = new Float64Array(src.length);
  for (let i = 0; i < rows; i++) {
    const e0 = rowptr[i]!;
    const e1 = rowptr[i + 1]!;
    for (let h = 0; h < heads; h++) {
      let m = -Infinity;
      for (let e = e0; e < e1; e++) m = Math.max(m, src[e * heads + h]!);
      let s = 0;
      for (let e = e0; e < e1; e++) s += Math.exp(src[e * heads + h]! - m);
      for (let e = e0; e < e1; e++) out[e * heads + h] = Math.exp(src[e * heads + h]! - m) / s;
    }
  }
  return out;
}

/** y * (dy - rowsum(y * dy)) per head. */
export function segmentSoftmaxBackwardReference(rowptr: ArrayLike<number>, rows: number, y: ArrayLike<number>, dy: ArrayLike<number>, heads: number): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < rows; i++) {
    for (let h = 0; h < heads; h++) {
      let s = 0;
      for (let e = rowptr[i]!; e < rowptr[i + 1]!; e++) s += y[e * heads + h]! * dy[e * heads + h]!;
      for (let e = rowptr[i]!; e < rowptr[i + 1]!; e++) out[e * heads + h] = y[e * heads + h]! * (dy[e * heads + h]! - s);
    }
  }
  return out;
}

/** Sum (or mean) of src[e, :] over the edges of each row; 0 for empty rows. */
export function segmentSumReference(rowptr: ArrayLike<number>, rows: number, src: ArrayLike<number>, dim: number, mean = false): Float64Array {
  const identity = { rowptr, rows, col: Array.from({ length: rowptr[rows]! }, (_, e) => e) };
  return spmmReference(identity, src, null, 1, dim, mean);
}

/** Max of src[e, :] over each row's edges and the first edge reaching it; 0 and -1 for empty rows. */
export function segmentMaxReference(rowptr: ArrayLike<number>, rows: number, src: ArrayLike<number>, dim: number): { out: Float64Array; arg: Int32Array } {
  const out = new Float64Array(rows * dim);
  const arg = new Int32Array(rows * dim).fill(-1);
  for (let i = 0; i < rows; i++) {
    for (let d = 0; d < dim; d++) {
      for (let e = rowptr[i]!; e < rowptr[i + 1]!; e++) {
        const v = src[e * dim + d]!;
        if (arg[i * dim + d] === -1 || v > out[i * dim + d]!) {
          out[i * dim + d] = v;
          arg[i * dim + d] = e;
        }
      }
    }
  }
  return { out, arg };
}

/** Each edge gets its row's src row (divided by the row's edge count with mean). */
export function segmentBroadcastReference(rowptr: ArrayLike<number>, rows: number, src: ArrayLike<number>, dim: number, mean = false): Float64Array {
  const out = new Float64Array(rowptr[rows]! * dim);
  for (let i = 0; i < rows; i++) {
    const n = rowptr[i + 1]! - rowptr[i]!;
    for (let e = rowptr[i]!; e < rowptr[i + 1]!; e++) {
      for (let d = 0; d < dim; d++) out[e * dim + d] = mean ? src[i * dim + d]! / n : src[i * dim + d]!;
    }
  }
  return out;
}

/** out[e, :] = u[col[e], :] + v[i, :]. */
export function csrAddSrcDstReference(c: CsrArrays, u: ArrayLike<number>, v: ArrayLike<number>, dim: number): Float64Array {
  const out = new Float64Array(c.rowptr[c.rows]! * dim);
  for (let i = 0; i < c.rows; i++) {
    for (let e = c.rowptr[i]!; e < c.rowptr[i + 1]!; e++) {
      for (let d = 0; d < dim; d++) out[e * dim + d] = u[c.col[e]! * dim + d]! + v[i * dim + d]!;
    }
  }
  return out;
}

/** u[i] < p ? 0 : scale * (v ? v[i] : 1). */
export function dropoutValuesReference(u: ArrayLike<number>, v: ArrayLike<number> | null, p: number, scale: number): Float64Array {
  return Float64Array.from({ length: u.length }, (_, i) => (u[i]! < p ? 0 : scale * (v ? v[i]! : 1)));
}
