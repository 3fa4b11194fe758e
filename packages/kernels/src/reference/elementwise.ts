/**
 * Plain references for the elementwise kernels, in float64 on float32 inputs (the binary ops round once
 * to float32, which is exactly what IEEE float32 arithmetic gives).
 */
import type { BinaryOp, UnaryOp } from '../ops/elementwise.js';

export function refBinaryOp(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    // torch.maximum/minimum: NaN propagates; max(-0, +0) = +0.
    case 'max': return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    case 'min': return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
  }
}

/** out = a op b with NumPy broadcasting, rounded to float32; returns [out, outShape]. */
export function refBinary(
  op: BinaryOp,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
): [Float32Array, number[]] {
  const rank = Math.max(aShape.length, bShape.length);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const as = pad(aShape);
  const bs = pad(bShape);
  const shape = as.map((d, i) => (d === 1 ? bs[i]! : d));
  const n = shape.reduce((x, y) => x * y, 1);
  const out = new Float32Array(n);
  const idx = new Array<number>(rank).fill(0);
  for (let f = 0; f < n; f++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * as[d]! + (as[d] === 1 ? 0 : idx[d]!);
      ib = ib * bs[d]! + (bs[d] === 1 ? 0 : idx[d]!);
    }
    out[f] = refBinaryOp(op, a[ia]!, b[ib]!);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return [out, shape];
}

/** f(x) in float64. */
export function refUnaryOp(op: UnaryOp, x: number, alpha: number): number {
  switch (op) {
    case 'identity': return x;
    case 'step': return x > 0 ? 1 : 0;
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'relu': return x < 0 ? 0 : x;
    case 'leaky_relu': return x < 0 ? alpha * x : x;
    case 'elu': return x > 0 ? x : alpha * Math.expm1(x);
    case 'gaussian': return Math.exp(-Math.fround(x * x));
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'neg': return -x;
    case 'abs': return Math.abs(x);
    case 'sqrt': return Math.sqrt(x);
    case 'square': return x * x;
    case 'reciprocal': return 1 / x;
  }
}

/** f'(x) * dy in float64, PyTorch's conventions, from x and y = f(x). */
export function refUnaryGrad(op: UnaryOp, dy: number, x: number, y: number, alpha: number): number {
  switch (op) {
    case 'identity': return dy;
    case 'step': return 0;
    case 'sigmoid': return dy * y * (1 - y);
    case 'tanh': return dy * (1 - y * y);
    case 'relu': return x <= 0 ? 0 : dy;
    case 'leaky_relu': return x <= 0 ? dy * alpha : dy;
    case 'elu': return x <= 0 ? dy * (y + alpha) : dy;
    case 'gaussian': return dy * -2 * x * y;
    case 'exp': return dy * y;
    case 'log': return dy / x;
    case 'neg': return -dy;
    case 'abs': return x > 0 ? dy : x < 0 ? -dy : 0;
    case 'sqrt': return (dy * 0.5) / y;
    case 'square': return dy * 2 * x;
    case 'reciprocal': return -dy * y * y;
  }
}

export function refUnary(op: UnaryOp, x: Float32Array, alpha: number): Float64Array {
  return Float64Array.from(x, (v) => refUnaryOp(op, v, alpha));
}

export function refUnaryBackward(
  op: UnaryOp,
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  alpha: number,
): Float64Array {
  return Float64Array.from(dy, (g, i) => refUnaryGrad(op, g, x[i]!, y[i]!, alpha));
}

export function refScale(x: Float32Array, alpha: number, beta: number): Float64Array {
  return Float64Array.from(x, (v) => Math.fround(alpha) * v + Math.fround(beta));
}

export function refAxpy(y: Float32Array, x: Float32Array, alpha: number): Float64Array {
  return Float64Array.from(y, (v, i) => v + Math.fround(alpha) * x[i]!);
}

export function refClamp(x: Float32Array, lo: number, hi: number): Float32Array {
  return Float32Array.from(x, (v) => (Number.isNaN(v) ? NaN : Math.min(Math.max(v, lo), hi)));
}

export function refClampBackward(dy: Float32Array, x: Float32Array, lo: number, hi: number): Float32Array {
  return Float32Array.from(dy, (g, i) => (x[i]! >= lo && x[i]! <= hi ? g : 0));
}

/** Binary cross-entropy with logits per element, in float64: max(x, 0) - x t + log(1 + exp(-|x|)). */
export function refBceWithLogits(x: Float32Array, t: Float32Array): Float64Array {
  return Float64Array.from(x, (v, i) => Math.max(v, 0) - v * t[i]! + Math.log1p(Math.exp(-Math.abs(v))));
}

/** Its gradient with respect to the logits, in float64: dy (sigmoid(x) - t). */
export function refBceWithLogitsBackward(dy: Float32Array, x: Float32Array, t: Float32Array): Float64Array {
  return Float64Array.from(dy, (g, i) => g * (1 / (1 + Math.exp(-x[i]!)) - t[i]!));
}
