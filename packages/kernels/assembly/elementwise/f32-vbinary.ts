// Binary elementwise kernels with broadcasting. `op` is one of the codes in binary-ops.ts; each kernel
// switches on it once and runs a loop specialised for that op. All outputs are contiguous; the output
// may be the same buffer as a full-shape input.
import { ADD, SUB, MUL, DIV, MAX, MIN, RSUB, RDIV, binaryStrided, binaryVS, binaryVV } from './binary-ops';

/** out[i] = a[i] op b[i] for i < n. */
export function f32_vbinary(op: i32, out: usize, a: usize, b: usize, n: i32): void {
  if (n <= 0) return;
  const m = <usize>n;
  switch (op) {
    case ADD: binaryVV(ADD, out, a, b, m); break;
    case SUB: binaryVV(SUB, out, a, b, m); break;
    case MUL: binaryVV(MUL, out, a, b, m); break;
    case DIV: binaryVV(DIV, out, a, b, m); break;
    case MAX: binaryVV(MAX, out, a, b, m); break;
    case MIN: binaryVV(MIN, out, a, b, m); break;
    case RSUB: binaryVV(RSUB, out, a, b, m); break;
    default: binaryVV(RDIV, out, a, b, m); break;
  }
}

/** out[i] = a[i] op b[0] for i < n (b is a pointer to one float). */
export function f32_vbinary_scalar(op: i32, out: usize, a: usize, b: usize, n: i32): void {
  if (n <= 0) return;
  const m = <usize>n;
  const s = load<f32>(b);
  switch (op) {
    case ADD: binaryVS(ADD, out, a, s, m); break;
    case SUB: binaryVS(SUB, out, a, s, m); break;
    case MUL: binaryVS(MUL, out, a, s, m); break;
    case DIV: binaryVS(DIV, out, a, s, m); break;
    case MAX: binaryVS(MAX, out, a, s, m); break;
    case MIN: binaryVS(MIN, out, a, s, m); break;
    case RSUB: binaryVS(RSUB, out, a, s, m); break;
    default: binaryVS(RDIV, out, a, s, m); break;
  }
}

// @ts-ignore: decorator
@inline
function rows(op: i32, out: usize, a: usize, b: usize, r: usize, c: usize): void {
  const step = c << 2;
  for (let i: usize = 0; i < r; i++) {
    binaryVV(op, out, a, b, c);
    out += step;
    a += step;
  }
}

/** out[i, j] = a[i, j] op b[j]: a row vector b broadcast over the rows of a [rows, cols] matrix. */
export function f32_vbinary_rows(op: i32, out: usize, a: usize, b: usize, r: i32, c: i32): void {
  if (r <= 0 || c <= 0) return;
  const m = <usize>r;
  const n = <usize>c;
  switch (op) {
    case ADD: rows(ADD, out, a, b, m, n); break;
    case SUB: rows(SUB, out, a, b, m, n); break;
    case MUL: rows(MUL, out, a, b, m, n); break;
    case DIV: rows(DIV, out, a, b, m, n); break;
    case MAX: rows(MAX, out, a, b, m, n); break;
    case MIN: rows(MIN, out, a, b, m, n); break;
    case RSUB: rows(RSUB, out, a, b, m, n); break;
    default: rows(RDIV, out, a, b, m, n); break;
  }
}

// @ts-ignore: decorator
@inline
function cols(op: i32, out: usize, a: usize, b: usize, r: usize, c: usize): void {
  const step = c << 2;
  for (let i: usize = 0; i < r; i++) {
    binaryVS(op, out, a, load<f32>(b + (i << 2)), c);
    out += step;
    a += step;
  }
}

/** out[i, j] = a[i, j] op b[i]: a column vector b ([rows, 1]) broadcast over the columns. */
export function f32_vbinary_cols(op: i32, out: usize, a: usize, b: usize, r: i32, c: i32): void {
  if (r <= 0 || c <= 0) return;
  const m = <usize>r;
  const n = <usize>c;
  switch (op) {
    case ADD: cols(ADD, out, a, b, m, n); break;
    case SUB: cols(SUB, out, a, b, m, n); break;
    case MUL: cols(MUL, out, a, b, m, n); break;
    case DIV: cols(DIV, out, a, b, m, n); break;
    case MAX: cols(MAX, out, a, b, m, n); break;
    case MIN: cols(MIN, out, a, b, m, n); break;
    case RSUB: cols(RSUB, out, a, b, m, n); break;
    default: cols(RDIV, out, a, b, m, n); break;
  }
}

// @ts-ignore: decorator
@inline
function strided(op: i32, out: usize, a: usize, b: usize, rank: i32, meta: usize): void {
  // meta (i32): shape[rank], aStrides[rank], bStrides[rank], then rank counters (scratch).
  const rk = <usize>rank;
  const shp = meta;
  const ast = meta + (rk << 2);
  const bst = meta + (rk << 3);
  const cnt = meta + rk * 12;
  const last = (rk - 1) << 2;
  const n = <usize>load<i32>(shp + last);
  const sa = <isize>load<i32>(ast + last);
  const sb = <isize>load<i32>(bst + last);
  let outer: usize = 1;
  for (let d: usize = 0; d + 1 < rk; d++) {
    outer *= <usize>load<i32>(shp + (d << 2));
    store<i32>(cnt + (d << 2), 0);
  }
  const step = n << 2;
  for (let o: usize = 0; o < outer; o++) {
    if (sa == 1 && sb == 1) binaryVV(op, out, a, b, n);
    else if (sa == 1 && sb == 0) binaryVS(op, out, a, load<f32>(b), n);
    else binaryStrided(op, out, a, sa, b, sb, n);
    out += step;
    // Odometer over the outer dims.
    for (let d = <isize>rk - 2; d >= 0; d--) {
      const p = <usize>d << 2;
      const c = load<i32>(cnt + p) + 1;
      const sz = load<i32>(shp + p);
      const da = <isize>load<i32>(ast + p) << 2;
      const db = <isize>load<i32>(bst + p) << 2;
      if (c < sz) {
        store<i32>(cnt + p, c);
        a += da;
        b += db;
        break;
      }
      store<i32>(cnt + p, 0);
      a -= da * <isize>(sz - 1);
      b -= db * <isize>(sz - 1);
    }
  }
}

/**
 * The general broadcast: out (contiguous, `shape`) = a op b where a and b are read through element
 * strides (0 on broadcast dims). `meta` points to 4 * rank i32s: shape, a strides, b strides and
 * scratch for the loop counters. The caller collapses dims first and swaps operands (with rsub/rdiv)
 * so that a broadcast innermost operand is b.
 */
export function f32_vbinary_strided(op: i32, out: usize, a: usize, b: usize, rank: i32, meta: usize): void {
  if (rank <= 0) return;
  switch (op) {
    case ADD: strided(ADD, out, a, b, rank, meta); break;
    case SUB: strided(SUB, out, a, b, rank, meta); break;
    case MUL: strided(MUL, out, a, b, rank, meta); break;
    case DIV: strided(DIV, out, a, b, rank, meta); break;
    case MAX: strided(MAX, out, a, b, rank, meta); break;
    case MIN: strided(MIN, out, a, b, rank, meta); break;
    case RSUB: strided(RSUB, out, a, b, rank, meta); break;
    default: strided(RDIV, out, a, b, rank, meta); break;
  }
}
