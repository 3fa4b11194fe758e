// Helpers of the sparse family: the weighted sum of a set of rows (the inner loop of spmm and of
// segment sums) and partial-vector loads/stores of 1..4 lanes.
import { madd } from '../common/madd';
import { loadTail, storeTail } from '../common/lanes';

/** Loads r (1..4) floats at p; the other lanes hold `fill`. */
// @ts-ignore: decorator
@inline
export function loadLanes(p: usize, r: usize, fill: f32): v128 {
  return r >= 4 ? v128.load(p) : loadTail(p, r, fill);
}

/** Stores the low r (1..4) lanes of v at p. */
// @ts-ignore: decorator
@inline
export function storeLanes(p: usize, v: v128, r: usize): void {
  if (r >= 4) v128.store(p, v);
  else storeTail(p, v, r);
}

/** Byte address of the row that edge e reads: row col[e] of x, or row e itself when col is 0. */
// @ts-ignore: decorator
@inline
function rowOf(x: usize, col: usize, e: usize, stride: usize): usize {
  return x + (col == 0 ? e : <usize>load<i32>(col + (e << 2))) * stride;
}

/** The weight of edge e for head h: val[v * heads + h] with v = vidx[e] (or e when vidx is 0); 1 when val is 0. */
// @ts-ignore: decorator
@inline
function weightOf(val: usize, vidx: usize, e: usize, heads: usize, h: usize): v128 {
  if (val == 0) return f32x4.splat(1);
  const v = vidx == 0 ? e : <usize>load<i32>(vidx + (e << 2));
  return v128.load32_splat(val + ((v * heads + h) << 2));
}

/**
 * out[0..dim) = scale * sum over e in [e0, e1) of w(e, h) * row(e)[off .. off + dim), rows `stride`
 * bytes apart, `off` in bytes. Columns go 16 at a time in four accumulators (then 8, 4 and the 1..3
 * left), each a pass over the edges, so an edge costs one index and one weight load per pass. Edges
 * are added in order (the plain build is bit-reproducible); an empty set gives zeros.
 */
// @ts-ignore: decorator
@inline
export function weightedRowSum(
  out: usize, x: usize, col: usize, val: usize, vidx: usize, e0: usize, e1: usize, heads: usize, h: usize, stride: usize, off: usize, dim: usize, scale: f32,
): void {
  const s = f32x4.splat(scale);
  const z = f32x4.splat(0);
  let d: usize = 0;
  for (; d + 16 <= dim; d += 16) {
    let a0 = z, a1 = z, a2 = z, a3 = z;
    const o = off + (d << 2);
    for (let e = e0; e < e1; e++) {
      const w = weightOf(val, vidx, e, heads, h);
      const p = rowOf(x, col, e, stride) + o;
      a0 = madd(w, v128.load(p), a0);
      a1 = madd(w, v128.load(p, 16), a1);
      a2 = madd(w, v128.load(p, 32), a2);
      a3 = madd(w, v128.load(p, 48), a3);
    }
    const q = out + (d << 2);
    v128.store(q, f32x4.mul(a0, s));
    v128.store(q, f32x4.mul(a1, s), 16);
    v128.store(q, f32x4.mul(a2, s), 32);
    v128.store(q, f32x4.mul(a3, s), 48);
  }
  if (d + 8 <= dim) {
    let a0 = z, a1 = z;
    const o = off + (d << 2);
    for (let e = e0; e < e1; e++) {
      const w = weightOf(val, vidx, e, heads, h);
      const p = rowOf(x, col, e, stride) + o;
      a0 = madd(w, v128.load(p), a0);
      a1 = madd(w, v128.load(p, 16), a1);
    }
    const q = out + (d << 2);
    v128.store(q, f32x4.mul(a0, s));
    v128.store(q, f32x4.mul(a1, s), 16);
    d += 8;
  }
  if (d < dim) {
    // 1..7 columns left: a full vector (when 4+ remain) and a partial one, in the same pass.
    const r = dim - d;
    const o = off + (d << 2);
    let a0 = z, a1 = z;
    if (r > 4) {
      const t = r - 4;
      for (let e = e0; e < e1; e++) {
        const w = weightOf(val, vidx, e, heads, h);
        const p = rowOf(x, col, e, stride) + o;
        a0 = madd(w, v128.load(p), a0);
        a1 = madd(w, loadTail(p + 16, t, 0), a1);
      }
      v128.store(out + (d << 2), f32x4.mul(a0, s));
      storeTail(out + (d << 2) + 16, f32x4.mul(a1, s), t);
    } else {
      for (let e = e0; e < e1; e++) {
        const w = weightOf(val, vidx, e, heads, h);
        a0 = madd(w, loadLanes(rowOf(x, col, e, stride) + o, r, 0), a0);
      }
      storeLanes(out + (d << 2), f32x4.mul(a0, s), r);
    }
  }
}
