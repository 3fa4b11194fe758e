// Reductions over the edges of each row (segment) of an edges x dim array in CSR order: sum, mean
// and max (with the arg-max edge for the backward pass), and the broadcast of a row value back to
// its edges (the backward pass of sum and mean). Rows without edges reduce to 0 (arg-max -1), as
// PyTorch Geometric's scatter does.
import { weightedRowSum, loadLanes } from './rows';
import { loadTail, storeTail } from '../common/lanes';

/** out[i, :] = sum (mean != 0: mean) over e in row i of src[e, :]. */
export function f32_segment_sum(out: usize, src: usize, rowptr: usize, rows: i32, dim: i32, mean: i32): void {
  if (rows <= 0 || dim <= 0) return;
  const D = <usize>dim;
  const stride = D << 2;
  for (let i: usize = 0; i < <usize>rows; i++) {
    const e0 = <usize>load<i32>(rowptr + (i << 2));
    const e1 = <usize>load<i32>(rowptr + (i << 2), 4);
    const scale: f32 = mean != 0 && e1 > e0 ? <f32>1 / <f32>(e1 - e0) : 1;
    weightedRowSum(out + i * stride, src, 0, 0, 0, e0, e1, 1, 0, stride, 0, D, scale);
  }
}

/**
 * out[i, d] = max over e in row i of src[e, d], arg[i, d] = the first edge reaching it (an i32);
 * rows without edges: out 0, arg -1. NaN wins only where it comes first (comparisons are >).
 */
export function f32_segment_max(out: usize, arg: usize, src: usize, rowptr: usize, rows: i32, dim: i32): void {
  if (rows <= 0 || dim <= 0) return;
  const D = <usize>dim;
  const stride = D << 2;
  for (let i: usize = 0; i < <usize>rows; i++) {
    const e0 = <usize>load<i32>(rowptr + (i << 2));
    const e1 = <usize>load<i32>(rowptr + (i << 2), 4);
    const o = out + i * stride;
    const g = arg + i * stride;
    for (let d: usize = 0; d < D; d += 4) {
      const r = min<usize>(4, D - d);
      const off = d << 2;
      let m = f32x4.splat(0);
      let a = i32x4.splat(-1);
      if (e1 > e0) {
        m = loadLanes(src + e0 * stride + off, r, 0);
        a = i32x4.splat(<i32>e0);
        for (let e = e0 + 1; e < e1; e++) {
          const v = loadLanes(src + e * stride + off, r, 0);
          const gt = f32x4.gt(v, m);
          m = v128.bitselect(v, m, gt);
          a = v128.bitselect(i32x4.splat(<i32>e), a, gt);
        }
      }
      if (r == 4) {
        v128.store(o + off, m);
        v128.store(g + off, a);
      } else {
        storeTail(o + off, m, r);
        store<i32>(g + off, i32x4.extract_lane(a, 0));
        if (r > 1) store<i32>(g + off, i32x4.extract_lane(a, 1), 4);
        if (r > 2) store<i32>(g + off, i32x4.extract_lane(a, 2), 8);
      }
    }
  }
}

/** dsrc[arg[i, d], d] += dout[i, d] wherever arg[i, d] >= 0 (dsrc: edges x dim, zeroed by the caller). */
export function f32_segment_max_backward(dsrc: usize, dout: usize, arg: usize, rows: i32, dim: i32): void {
  if (rows <= 0 || dim <= 0) return;
  const D = <usize>dim;
  const n = <usize>rows * D;
  for (let j: usize = 0; j < n; j++) {
    const e = load<i32>(arg + (j << 2));
    if (e < 0) continue;
    const d = j % D;
    const p = dsrc + ((<usize>e * D + d) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(dout + (j << 2)));
  }
}

/** out[e, :] = src[i, :] for every edge e of row i (mean != 0: divided by the row's edge count). */
export function f32_segment_broadcast(out: usize, src: usize, rowptr: usize, rows: i32, dim: i32, mean: i32): void {
  if (rows <= 0 || dim <= 0) return;
  const D = <usize>dim;
  const stride = D << 2;
  for (let i: usize = 0; i < <usize>rows; i++) {
    const e0 = <usize>load<i32>(rowptr + (i << 2));
    const e1 = <usize>load<i32>(rowptr + (i << 2), 4);
    if (e1 <= e0) continue;
    const s = f32x4.splat(mean != 0 ? <f32>1 / <f32>(e1 - e0) : 1);
    const p = src + i * stride;
    for (let d: usize = 0; d < D; d += 4) {
      const r = min<usize>(4, D - d);
      const off = d << 2;
      const v = f32x4.mul(r == 4 ? v128.load(p + off) : loadTail(p + off, r, 0), s);
      for (let e = e0; e < e1; e++) {
        if (r == 4) v128.store(out + e * stride + off, v);
        else storeTail(out + e * stride + off, v, r);
      }
    }
  }
}
