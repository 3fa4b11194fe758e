// The bias gradient of a contrastive-divergence step in one call: g[j] (+)= alphaA sum_i a[i, j] -
// alphaB sum_i b[i, j], for the model statistics a [rowsA, cols] and the data's b [rowsB, cols],
// instead of two column sums, two scalings, a difference and the copy or add into .grad (seven ops).
// Each column sum runs down the rows in blocks of 128 as f32_reduce sums a column (sequential per lane,
// block sums added), the scaling and the accumulation go through madd as f32_vscale and f32_vaxpy round
// them, so the result is the bits of the separate ops (for cols > 1: reduce sums a single column as a row).
import { madd } from '../common/madd';
import { loadTail, storeTail } from '../common/lanes';

const COL_BLOCK: i32 = 128; // rows per partial sum down a column, as in f32_reduce

/** Column sums of r <= 4 columns at x of n rows with row stride rs bytes (missing lanes 0). */
// @ts-ignore: decorator
@inline
function colSum4(x: usize, n: i32, rs: usize, r: usize): v128 {
  let acc = f32x4.splat(0);
  for (let i = 0; i < n; ) {
    const stop = min<i32>(n, i + COL_BLOCK);
    let part = f32x4.splat(0);
    for (; i < stop; i++) {
      const p = x + <usize>i * rs;
      part = f32x4.add(part, r == 4 ? v128.load(p) : loadTail(p, r, 0));
    }
    acc = f32x4.add(acc, part);
  }
  return acc;
}

/** g[j] = (alphaA colsum(a)[j] - alphaB colsum(b)[j]) (+ g[j] when accumulate), j < cols. */
export function f32_cd_bias_grad(g: usize, a: usize, rowsA: i32, alphaA: f32, b: usize, rowsB: i32, alphaB: f32, cols: i32, accumulate: i32): void {
  if (cols <= 0) return;
  const va = f32x4.splat(alphaA), vb = f32x4.splat(alphaB), zero = f32x4.splat(0), one = f32x4.splat(1);
  const rs = <usize>cols << 2;
  for (let j = 0; j < cols; j += 4) {
    const r = <usize>min<i32>(4, cols - j);
    const off = <usize>j << 2;
    const d = f32x4.sub(madd(colSum4(a + off, rowsA, rs, r), va, zero), madd(colSum4(b + off, rowsB, rs, r), vb, zero));
    const out = accumulate != 0 ? madd(d, one, r == 4 ? v128.load(g + off) : loadTail(g + off, r, 0)) : d;
    if (r == 4) v128.store(g + off, out);
    else storeTail(g + off, out, r);
  }
}
