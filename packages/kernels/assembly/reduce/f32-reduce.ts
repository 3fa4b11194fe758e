// Reductions over the middle axis of x viewed as [outer, n, inner]; out is [outer, inner].
// inner == 1: each row is contiguous, reduced 16 lanes at a time. inner > 1: 16 (then 4, then 1..3)
// columns at a time, walking down the n rows. Sums are two-level (lanes sum blocks, block sums are
// added), so the rounding error grows like block + n / block rather than n. max/min propagate NaN.
import { hmax, hmin, hsum, loadTail, storeTail } from '../common/lanes';

const SUM = 0;
const MEAN = 1;
const MAX = 2;
const MIN = 3;

const ROW_BLOCK: usize = 1024; // floats per partial sum along a contiguous row
const COL_BLOCK: usize = 128; // rows per partial sum down a column

// @ts-ignore: decorator
@inline
function combine(op: i32, a: v128, b: v128): v128 {
  if (op == MAX) return f32x4.max(a, b);
  if (op == MIN) return f32x4.min(a, b);
  return f32x4.add(a, b);
}

// @ts-ignore: decorator
@inline
function combineScalar(op: i32, a: f32, b: f32): f32 {
  if (op == MAX) return max<f32>(a, b);
  if (op == MIN) return min<f32>(a, b);
  return a + b;
}

// @ts-ignore: decorator
@inline
function finish(op: i32, s: f32, n: usize): f32 {
  return op == MEAN ? s / <f32>n : s;
}

/** Reduces n contiguous floats at x (n >= 1). */
// @ts-ignore: decorator
@inline
function reduceRow(op: i32, x: usize, n: usize): f32 {
  const end = n << 2;
  let i: usize = 0;
  let acc: v128;
  if (op == MAX || op == MIN) {
    acc = f32x4.splat(load<f32>(x));
    let a1 = acc, a2 = acc, a3 = acc;
    for (; i + 64 <= end; i += 64) {
      acc = combine(op, acc, v128.load(x + i));
      a1 = combine(op, a1, v128.load(x + i, 16));
      a2 = combine(op, a2, v128.load(x + i, 32));
      a3 = combine(op, a3, v128.load(x + i, 48));
    }
    acc = combine(op, combine(op, acc, a1), combine(op, a2, a3));
  } else {
    acc = f32x4.splat(0);
    const blockEnd = end & ~((ROW_BLOCK << 2) - 1);
    for (; i < blockEnd; ) {
      const stop = i + (ROW_BLOCK << 2);
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (; i < stop; i += 64) {
        a0 = f32x4.add(a0, v128.load(x + i));
        a1 = f32x4.add(a1, v128.load(x + i, 16));
        a2 = f32x4.add(a2, v128.load(x + i, 32));
        a3 = f32x4.add(a3, v128.load(x + i, 48));
      }
      acc = f32x4.add(acc, f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    }
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 64 <= end; i += 64) {
      a0 = f32x4.add(a0, v128.load(x + i));
      a1 = f32x4.add(a1, v128.load(x + i, 16));
      a2 = f32x4.add(a2, v128.load(x + i, 32));
      a3 = f32x4.add(a3, v128.load(x + i, 48));
    }
    acc = f32x4.add(acc, f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
  for (; i + 16 <= end; i += 16) acc = combine(op, acc, v128.load(x + i));
  if (i < end) {
    const fill = op == MAX || op == MIN ? load<f32>(x) : <f32>0;
    acc = combine(op, acc, loadTail(x + i, (end - i) >> 2, fill));
  }
  const s = op == MAX ? hmax(acc) : op == MIN ? hmin(acc) : hsum(acc);
  return finish(op, s, n);
}

/** Reduces a [n, width] column block (width 4 lanes, or r < 4 when partial) with row stride `rs` bytes. */
// @ts-ignore: decorator
@inline
function reduceCols4(op: i32, out: usize, x: usize, n: usize, rs: usize, r: usize): void {
  let acc: v128;
  if (op == MAX || op == MIN) {
    acc = r == 4 ? v128.load(x) : loadTail(x, r, 0);
    for (let i: usize = 1; i < n; i++) {
      const p = x + i * rs;
      acc = combine(op, acc, r == 4 ? v128.load(p) : loadTail(p, r, 0));
    }
  } else {
    acc = f32x4.splat(0);
    for (let i: usize = 0; i < n; ) {
      const stop = min<usize>(n, i + COL_BLOCK);
      let part = f32x4.splat(0);
      for (; i < stop; i++) {
        const p = x + i * rs;
        part = f32x4.add(part, r == 4 ? v128.load(p) : loadTail(p, r, 0));
      }
      acc = f32x4.add(acc, part);
    }
    if (op == MEAN) acc = f32x4.div(acc, f32x4.splat(<f32>n));
  }
  if (r == 4) v128.store(out, acc);
  else storeTail(out, acc, r);
}

/** Sixteen columns at once (four independent accumulators hide the add latency). */
// @ts-ignore: decorator
@inline
function reduceCols16(op: i32, out: usize, x: usize, n: usize, rs: usize): void {
  let a0 = v128.load(x), a1 = v128.load(x, 16), a2 = v128.load(x, 32), a3 = v128.load(x, 48);
  if (op == MAX || op == MIN) {
    for (let i: usize = 1; i < n; i++) {
      const p = x + i * rs;
      a0 = combine(op, a0, v128.load(p));
      a1 = combine(op, a1, v128.load(p, 16));
      a2 = combine(op, a2, v128.load(p, 32));
      a3 = combine(op, a3, v128.load(p, 48));
    }
  } else {
    a0 = f32x4.splat(0);
    a1 = a0;
    a2 = a0;
    a3 = a0;
    for (let i: usize = 0; i < n; ) {
      const stop = min<usize>(n, i + COL_BLOCK);
      let p0 = f32x4.splat(0), p1 = p0, p2 = p0, p3 = p0;
      for (; i < stop; i++) {
        const p = x + i * rs;
        p0 = f32x4.add(p0, v128.load(p));
        p1 = f32x4.add(p1, v128.load(p, 16));
        p2 = f32x4.add(p2, v128.load(p, 32));
        p3 = f32x4.add(p3, v128.load(p, 48));
      }
      a0 = f32x4.add(a0, p0);
      a1 = f32x4.add(a1, p1);
      a2 = f32x4.add(a2, p2);
      a3 = f32x4.add(a3, p3);
    }
    if (op == MEAN) {
      const d = f32x4.splat(<f32>n);
      a0 = f32x4.div(a0, d);
      a1 = f32x4.div(a1, d);
      a2 = f32x4.div(a2, d);
      a3 = f32x4.div(a3, d);
    }
  }
  v128.store(out, a0);
  v128.store(out, a1, 16);
  v128.store(out, a2, 32);
  v128.store(out, a3, 48);
}

// @ts-ignore: decorator
@inline
function reduce(op: i32, out: usize, x: usize, outer: usize, n: usize, inner: usize): void {
  if (n == 0) {
    // Empty reduction: sum = 0, mean = NaN (0 / 0); max/min are rejected by the wrapper.
    const v: f32 = op == SUM ? 0 : NaN;
    for (let j: usize = 0; j < outer * inner; j++) store<f32>(out + (j << 2), v);
    return;
  }
  if (inner == 1) {
    for (let o: usize = 0; o < outer; o++) {
      store<f32>(out + (o << 2), reduceRow(op, x + o * (n << 2), n));
    }
    return;
  }
  const rs = inner << 2;
  for (let o: usize = 0; o < outer; o++) {
    const xo = x + o * n * rs;
    const oo = out + o * rs;
    let j: usize = 0;
    for (; j + 16 <= inner; j += 16) reduceCols16(op, oo + (j << 2), xo + (j << 2), n, rs);
    for (; j + 4 <= inner; j += 4) reduceCols4(op, oo + (j << 2), xo + (j << 2), n, rs, 4);
    if (j < inner) reduceCols4(op, oo + (j << 2), xo + (j << 2), n, rs, inner - j);
  }
}

/** out[o, j] = reduce_i x[o, i, j] with op SUM (0), MEAN (1), MAX (2) or MIN (3). */
export function f32_reduce(op: i32, out: usize, x: usize, outer: i32, n: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0 || n < 0) return;
  const a = <usize>outer;
  const b = <usize>n;
  const c = <usize>inner;
  switch (op) {
    case SUM: reduce(SUM, out, x, a, b, c); break;
    case MEAN: reduce(MEAN, out, x, a, b, c); break;
    case MAX: reduce(MAX, out, x, a, b, c); break;
    default: reduce(MIN, out, x, a, b, c); break;
  }
}

// @ts-ignore: decorator
@inline
function reduceCols(op: i32, out: usize, x: usize, n: usize, rs: usize, cols: usize): void {
  let j: usize = 0;
  for (; j + 16 <= cols; j += 16) reduceCols16(op, out + (j << 2), x + (j << 2), n, rs);
  for (; j + 4 <= cols; j += 4) reduceCols4(op, out + (j << 2), x + (j << 2), n, rs, 4);
  if (j < cols) reduceCols4(op, out + (j << 2), x + (j << 2), n, rs, cols - j);
}

/**
 * out[j] = reduce_i x[i, j] for the first `cols` columns of x [n, ld] (n >= 1, cols >= 1): one column
 * range of f32_reduce with outer 1 and inner ld. Every column starting at a multiple of 16 is summed
 * exactly as f32_reduce sums it, so threads can take column ranges cut at multiples of 16.
 */
export function f32_reduce_cols(op: i32, out: usize, x: usize, n: i32, ld: i32, cols: i32): void {
  if (n <= 0 || cols <= 0) return;
  const b = <usize>n;
  const rs = <usize>ld << 2;
  const c = <usize>cols;
  switch (op) {
    case SUM: reduceCols(SUM, out, x, b, rs, c); break;
    case MEAN: reduceCols(MEAN, out, x, b, rs, c); break;
    case MAX: reduceCols(MAX, out, x, b, rs, c); break;
    default: reduceCols(MIN, out, x, b, rs, c); break;
  }
}

/**
 * out[c] = sum over n < N and p < P of x[n][c][p] for channels c0 <= c < c1 of x [N, C, P] (a
 * convolution's bias gradient) in one pass: each [n, c] row summed as f32_reduce sums a row, the rows'
 * sums added over n in blocks of COL_BLOCK as f32_reduce adds down a column, so the bits are those of
 * the two reductions it replaces (rows, then the batch). Channels are independent: threads take ranges.
 */
export function f32_channel_sums(x: usize, N: i32, C: i32, P: i32, c0: i32, c1: i32, out: usize): void {
  const n = <usize>N;
  let c = c0;
  if (P == 1) {
    // One value a row (a 1x1 output, e.g. LeNet C5): four channels at a time, each lane adding its
    // channel's values in the order and blocks of the loop below (a row of one value sums to itself).
    for (; c + 4 <= c1; c += 4) {
      let total = f32x4.splat(0);
      for (let i: usize = 0; i < n; ) {
        const stop = min<usize>(n, i + COL_BLOCK);
        let part = f32x4.splat(0);
        for (; i < stop; i++) part = f32x4.add(part, v128.load(x + ((i * <usize>C + <usize>c) << 2)));
        total = f32x4.add(total, part);
      }
      v128.store(out + (<usize>c << 2), total);
    }
  }
  for (; c < c1; c++) {
    let total: f32 = 0;
    if (P > 0) {
      for (let i: usize = 0; i < n; ) {
        const stop = min<usize>(n, i + COL_BLOCK);
        let part: f32 = 0;
        for (; i < stop; i++) part += reduceRow(SUM, x + ((i * <usize>C + <usize>c) * <usize>P << 2), <usize>P);
        total += part;
      }
    }
    store<f32>(out + (<usize>c << 2), total);
  }
}

/**
 * The sum of n contiguous floats (n >= 1) in the order and blocks of f32_reduce's and
 * f32_channel_sums' rows: a kernel that has just written a plane can sum it with the bits a later
 * reduction of it would give (max pooling's gradient pass, for the convolution's bias before it).
 */
// @ts-ignore: decorator
@inline
export function sumRow(x: usize, n: usize): f32 {
  return reduceRow(SUM, x, n);
}
