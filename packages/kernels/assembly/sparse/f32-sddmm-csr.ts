// Sampled dense-dense product: one dot product per edge and head,
//   out[e*heads + h] = sum_d a[i, h*dim + d] * b[col[e], h*dim + d]   (e an edge of row i)
// the gradient of spmm with respect to its edge weights (a = the output gradient, b = the input),
// and attention scores between the two ends of each edge.
import { loadTail, hsum } from '../common/lanes';

/** Dot product of n floats at p and q (two accumulators, then the 1..3 left through the same lanes). */
// @ts-ignore: decorator
@inline
function dot(p: usize, q: usize, n: usize): f32 {
  const end = n << 2;
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let j: usize = 0;
  for (; j + 32 <= end; j += 32) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load(p + j), v128.load(q + j)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(p + j, 16), v128.load(q + j, 16)));
  }
  for (; j + 16 <= end; j += 16) a0 = f32x4.add(a0, f32x4.mul(v128.load(p + j), v128.load(q + j)));
  if (j < end) {
    const r = (end - j) >> 2;
    a1 = f32x4.add(a1, f32x4.mul(loadTail(p + j, r, 0), loadTail(q + j, r, 0)));
  }
  return hsum(f32x4.add(a0, a1));
}

/** rowptr: rows + 1 i32s; col: column per edge; a: rows x (heads*dim); b: (max col + 1) x (heads*dim); out: edges x heads. */
export function f32_sddmm_csr(out: usize, rowptr: usize, col: usize, a: usize, b: usize, rows: i32, heads: i32, dim: i32): void {
  if (rows <= 0 || heads <= 0) return;
  const H = <usize>heads;
  const D = <usize>dim;
  const stride = (H * D) << 2;
  for (let i: usize = 0; i < <usize>rows; i++) {
    const e0 = <usize>load<i32>(rowptr + (i << 2));
    const e1 = <usize>load<i32>(rowptr + (i << 2), 4);
    const pa = a + i * stride;
    for (let e = e0; e < e1; e++) {
      const pb = b + <usize>load<i32>(col + (e << 2)) * stride;
      const o = out + ((e * H) << 2);
      for (let h: usize = 0; h < H; h++) {
        const off = (h * D) << 2;
        store<f32>(o + (h << 2), D == 0 ? 0 : dot(pa + off, pb + off, D));
      }
    }
  }
}
