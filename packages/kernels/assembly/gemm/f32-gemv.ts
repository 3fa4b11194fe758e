// Matrix-vector products for GEMMs with one row (M = 1) or one column (N = 1), where the 4x8 tile would
// waste 3/4 (7/8) of its work and packing B would cost as much as the product itself.
//
// Both are out[j] = alpha * sum_p x[p] * Y[p, j] + beta * out[j] for j < n, with x contiguous (K floats)
// and Y a K x n matrix read in place, in one of two layouts:
//   rows    Y[p, j] = y[p * ldy + j]: 32 outputs at a time accumulate x[p] * (a row of Y) (axpy form);
//   columns Y[p, j] = y[j * ldy + p]: 4 outputs at a time are dot products of x with 4 rows of y.
// C = op(A) op(B) row by row: x = row i of op(A), Y = op(B); the N = 1 case is its transpose,
// C^T = op(B)^T op(A)^T, with x = the column of op(B), Y = op(A)^T and a strided output.
// A strided x is first copied to `work` (K floats).
import { madd } from '../common/madd';
import { loadTail, storeTail } from '../common/lanes';

/** Loads 4 outputs (stride `inc` floats; inc == 1: one vector). */
// @ts-ignore: decorator
@inline
function loadOut(p: usize, inc: usize, n: i32): v128 {
  if (inc == 1) return n >= 4 ? v128.load(p) : loadTail(p, n, 0);
  let v = f32x4.splat(0);
  const s = inc << 2;
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + s));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * s));
  if (n > 3) v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * s));
  return v;
}

/** Stores min(n, 4) outputs (stride `inc` floats). */
// @ts-ignore: decorator
@inline
function storeOut(p: usize, inc: usize, v: v128, n: i32): void {
  if (inc == 1) {
    if (n >= 4) v128.store(p, v);
    else storeTail(p, v, n);
    return;
  }
  const s = inc << 2;
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p + s, f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(p + 2 * s, f32x4.extract_lane(v, 2));
  if (n > 3) store<f32>(p + 3 * s, f32x4.extract_lane(v, 3));
}

/** out = alpha * acc + beta * out for min(n, 4) outputs; beta == 0 does not read out. */
// @ts-ignore: decorator
@inline
function finish(p: usize, inc: usize, acc: v128, n: i32, alpha: f32, beta: f32): void {
  let v = f32x4.mul(acc, f32x4.splat(alpha));
  if (beta != 0) v = f32x4.add(v, f32x4.mul(loadOut(p, inc, n), f32x4.splat(beta)));
  storeOut(p, inc, v, n);
}

/** Rows layout: out[j] (stride inc) = alpha * sum_p x[p] * y[p * ldy + j] + beta * out[j], j < n. */
function gemvRows(K: i32, n: i32, alpha: f32, x: usize, y: usize, ldyBytes: usize, beta: f32, out: usize, inc: usize): void {
  const xEnd = x + (<usize>K << 2);
  let j = 0;
  // 32 outputs: 8 accumulators, each row of Y read once, front to back.
  for (; j + 32 <= n; j += 32) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    let yp = y + (<usize>j << 2);
    for (let xp = x; xp < xEnd; xp += 4) {
      const s = v128.load32_splat(xp);
      a0 = madd(s, v128.load(yp), a0);
      a1 = madd(s, v128.load(yp, 16), a1);
      a2 = madd(s, v128.load(yp, 32), a2);
      a3 = madd(s, v128.load(yp, 48), a3);
      a4 = madd(s, v128.load(yp, 64), a4);
      a5 = madd(s, v128.load(yp, 80), a5);
      a6 = madd(s, v128.load(yp, 96), a6);
      a7 = madd(s, v128.load(yp, 112), a7);
      yp += ldyBytes;
    }
    const o = out + ((<usize>j * inc) << 2);
    const s4 = (inc << 2) * 4;
    finish(o, inc, a0, 4, alpha, beta);
    finish(o + s4, inc, a1, 4, alpha, beta);
    finish(o + 2 * s4, inc, a2, 4, alpha, beta);
    finish(o + 3 * s4, inc, a3, 4, alpha, beta);
    finish(o + 4 * s4, inc, a4, 4, alpha, beta);
    finish(o + 5 * s4, inc, a5, 4, alpha, beta);
    finish(o + 6 * s4, inc, a6, 4, alpha, beta);
    finish(o + 7 * s4, inc, a7, 4, alpha, beta);
  }
  // 8 outputs at a time, then the last 1..7 (partial vectors never read past the row).
  for (; j < n; j += 8) {
    const r = n - j;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    let yp = y + (<usize>j << 2);
    if (r >= 8) {
      for (let xp = x; xp < xEnd; xp += 4) {
        const s = v128.load32_splat(xp);
        a0 = madd(s, v128.load(yp), a0);
        a1 = madd(s, v128.load(yp, 16), a1);
        yp += ldyBytes;
      }
    } else if (r > 4) {
      for (let xp = x; xp < xEnd; xp += 4) {
        const s = v128.load32_splat(xp);
        a0 = madd(s, v128.load(yp), a0);
        a1 = madd(s, loadTail(yp + 16, r - 4, 0), a1);
        yp += ldyBytes;
      }
    } else {
      for (let xp = x; xp < xEnd; xp += 4) {
        a0 = madd(v128.load32_splat(xp), r == 4 ? v128.load(yp) : loadTail(yp, r, 0), a0);
        yp += ldyBytes;
      }
    }
    const o = out + ((<usize>j * inc) << 2);
    finish(o, inc, a0, min(r, 4), alpha, beta);
    if (r > 4) finish(o + ((inc << 2) * 4), inc, a1, min(r - 4, 4), alpha, beta);
  }
}

/** Sums of the lanes of a, b, c, d, as one vector [sum a, sum b, sum c, sum d]. */
// @ts-ignore: decorator
@inline
function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/** Columns layout: out[j] (stride inc) = alpha * dot(x, y[j * ldy ..][0..K)) + beta * out[j], j < n. */
function gemvColumns(K: i32, n: i32, alpha: f32, x: usize, y: usize, ldyBytes: usize, beta: f32, out: usize, inc: usize): void {
  const k4 = <usize>(K & ~3) << 2;
  const tail = K & 3;
  for (let j = 0; j < n; j += 4) {
    const r = min(4, n - j);
    // Rows past n repeat the last one (computed, never stored).
    const y0 = y + <usize>j * ldyBytes;
    const y1 = y0 + <usize>min(1, r - 1) * ldyBytes;
    const y2 = y0 + <usize>min(2, r - 1) * ldyBytes;
    const y3 = y0 + <usize>(r - 1) * ldyBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let o: usize = 0; o < k4; o += 16) {
      const xv = v128.load(x + o);
      a0 = madd(xv, v128.load(y0 + o), a0);
      a1 = madd(xv, v128.load(y1 + o), a1);
      a2 = madd(xv, v128.load(y2 + o), a2);
      a3 = madd(xv, v128.load(y3 + o), a3);
    }
    if (tail) {
      const xv = loadTail(x + k4, tail, 0);
      a0 = madd(xv, loadTail(y0 + k4, tail, 0), a0);
      a1 = madd(xv, loadTail(y1 + k4, tail, 0), a1);
      a2 = madd(xv, loadTail(y2 + k4, tail, 0), a2);
      a3 = madd(xv, loadTail(y3 + k4, tail, 0), a3);
    }
    finish(out + ((<usize>j * inc) << 2), inc, hsum4(a0, a1, a2, a3), r, alpha, beta);
  }
}

/** x with stride `inc` floats, as a contiguous vector (copied to work unless inc == 1). */
function contiguous(x: usize, inc: usize, K: i32, work: usize): usize {
  if (inc == 1) return x;
  const s = inc << 2;
  for (let p = 0; p < K; p++) {
    store<f32>(work + (<usize>p << 2), load<f32>(x));
    x += s;
  }
  return work;
}

/**
 * C = alpha * op(A) * op(B) + beta * C, same arguments as f32_gemm_4x8, computed as matrix-vector
 * products: one per column when N == 1, else one per row of C (fast for M == 1, correct for any M).
 * K == 0 (or alpha == 0) scales C by beta; beta == 0 never reads C.
 */
export function f32_gemv(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  const ldaBytes = <usize>lda << 2;
  const ldbBytes = <usize>ldb << 2;
  const ldcBytes = <usize>ldc << 2;
  if (K <= 0 || alpha == 0) {
    // Nothing to multiply: C = beta * C (a product with K = 0 and no x to read).
    for (let i = 0; i < M; i++) {
      const row = c + <usize>i * ldcBytes;
      for (let j = 0; j < N; j += 4) finish(row + (<usize>j << 2), 1, f32x4.splat(0), min(4, N - j), 0, beta);
    }
    return;
  }
  if (N == 1 && M > 1) {
    // C[:, 0]^T = x^T op(A)^T with x = op(B)[:, 0] (B's column 0, or B's row 0 when transposed).
    const x = contiguous(b, transB ? 1 : <usize>ldb, K, work);
    // op(A)^T[p, i] = op(A)[i, p]: A's rows are its columns (a dot product each) unless A is transposed.
    if (transA) gemvRows(K, M, alpha, x, a, ldaBytes, beta, c, <usize>ldc);
    else gemvColumns(K, M, alpha, x, a, ldaBytes, beta, c, <usize>ldc);
    return;
  }
  for (let i = 0; i < M; i++) {
    // x = op(A)[i, :]: A's row i, or A's column i when transposed.
    const x = transA ? contiguous(a + (<usize>i << 2), <usize>lda, K, work) : a + <usize>i * ldaBytes;
    const out = c + <usize>i * ldcBytes;
    if (transB) gemvColumns(K, N, alpha, x, b, ldbBytes, beta, out, 1);
    else gemvRows(K, N, alpha, x, b, ldbBytes, beta, out, 1);
  }
}
