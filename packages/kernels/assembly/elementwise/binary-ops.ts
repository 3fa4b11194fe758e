// The binary elementwise ops on one v128 / one f32. rsub and rdiv (b - a, b / a) let a broadcast left
// operand reuse the kernels written for a broadcast right operand. max/min propagate NaN (wasm
// semantics, like torch.maximum/minimum).
export const ADD = 0;
export const SUB = 1;
export const MUL = 2;
export const DIV = 3;
export const MAX = 4;
export const MIN = 5;
export const RSUB = 6;
export const RDIV = 7;

// @ts-ignore: decorator
@inline
export function binaryVec(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  if (op == DIV) return f32x4.div(a, b);
  if (op == MAX) return f32x4.max(a, b);
  if (op == MIN) return f32x4.min(a, b);
  if (op == RSUB) return f32x4.sub(b, a);
  return f32x4.div(b, a); // RDIV
}

// @ts-ignore: decorator
@inline
export function binaryScalar(op: i32, a: f32, b: f32): f32 {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  if (op == DIV) return a / b;
  if (op == MAX) return max<f32>(a, b);
  if (op == MIN) return min<f32>(a, b);
  if (op == RSUB) return b - a;
  return b / a; // RDIV
}

/** out[i] = a[i] op b[i], i < n. */
// @ts-ignore: decorator
@inline
export function binaryVV(op: i32, out: usize, a: usize, b: usize, n: usize): void {
  const end = n << 2;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const a0 = v128.load(a + i);
    const a1 = v128.load(a + i, 16);
    const b0 = v128.load(b + i);
    const b1 = v128.load(b + i, 16);
    v128.store(out + i, binaryVec(op, a0, b0));
    v128.store(out + i, binaryVec(op, a1, b1), 16);
  }
  if (i + 16 <= end) {
    v128.store(out + i, binaryVec(op, v128.load(a + i), v128.load(b + i)));
    i += 16;
  }
  for (; i < end; i += 4) store<f32>(out + i, binaryScalar(op, load<f32>(a + i), load<f32>(b + i)));
}

/** out[i] = a[i] op s, i < n. */
// @ts-ignore: decorator
@inline
export function binaryVS(op: i32, out: usize, a: usize, s: f32, n: usize): void {
  const end = n << 2;
  const vs = f32x4.splat(s);
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const a0 = v128.load(a + i);
    const a1 = v128.load(a + i, 16);
    v128.store(out + i, binaryVec(op, a0, vs));
    v128.store(out + i, binaryVec(op, a1, vs), 16);
  }
  if (i + 16 <= end) {
    v128.store(out + i, binaryVec(op, v128.load(a + i), vs));
    i += 16;
  }
  for (; i < end; i += 4) store<f32>(out + i, binaryScalar(op, load<f32>(a + i), s));
}

/** out[i * os] = a[i * as] op b[i * bs], i < n; strides in elements (may be 0 or negative). */
// @ts-ignore: decorator
@inline
export function binaryStrided(op: i32, out: usize, a: usize, as: isize, b: usize, bs: isize, n: usize): void {
  const sa = as << 2;
  const sb = bs << 2;
  for (let i: usize = 0; i < n; i++) {
    store<f32>(out, binaryScalar(op, load<f32>(a), load<f32>(b)));
    out += 4;
    a += sa;
    b += sb;
  }
}
