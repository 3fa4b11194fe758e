/** Plain references for the copy kernels. Strides in elements. */

/** dst[idx . dstStrides + dstOff] = src[idx . srcStrides + srcOff] over every index of shape. */
export function refCopyStrided(
  dst: Float32Array,
  dstOff: number,
  dstStrides: readonly number[],
  src: Float32Array,
  srcOff: number,
  srcStrides: readonly number[],
  shape: readonly number[],
): void {
  const rank = shape.length;
  const total = shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(rank).fill(0);
  for (let f = 0; f < total; f++) {
    let d = dstOff;
    let s = srcOff;
    for (let i = 0; i < rank; i++) {
      d += idx[i]! * dstStrides[i]!;
      s += idx[i]! * srcStrides[i]!;
    }
    dst[d] = src[s]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
}

/** dst [cols, rows] = transpose of src [rows, cols]. */
export function refTranspose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const dst = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j]!;
  return dst;
}
