/** Plain reference of the energy kernels, float64. */
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
