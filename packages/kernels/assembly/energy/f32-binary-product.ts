// Products with a binary (0/1) operand, for the Gibbs half-steps and the weight statistics of an RBM
// with binary units. A 0/1 row times B is the sum of the rows of B its ones pick, so a [64, 784] batch
// of MNIST-like visible states (13-20% ones) times W^T costs a fifth of the GEMM's multiply-adds, and a
// hidden sample (about half ones) half of them, as plain additions (no products: the same bits on the
// plain and the relaxed build).
//
// Every output element is summed in one fixed order (interleaved partial sums, so that eight
// independent vector chains keep the adder busy); the split over threads never changes it.
//
// Lists: row r of a 0/1 matrix [rows, cols] is lists[r (cols + 1)] = count, then its columns in order.
import { loadTail, storeTail } from '../common/lanes';
import { vsigmoid } from '../common/vmath';
import { MODE_BERNOULLI_SIGMOID, philoxGroups } from '../random/philox';

/**
 * Writes the lists of x's rows [rows, cols] (nonzero = one); returns 1 when every value is 0 or 1
 * (-0 counts as 0), else marks the first row holding another value with count -1 and returns 0.
 */
export function f32_binary_lists(x: usize, rows: i32, cols: i32, lists: usize): i32 {
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>cols) << 2);
    const list = lists + ((<usize>r * <usize>(cols + 1)) << 2);
    let bad = i32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      bad = v128.or(bad, v128.and(f32x4.ne(v, zero), f32x4.ne(v, one)));
    }
    for (; j < cols; j++) {
      const s = load<f32>(row + (<usize>j << 2));
      if (s != 0 && s != 1) bad = i32x4.splat(-1);
    }
    if (v128.any_true(bad)) {
      store<i32>(list, -1);
      return 0;
    }
    store<i32>(list, rowList(row, cols, list + 4));
  }
  return 1;
}

/** Stores the columns of the nonzero values of row (cols floats) at out, in order (branch-free); returns their count. */
// @ts-ignore: decorator
@inline
function rowList(row: usize, cols: i32, out: usize): i32 {
  let n = 0;
  for (let j = 0; j < cols; j++) {
    store<i32>(out + (<usize>n << 2), j);
    n += <i32>(load<f32>(row + (<usize>j << 2)) != 0);
  }
  return n;
}

/** Row k of a packed panel (32 bytes a row), k the i32 at q. */
// @ts-ignore: decorator
@inline
function panelRow(panel: usize, q: usize): usize {
  return panel + (<usize>load<i32>(q) << 5);
}

/**
 * x[r, c] = bias[c] (0 when bias is 0) + sum of B[k, c] over the k of row r's list, for rows [0, rows)
 * and columns [0, n) (x's rows ldx floats apart), B [K, n] packed in column panels of 8 (packB: panel p at panels + 32 K p, its
 * row k 32 bytes at + 32 k, columns past n zero). One panel at a time (a 784-deep panel is 25 KB, so
 * it stays in L1 while every row's list runs over it), each row's list in four interleaved partial
 * sums: ((bias + positions 0 mod 4) + positions 1 mod 4) + (positions 2 mod 4 + positions 3 mod 4).
 */
// @ts-ignore: decorator
@inline
function binaryProduct(lists: usize, K: i32, panels: usize, bias: usize, x: usize, ldx: i32, rows: i32, n: i32): void {
  const listBytes = <usize>(K + 1) << 2, rowBytes = <usize>ldx << 2, panelBytes = <usize>K << 5;
  const z = f32x4.splat(0);
  for (let c = 0; c < n; c += 8) {
    const w = min<i32>(8, n - c);
    const panel = panels + <usize>(c >> 3) * panelBytes;
    const o = <usize>c << 2;
    let s0 = z, s1 = z;
    if (bias != 0) {
      s0 = w >= 4 ? v128.load(bias + o) : loadTail(bias + o, <usize>w, 0);
      if (w == 8) s1 = v128.load(bias + o, 16);
      else if (w > 4) s1 = loadTail(bias + o + 16, <usize>(w - 4), 0);
    }
    for (let r = 0; r < rows; r++) {
      const list = lists + <usize>r * listBytes;
      const cnt = load<i32>(list);
      let a0 = s0, a1 = s1, b0 = z, b1 = z, c0 = z, c1 = z, d0 = z, d1 = z;
      let q = list + 4;
      const end4 = q + (<usize>(cnt & ~3) << 2), end = q + (<usize>cnt << 2);
      for (; q < end4; q += 16) {
        const pa = panelRow(panel, q), pb = panelRow(panel, q + 4), pc = panelRow(panel, q + 8), pd = panelRow(panel, q + 12);
        a0 = f32x4.add(a0, v128.load(pa));
        a1 = f32x4.add(a1, v128.load(pa, 16));
        b0 = f32x4.add(b0, v128.load(pb));
        b1 = f32x4.add(b1, v128.load(pb, 16));
        c0 = f32x4.add(c0, v128.load(pc));
        c1 = f32x4.add(c1, v128.load(pc, 16));
        d0 = f32x4.add(d0, v128.load(pd));
        d1 = f32x4.add(d1, v128.load(pd, 16));
      }
      if (q < end) {
        const pa = panelRow(panel, q);
        a0 = f32x4.add(a0, v128.load(pa));
        a1 = f32x4.add(a1, v128.load(pa, 16));
        if (q + 4 < end) {
          const pb = panelRow(panel, q + 4);
          b0 = f32x4.add(b0, v128.load(pb));
          b1 = f32x4.add(b1, v128.load(pb, 16));
          if (q + 8 < end) {
            const pc = panelRow(panel, q + 8);
            c0 = f32x4.add(c0, v128.load(pc));
            c1 = f32x4.add(c1, v128.load(pc, 16));
          }
        }
      }
      const y0 = f32x4.add(f32x4.add(a0, b0), f32x4.add(c0, d0)), y1 = f32x4.add(f32x4.add(a1, b1), f32x4.add(c1, d1));
      const out = x + <usize>r * rowBytes + o;
      if (w == 8) {
        v128.store(out, y0);
        v128.store(out, y1, 16);
      } else if (w >= 4) {
        v128.store(out, y0);
        if (w > 4) storeTail(out + 16, y1, <usize>(w - 4));
      } else {
        storeTail(out, y0, <usize>w);
      }
    }
  }
}

/**
 * A Gibbs half-step of binary units over rows [0, rows) of n units each, in one call:
 * 1. when lists != 0, the total inputs x = bias + (0/1 rows of the lists) B (binaryProduct; K: the
 *    lists' columns); else x holds them already;
 * 2. when sample != 0, sample = 1 with probability sigmoid(beta x) and prob (when not 0) that
 *    probability: bernoulliSigmoidPhilox's bits with the same key and first block b0; when sample is 0
 *    and prob is not, prob = sigmoid(beta x) alone (no random numbers);
 * 3. when outLists != 0, the sample's lists (for the next half-step's product).
 * prob may alias x. A split over threads by rows must start each piece at a multiple of 16 elements.
 */
export function f32_binary_half_step(
  lists: usize, K: i32, panels: usize, bias: usize, x: usize, rows: i32, n: i32,
  prob: usize, sample: usize, outLists: usize, beta: f32, k0: u32, k1: u32, b0: u32,
): void {
  if (rows <= 0 || n <= 0) return;
  if (lists != 0) binaryProduct(lists, K, panels, bias, x, n, rows, n);
  const total = rows * n;
  if (sample != 0) {
    philoxGroups(MODE_BERNOULLI_SIGMOID, x, prob, sample, total, beta, k0, k1, b0);
  } else if (prob != 0) {
    const vb = f32x4.splat(beta);
    let i = 0;
    for (; i + 4 <= total; i += 4) {
      const o = <usize>i << 2;
      v128.store(prob + o, vsigmoid(f32x4.mul(vb, v128.load(x + o))));
    }
    if (i < total) {
      const o = <usize>i << 2, r = <usize>(total - i);
      storeTail(prob + o, vsigmoid(f32x4.mul(vb, loadTail(x + o, r, 0))), r);
    }
  }
  if (outLists != 0 && sample != 0) {
    for (let r = 0; r < rows; r++) {
      const list = outLists + ((<usize>r * <usize>(n + 1)) << 2);
      store<i32>(list, rowList(sample + ((<usize>r * <usize>n) << 2), n, list + 4));
    }
  }
}

/**
 * The product of f32_binary_half_step alone, into x with rows ldx floats apart: threads take ranges of
 * whole panels (columns c0.. at panels + 32 K c0 / 8, bias + 4 c0, x + 4 c0), so each streams only its
 * part of B; the sampling then runs as a second call by rows.
 */
export function f32_binary_product(lists: usize, K: i32, panels: usize, bias: usize, x: usize, ldx: i32, rows: i32, n: i32): void {
  if (rows <= 0 || n <= 0) return;
  binaryProduct(lists, K, panels, bias, x, ldx, rows, n);
}

/** Scratch bytes f32_binary_outer_grad needs for m rows of g and batches of rowsA and rowsB rows. */
export function binary_outer_grad_scratch_bytes(m: i32, rowsA: i32, rowsB: i32): i32 {
  return (4 * (rowsA + rowsB) + 8 * ((m + 3) & ~3)) << 2;
}

/** Lane q (0..3) of v. */
// @ts-ignore: decorator
@inline
function laneOf(v: v128, q: i32): i32 {
  return q == 0 ? i32x4.extract_lane(v, 0) : q == 1 ? i32x4.extract_lane(v, 1) : q == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
}

/** g's row segment (w = 1..4 floats) at p: v, or v + the old values when accumulating. */
// @ts-ignore: decorator
@inline
function putRow(p: usize, v: v128, w: i32, accumulate: i32): void {
  if (w == 4) {
    v128.store(p, accumulate != 0 ? f32x4.add(v, v128.load(p)) : v);
  } else {
    storeTail(p, accumulate != 0 ? f32x4.add(v, loadTail(p, <usize>w, 0)) : v, <usize>w);
  }
}

/** Byte offsets of a's rows whose value in column q of the 4-column block at v is one, per q (count cnt[q]). */
// @ts-ignore: decorator
@inline
function columnLists(v: usize, ldv: usize, rows: i32, w: i32, rowBytes: usize, lists: usize): v128 {
  let cnt = i32x4.splat(0);
  const zero = f32x4.splat(0), stride = <usize>rows << 2;
  for (let r = 0; r < rows; r++) {
    const p = v + <usize>r * ldv;
    const nz = f32x4.ne(w == 4 ? v128.load(p) : loadTail(p, <usize>w, 0), zero);
    const off = <i32>(<usize>r * rowBytes);
    // Branch-free: every column's next slot gets the offset, the count moves on where the value is one.
    store<i32>(lists + (<usize>i32x4.extract_lane(cnt, 0) << 2), off);
    store<i32>(lists + stride + (<usize>i32x4.extract_lane(cnt, 1) << 2), off);
    store<i32>(lists + 2 * stride + (<usize>i32x4.extract_lane(cnt, 2) << 2), off);
    store<i32>(lists + 3 * stride + (<usize>i32x4.extract_lane(cnt, 3) << 2), off);
    cnt = i32x4.sub(cnt, nz);
  }
  return cnt;
}

/** out[0..m) = sum over the list (byte offsets of rows of a) of a's row, even positions + odd positions. */
// @ts-ignore: decorator
@inline
function columnSum(a: usize, m: i32, list: usize, cnt: i32, out: usize): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= m; i += 16) {
    const p = a + (<usize>i << 2);
    let a0 = z, a1 = z, a2 = z, a3 = z, e0 = z, e1 = z, e2 = z, e3 = z;
    let t = 0;
    for (; t + 2 <= cnt; t += 2) {
      const q = list + (<usize>t << 2);
      const pu = p + <usize>load<i32>(q), pw = p + <usize>load<i32>(q, 4);
      a0 = f32x4.add(a0, v128.load(pu));
      a1 = f32x4.add(a1, v128.load(pu, 16));
      a2 = f32x4.add(a2, v128.load(pu, 32));
      a3 = f32x4.add(a3, v128.load(pu, 48));
      e0 = f32x4.add(e0, v128.load(pw));
      e1 = f32x4.add(e1, v128.load(pw, 16));
      e2 = f32x4.add(e2, v128.load(pw, 32));
      e3 = f32x4.add(e3, v128.load(pw, 48));
    }
    if (t < cnt) {
      const pu = p + <usize>load<i32>(list + (<usize>t << 2));
      a0 = f32x4.add(a0, v128.load(pu));
      a1 = f32x4.add(a1, v128.load(pu, 16));
      a2 = f32x4.add(a2, v128.load(pu, 32));
      a3 = f32x4.add(a3, v128.load(pu, 48));
    }
    const o = out + (<usize>i << 2);
    v128.store(o, f32x4.add(a0, e0));
    v128.store(o, f32x4.add(a1, e1), 16);
    v128.store(o, f32x4.add(a2, e2), 32);
    v128.store(o, f32x4.add(a3, e3), 48);
  }
  for (; i < m; i += 4) {
    const w = <usize>min<i32>(4, m - i);
    const p = a + (<usize>i << 2);
    let s = z, e = z;
    let t = 0;
    for (; t + 2 <= cnt; t += 2) {
      const q = list + (<usize>t << 2);
      const pu = p + <usize>load<i32>(q), pw = p + <usize>load<i32>(q, 4);
      s = f32x4.add(s, w == 4 ? v128.load(pu) : loadTail(pu, w, 0));
      e = f32x4.add(e, w == 4 ? v128.load(pw) : loadTail(pw, w, 0));
    }
    if (t < cnt) {
      const pu = p + <usize>load<i32>(list + (<usize>t << 2));
      s = f32x4.add(s, w == 4 ? v128.load(pu) : loadTail(pu, w, 0));
    }
    v128.store(out + (<usize>i << 2), f32x4.add(s, e));
  }
}

/**
 * The weight statistics of a contrastive-divergence step with binary visible units, in one pass over
 * g [m, n] (row stride ldg floats): g[i, j] (+)= alphaA SA[i, j] - alphaB SB[i, j], SA[i, j] = sum of
 * a[r, i] over the rows r where va[r, j] is one (a^T va for a 0/1 va), SB likewise from b and vb; no
 * B term when b is 0 (then alphaA SA alone). a is [rowsA, m], va [rowsA, n] with row stride ldv
 * floats (b and vb alike). Four columns of g at a time: their lists of rows, the four column sums over
 * the whole height into scratch, then a 4x4 transpose into g's rows. Columns split freely over threads.
 */
export function f32_binary_outer_grad(
  g: usize, ldg: i32, a: usize, va: usize, rowsA: i32, alphaA: f32, b: usize, vb: usize, rowsB: i32, alphaB: f32,
  m: i32, n: i32, ldv: i32, accumulate: i32, scratch: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const mp = (m + 3) & ~3;
  const listA = scratch, listB = listA + ((<usize>rowsA << 2) << 2);
  const tileA = listB + ((<usize>rowsB << 2) << 2), tileB = tileA + ((<usize>mp << 2) << 2);
  const tileBytes = <usize>mp << 2, rowBytes = <usize>m << 2, ldvBytes = <usize>ldv << 2, ldgBytes = <usize>ldg << 2;
  const vA = f32x4.splat(alphaA), vB = f32x4.splat(alphaB);
  for (let j = 0; j < n; j += 4) {
    const w = min<i32>(4, n - j);
    const jo = <usize>j << 2;
    const cA = columnLists(va + jo, ldvBytes, rowsA, w, rowBytes, listA);
    for (let q = 0; q < w; q++) columnSum(a, m, listA + ((<usize>(q * rowsA)) << 2), laneOf(cA, q), tileA + <usize>q * tileBytes);
    if (b != 0) {
      const cB = columnLists(vb + jo, ldvBytes, rowsB, w, rowBytes, listB);
      for (let q = 0; q < w; q++) columnSum(b, m, listB + ((<usize>(q * rowsB)) << 2), laneOf(cB, q), tileB + <usize>q * tileBytes);
    }
    // Four rows of g at a time: lanes i..i+3 of the four column sums, transposed into rows.
    for (let i = 0; i < m; i += 4) {
      const o = <usize>i << 2;
      let d0 = f32x4.mul(v128.load(tileA + o), vA), d1 = f32x4.mul(v128.load(tileA + tileBytes + o), vA);
      let d2 = f32x4.mul(v128.load(tileA + 2 * tileBytes + o), vA), d3 = f32x4.mul(v128.load(tileA + 3 * tileBytes + o), vA);
      if (b != 0) {
        d0 = f32x4.sub(d0, f32x4.mul(v128.load(tileB + o), vB));
        d1 = f32x4.sub(d1, f32x4.mul(v128.load(tileB + tileBytes + o), vB));
        d2 = f32x4.sub(d2, f32x4.mul(v128.load(tileB + 2 * tileBytes + o), vB));
        d3 = f32x4.sub(d3, f32x4.mul(v128.load(tileB + 3 * tileBytes + o), vB));
      }
      const t0 = v128.shuffle<f32>(d0, d1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(d0, d1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(d2, d3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(d2, d3, 2, 6, 3, 7);
      const h = min<i32>(4, m - i);
      const dst = g + <usize>i * ldgBytes + jo;
      putRow(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), w, accumulate);
      if (h > 1) putRow(dst + ldgBytes, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), w, accumulate);
      if (h > 2) putRow(dst + 2 * ldgBytes, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), w, accumulate);
      if (h > 3) putRow(dst + 3 * ldgBytes, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), w, accumulate);
    }
  }
}
