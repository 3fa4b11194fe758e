// Index of the maximum (minimum) along the middle axis of x viewed as [outer, n, inner]; out is an
// i32 [outer, inner]. Ties keep the first index; NaN counts as larger (smaller) than everything, so
// the first NaN wins, as in PyTorch.
import { loadTail } from '../common/lanes';

// @ts-ignore: decorator
@inline
function better(isMax: bool, v: v128, best: v128): v128 {
  const nanNew = v128.and(f32x4.ne(v, v), f32x4.eq(best, best));
  return v128.or(isMax ? f32x4.gt(v, best) : f32x4.lt(v, best), nanNew);
}

// @ts-ignore: decorator
@inline
function betterScalar(isMax: bool, v: f32, best: f32): bool {
  return (isMax ? v > best : v < best) || (v != v && best == best);
}

/** Arg-reduces n >= 1 contiguous floats. */
// @ts-ignore: decorator
@inline
function argRow(isMax: bool, x: usize, n: i32): i32 {
  let bestV = load<f32>(x);
  let bestI: i32 = 0;
  let i: i32 = 1;
  if (n >= 8) {
    let bv = v128.load(x);
    let bi = i32x4(0, 1, 2, 3);
    let idx = i32x4(4, 5, 6, 7);
    const four = i32x4.splat(4);
    for (i = 4; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      const take = better(isMax, v, bv);
      bv = v128.bitselect(v, bv, take);
      bi = v128.bitselect(idx, bi, take);
      idx = i32x4.add(idx, four);
    }
    // Combine the lanes: the better value, or on a tie (or both NaN) the smaller index.
    bestV = f32x4.extract_lane(bv, 0);
    bestI = i32x4.extract_lane(bi, 0);
    for (let l = 1; l < 4; l++) {
      const v = l == 1 ? f32x4.extract_lane(bv, 1) : l == 2 ? f32x4.extract_lane(bv, 2) : f32x4.extract_lane(bv, 3);
      const j = l == 1 ? i32x4.extract_lane(bi, 1) : l == 2 ? i32x4.extract_lane(bi, 2) : i32x4.extract_lane(bi, 3);
      const same = v == bestV || (v != v && bestV != bestV);
      if (betterScalar(isMax, v, bestV) || (same && j < bestI)) {
        bestV = v;
        bestI = j;
      }
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (betterScalar(isMax, v, bestV)) {
      bestV = v;
      bestI = i;
    }
  }
  return bestI;
}

/** Arg-reduces `r` (1..4) columns down n rows with row stride rs bytes. */
// @ts-ignore: decorator
@inline
function argCols(isMax: bool, out: usize, x: usize, n: i32, rs: usize, r: usize): void {
  let bv = r == 4 ? v128.load(x) : loadTail(x, r, 0);
  let bi = i32x4.splat(0);
  for (let i: i32 = 1; i < n; i++) {
    const p = x + <usize>i * rs;
    const v = r == 4 ? v128.load(p) : loadTail(p, r, 0);
    const take = better(isMax, v, bv);
    bv = v128.bitselect(v, bv, take);
    bi = v128.bitselect(i32x4.splat(i), bi, take);
  }
  if (r == 4) {
    v128.store(out, bi);
  } else {
    store<i32>(out, i32x4.extract_lane(bi, 0));
    if (r > 1) store<i32>(out, i32x4.extract_lane(bi, 1), 4);
    if (r > 2) store<i32>(out, i32x4.extract_lane(bi, 2), 8);
  }
}

// @ts-ignore: decorator
@inline
function argReduce(isMax: bool, out: usize, x: usize, outer: i32, n: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0 || n <= 0) return;
  if (inner == 1) {
    for (let o: i32 = 0; o < outer; o++) {
      store<i32>(out + (<usize>o << 2), argRow(isMax, x + <usize>o * (<usize>n << 2), n));
    }
    return;
  }
  const rs = <usize>inner << 2;
  const c = <usize>inner;
  for (let o: i32 = 0; o < outer; o++) {
    const xo = x + <usize>o * <usize>n * rs;
    const oo = out + <usize>o * rs;
    let j: usize = 0;
    for (; j + 4 <= c; j += 4) argCols(isMax, oo + (j << 2), xo + (j << 2), n, rs, 4);
    if (j < c) argCols(isMax, oo + (j << 2), xo + (j << 2), n, rs, c - j);
  }
}

/** out[o, j] = argmax_i x[o, i, j] (i32). */
export function f32_argmax(out: usize, x: usize, outer: i32, n: i32, inner: i32): void {
  argReduce(true, out, x, outer, n, inner);
}

/** out[o, j] = argmin_i x[o, i, j] (i32). */
export function f32_argmin(out: usize, x: usize, outer: i32, n: i32, inner: i32): void {
  argReduce(false, out, x, outer, n, inner);
}
