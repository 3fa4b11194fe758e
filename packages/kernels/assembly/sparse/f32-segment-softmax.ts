// Softmax over the edges of each row (segment), one softmax per head: the attention normalisation of
// graph attention layers. src and out are edges x heads, edges sorted by row (CSR order); lanes run
// across heads (four at a time), so each edge costs one vector load per pass. Max-subtracted, so
// any finite scores are safe; a row without edges has nothing to normalise.
import { vexp } from '../common/vmath';
import { loadLanes, storeLanes } from './rows';

/** out[e, h] = exp(src[e, h] - max) / sum over the row's edges of exp(src[., h] - max). */
export function f32_segment_softmax(out: usize, src: usize, rowptr: usize, rows: i32, heads: i32): void {
  if (rows <= 0 || heads <= 0) return;
  const H = <usize>heads;
  const stride = H << 2;
  const ninf = f32x4.splat(-Infinity);
  for (let i: usize = 0; i < <usize>rows; i++) {
    const e0 = <usize>load<i32>(rowptr + (i << 2));
    const e1 = <usize>load<i32>(rowptr + (i << 2), 4);
    if (e1 <= e0) continue;
    for (let h: usize = 0; h < H; h += 4) {
      const r = min<usize>(4, H - h);
      const off = h << 2;
      let m = ninf;
      for (let e = e0; e < e1; e++) m = f32x4.max(m, loadLanes(src + e * stride + off, r, -Infinity));
      let s = f32x4.splat(0);
      for (let e = e0; e < e1; e++) {
        const v = vexp(f32x4.sub(loadLanes(src + e * stride + off, r, -Infinity), m));
        storeLanes(out + e * stride + off, v, r);
        s = f32x4.add(s, v);
      }
      const inv = f32x4.div(f32x4.splat(1), s);
      for (let e = e0; e < e1; e++) {
        const p = out + e * stride + off;
        storeLanes(p, f32x4.mul(loadLanes(p, r, 0), inv), r);
      }
    }
  }
}

/** dsrc[e, h] = y[e, h] * (dy[e, h] - sum over the row's edges of y[., h] * dy[., h]). */
export function f32_segment_softmax_backward(dsrc: usize, y: usize, dy: usize, rowptr: usize, rows: i32, heads: i32): void {
  if (rows <= 0 || heads <= 0) return;
  const H = <usize>heads;
  const stride = H << 2;
  for (let i: usize = 0; i < <usize>rows; i++) {
    const e0 = <usize>load<i32>(rowptr + (i << 2));
    const e1 = <usize>load<i32>(rowptr + (i << 2), 4);
    for (let h: usize = 0; h < H; h += 4) {
      const r = min<usize>(4, H - h);
      const off = h << 2;
      let s = f32x4.splat(0);
      for (let e = e0; e < e1; e++) {
        const p = e * stride + off;
        s = f32x4.add(s, f32x4.mul(loadLanes(y + p, r, 0), loadLanes(dy + p, r, 0)));
      }
      for (let e = e0; e < e1; e++) {
        const p = e * stride + off;
        storeLanes(dsrc + p, f32x4.mul(loadLanes(y + p, r, 0), f32x4.sub(loadLanes(dy + p, r, 0), s)), r);
      }
    }
  }
}
