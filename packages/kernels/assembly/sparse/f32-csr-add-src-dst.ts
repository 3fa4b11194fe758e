// Per-edge sum of a source-node row and a destination-node row: out[e, :] = u[col[e], :] + v[i, :]
// for every edge e of row i. Graph attention scores: each head's score of edge j -> i is
// a_src · h_j + a_dst · h_i, computed once per node (u, v) and combined per edge here.
import { loadLanes, storeLanes } from './rows';

export function f32_csr_add_src_dst(out: usize, rowptr: usize, col: usize, u: usize, v: usize, rows: i32, dim: i32): void {
  if (rows <= 0 || dim <= 0) return;
  const D = <usize>dim;
  const stride = D << 2;
  for (let i: usize = 0; i < <usize>rows; i++) {
    const e0 = <usize>load<i32>(rowptr + (i << 2));
    const e1 = <usize>load<i32>(rowptr + (i << 2), 4);
    const pv = v + i * stride;
    for (let e = e0; e < e1; e++) {
      const pu = u + <usize>load<i32>(col + (e << 2)) * stride;
      const o = out + e * stride;
      for (let d: usize = 0; d < D; d += 4) {
        const r = min<usize>(4, D - d);
        const off = d << 2;
        storeLanes(o + off, f32x4.add(loadLanes(pu + off, r, 0), loadLanes(pv + off, r, 0)), r);
      }
    }
  }
}
