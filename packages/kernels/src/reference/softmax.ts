/** Plain float64 references for the row softmax kernels ([rows, cols], last axis). */

function rowMax(x: ArrayLike<number>, o: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) {
    const v = x[o + j]!;
    if (Number.isNaN(v)) return NaN;
    if (v > m) m = v;
  }
  return m;
}

export function refSoftmaxRows(x: Float32Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = rowMax(x, o, cols);
    let s = 0;
    for (let j = 0; j < cols; j++) s += y[o + j] = Math.exp(x[o + j]! - m);
    for (let j = 0; j < cols; j++) y[o + j]! /= s;
  }
  return y;
}

export function refLogSoftmaxRows(x: Float32Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = rowMax(x, o, cols);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j]! - m);
    const l = Math.log(s);
    for (let j = 0; j < cols; j++) y[o + j] = x[o + j]! - m - l;
  }
  return y;
}

export function refSoftmaxRowsBackward(dy: Float32Array, y: Float32Array, rows: number, cols: number): Float64Array {
  const dx = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let d = 0;
    for (let j = 0; j < cols; j++) d += dy[o + j]! * y[o + j]!;
    for (let j = 0; j < cols; j++) dx[o + j] = y[o + j]! * (dy[o + j]! - d);
  }
  return dx;
}

export function refLogSoftmaxRowsBackward(dy: Float32Array, y: Float32Array, rows: number, cols: number): Float64Array {
  const dx = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += dy[o + j]!;
    for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j]! - Math.exp(y[o + j]!) * s;
  }
  return dx;
}
