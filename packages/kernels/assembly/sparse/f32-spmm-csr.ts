// Sparse (CSR) times dense, the aggregation of message passing:
//   out[i, h*dim + d] = sum over the edges e of row i of w(e, h) * x[col[e], h*dim + d]
// with w(e, h) = val[v*heads + h], v = vidx[e] (or e when vidx is 0), or 1 when val is 0 (an
// unweighted graph). vidx lets the transposed product read the weights in place. One weight per edge and
// head lets a multi-head attention layer aggregate all its heads in one call; heads = 1 is the plain
// product A·X. The dense rows are vectorised (see rows.ts); a row with no edges gets zeros. The
// backward pass calls the same kernel on the transposed CSR (built once per graph, no atomics), with
// vidx mapping each transposed position to its edge.
import { weightedRowSum } from './rows';

/**
 * rowptr: rows + 1 i32s; col: column (source row of x) per edge; val: heads floats per weight or 0;
 * vidx: the weight of each edge (i32) or 0; x and out: rows of heads * dim floats. With mean != 0
 * each row is divided by its edge count.
 */
export function f32_spmm_csr(out: usize, rowptr: usize, col: usize, val: usize, vidx: usize, x: usize, rows: i32, heads: i32, dim: i32, mean: i32): void {
  if (rows <= 0 || heads <= 0 || dim <= 0) return;
  // Literal zeros let the compiler drop the per-edge tests of the unweighted and in-order cases.
  if (val == 0) spmmRows(out, rowptr, col, 0, 0, x, <usize>rows, <usize>heads, <usize>dim, mean);
  else if (vidx == 0) spmmRows(out, rowptr, col, val, 0, x, <usize>rows, <usize>heads, <usize>dim, mean);
  else spmmRows(out, rowptr, col, val, vidx, x, <usize>rows, <usize>heads, <usize>dim, mean);
}

// @ts-ignore: decorator
@inline
function spmmRows(out: usize, rowptr: usize, col: usize, val: usize, vidx: usize, x: usize, rows: usize, H: usize, D: usize, mean: i32): void {
  const stride = (H * D) << 2;
  for (let i: usize = 0; i < rows; i++) {
    const e0 = <usize>load<i32>(rowptr + (i << 2));
    const e1 = <usize>load<i32>(rowptr + (i << 2), 4);
    const scale: f32 = mean != 0 && e1 > e0 ? <f32>1 / <f32>(e1 - e0) : 1;
    const o = out + i * stride;
    for (let h: usize = 0; h < H; h++) {
      weightedRowSum(o + ((h * D) << 2), x, col, val, vidx, e0, e1, H, h, stride, (h * D) << 2, D, scale);
    }
  }
}
