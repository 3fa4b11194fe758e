/**
 * Elementwise ops: broadcasting binary ops, unary activations (forward and backward), scale, axpy,
 * fill and clamp. Pointers are byte offsets into k.memory, sizes are element counts, data is f32.
 */
import type { Kernels } from '../load.js';
import { contiguousStrides, inMemory, kernel, MAX_RANK, shapeSize, size, writeMeta } from './check.js';
import { splitOver } from '../threads/index.js';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';

// Op codes of assembly/elementwise/binary-ops.ts; [op, op with operands swapped].
const BINARY_CODES: Record<BinaryOp, readonly [number, number]> = {
  add: [0, 0],
  sub: [1, 6],
  mul: [2, 2],
  div: [3, 7],
  max: [4, 4],
  min: [5, 5],
};

/** The broadcast shape of a and b (NumPy / PyTorch rules: right-aligned, each dim equal or 1). */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new Error(
        `Shapes [${a.join(', ')}] and [${b.join(', ')}] cannot be broadcast together: ` +
          `dim ${i - rank} is ${da} vs ${db} (each must be equal or 1)`,
      );
    }
  }
  return out;
}

/** Element strides of `shape` read as the larger `outShape` (0 on broadcast dims). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const c = contiguousStrides(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : c[i - off]!));
}

interface Dim {
  n: number;
  a: number;
  b: number;
}

/** Drops size-1 dims and merges neighbours that are contiguous in both operands. */
function collapse(shape: readonly number[], as: readonly number[], bs: readonly number[]): Dim[] {
  const dims: Dim[] = [];
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 1) continue;
    const prev = dims[dims.length - 1];
    if (prev !== undefined && prev.a === as[i]! * n && prev.b === bs[i]! * n) {
      prev.n *= n;
      prev.a = as[i]!;
      prev.b = bs[i]!;
    } else dims.push({ n, a: as[i]!, b: bs[i]! });
  }
  return dims;
}

/**
 * out = a op b with full broadcasting; out is contiguous with shape broadcastShapes(aShape, bShape).
 * out may be a or b when that operand already has the output's shape.
 */
export function binary(
  k: Kernels,
  op: BinaryOp,
  out: number,
  a: number,
  aShape: readonly number[],
  b: number,
  bShape: readonly number[],
): void {
  const codes = BINARY_CODES[op];
  if (codes === undefined) throw new Error(`binary: unknown op "${op}" (expected ${Object.keys(BINARY_CODES).join(', ')})`);
  const na = shapeSize('binary', 'aShape', aShape);
  const nb = shapeSize('binary', 'bShape', bShape);
  const shape = broadcastShapes(aShape, bShape);
  const n = shapeSize('binary', 'output shape', shape);
  if (n === 0) return;
  inMemory(k, `binary(${op})`, 'a', a, na * 4);
  inMemory(k, `binary(${op})`, 'b', b, nb * 4);
  inMemory(k, `binary(${op})`, 'out', out, n * 4);
  const [fwd, rev] = codes;
  const dims = collapse(shape, broadcastStrides(aShape, shape), broadcastStrides(bShape, shape));
  if (dims.length === 0) dims.push({ n: 1, a: 1, b: 1 });
  const last = dims[dims.length - 1]!;
  if (dims.length === 1) {
    if (last.a === 1 && last.b === 1) {
      if (inRanges(k, 2 * n, n, 'f32_vbinary', (s, e) => [fwd, out + s * 4, a + s * 4, b + s * 4, e - s])) return;
      return void kernel(k, 'f32_vbinary')(fwd, out, a, b, n);
    }
    if (last.a === 1 && last.b === 0) return scalarOperand(k, fwd, out, a, b, n);
    if (last.a === 0 && last.b === 1) return scalarOperand(k, rev, out, b, a, n);
  }
  if (dims.length === 2) {
    const [d0, d1] = dims as [Dim, Dim];
    const full = (s: Dim, t: Dim): boolean => s.a === t.n && t.a === 1;
    const fullB = (s: Dim, t: Dim): boolean => s.b === t.n && t.b === 1;
    // b (or a) is a row vector broadcast over rows.
    if (full(d0, d1) && d0.b === 0 && d1.b === 1) return broadcastRows(k, 'f32_vbinary_rows', fwd, out, a, b, d0.n, d1.n);
    if (fullB(d0, d1) && d0.a === 0 && d1.a === 1) return broadcastRows(k, 'f32_vbinary_rows', rev, out, b, a, d0.n, d1.n);
    // b (or a) is a column vector broadcast over columns.
    if (full(d0, d1) && d0.b === 1 && d1.b === 0) return broadcastRows(k, 'f32_vbinary_cols', fwd, out, a, b, d0.n, d1.n);
    if (fullB(d0, d1) && d0.a === 1 && d1.a === 0) return broadcastRows(k, 'f32_vbinary_cols', rev, out, b, a, d0.n, d1.n);
  }
  if (dims.length > MAX_RANK) {
    throw new Error(`binary: shapes [${aShape.join(', ')}] and [${bShape.join(', ')}] need more than ${MAX_RANK} dims after collapsing`);
  }
  // General case. Keep the operand that is contiguous innermost as the kernel's left operand.
  const swap = last.a === 0 && last.b === 1;
  const [l, r, code] = swap ? [b, a, rev] : [a, b, fwd];
  const meta = writeMeta(k, [
    dims.map((d) => d.n),
    dims.map((d) => (swap ? d.b : d.a)),
    dims.map((d) => (swap ? d.a : d.b)),
  ]);
  kernel(k, 'f32_vbinary_strided')(code, out, l, r, dims.length, meta);
}

/** out = a op s for one scalar s at b, split over threads at multiples of 16 floats like f32_vbinary. */
function scalarOperand(k: Kernels, code: number, out: number, a: number, b: number, n: number): void {
  if (inRanges(k, 2 * n, n, 'f32_vbinary_scalar', (s, e) => [code, out + s * 4, a + s * 4, b, e - s])) return;
  kernel(k, 'f32_vbinary_scalar')(code, out, a, b, n);
}

/**
 * A [rows, cols] operand with a row vector (f32_vbinary_rows: b is [cols]) or a column vector
 * (f32_vbinary_cols: b is [rows]) broadcast over it, split over threads by whole rows: each row is the
 * same call on its own data, so the bits do not depend on the split.
 */
function broadcastRows(k: Kernels, fn: 'f32_vbinary_rows' | 'f32_vbinary_cols', code: number, out: number, a: number, b: number, rows: number, cols: number): void {
  const rowB = fn === 'f32_vbinary_cols';
  if (splitOver(k, 2 * rows * cols, rows, 1, (s, e) => ({ fn, args: [code, out + s * cols * 4, a + s * cols * 4, rowB ? b + s * 4 : b, e - s, cols] }))) return;
  kernel(k, fn)(code, out, a, b, rows, cols);
}

export type UnaryOp =
  | 'identity'
  | 'step'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'elu'
  | 'gaussian'
  | 'exp'
  | 'log'
  | 'neg'
  | 'abs'
  | 'sqrt'
  | 'square'
  | 'reciprocal';

/** Every unary op with its default alpha (leaky_relu's negative slope, ELU's alpha). */
export const UNARY_OPS: Readonly<Record<UnaryOp, number>> = {
  identity: 0,
  step: 0,
  sigmoid: 0,
  tanh: 0,
  relu: 0,
  leaky_relu: 0.01,
  elu: 1.0,
  gaussian: 0,
  exp: 0,
  log: 0,
  neg: 0,
  abs: 0,
  sqrt: 0,
  square: 0,
  reciprocal: 0,
};

function unaryAlpha(where: string, op: UnaryOp, alpha: number | undefined): number {
  const dflt = UNARY_OPS[op];
  if (dflt === undefined) throw new Error(`${where}: unknown op "${op}" (expected ${Object.keys(UNARY_OPS).join(', ')})`);
  return alpha ?? dflt;
}

/**
 * out = f(x) over n floats; out may be x. alpha: leaky_relu negative slope (default 0.01), ELU alpha
 * (default 1). step(x) = x > 0 ? 1 : 0, gaussian(x) = exp(-x^2).
 */
export function unary(k: Kernels, op: UnaryOp, out: number, x: number, n: number, alpha?: number): void {
  const a = unaryAlpha('unary', op, alpha);
  size(`unary(${op})`, 'n', n);
  if (n === 0) return;
  inMemory(k, `unary(${op})`, 'x', x, n * 4);
  inMemory(k, `unary(${op})`, 'out', out, n * 4);
  if (inRanges(k, 8 * n, n, `f32_v${op}`, (s, e) => [out + s * 4, x + s * 4, e - s, a])) return;
  kernel(k, `f32_v${op}`)(out, x, n, a);
}

/**
 * Elementwise kernels split into ranges over the threads at multiples of 16 floats, so every range
 * but the last runs whole vectors (the same arithmetic as in one call). A pointer of 0 (an input the
 * op does not read) stays 0. `work` weighs the element count by the op's cost.
 */
function inRanges(k: Kernels, work: number, n: number, fn: string, args: (start: number, end: number) => number[]): boolean {
  return splitOver(k, work, n, 16, (s, e) => ({ fn, args: args(s, e) }));
}

function at(p: number, s: number): number {
  return p === 0 ? 0 : p + s * 4;
}

/**
 * dx = dy * f'(x), PyTorch's conventions; y is the forward output f(x). dx may be dy.
 * Reads x: step (nothing), relu, leaky_relu, log, square, abs. Reads y: sigmoid (y(1-y)),
 * tanh (1-y^2), exp (y), sqrt (0.5/y), reciprocal (-y^2). Reads both: elu (x > 0 ? 1 : y + alpha),
 * gaussian (-2xy). neg and identity read neither.
 */
export function unaryBackward(
  k: Kernels,
  op: UnaryOp,
  dx: number,
  dy: number,
  x: number,
  y: number,
  n: number,
  alpha?: number,
): void {
  const a = unaryAlpha('unaryBackward', op, alpha);
  size(`unaryBackward(${op})`, 'n', n);
  if (n === 0) return;
  for (const [what, p] of [['dx', dx], ['dy', dy], ['x', x], ['y', y]] as const) {
    inMemory(k, `unaryBackward(${op})`, what, p, n * 4);
  }
  if (inRanges(k, 4 * n, n, `f32_v${op}_backward`, (s, e) => [at(dx, s), at(dy, s), at(x, s), at(y, s), e - s, a])) return;
  kernel(k, `f32_v${op}_backward`)(dx, dy, x, y, n, a);
}

/** out = alpha * x + beta (beta defaults to 0); out may be x. */
export function scale(k: Kernels, out: number, x: number, n: number, alpha: number, beta = 0): void {
  size('scale', 'n', n);
  if (n === 0) return;
  inMemory(k, 'scale', 'x', x, n * 4);
  inMemory(k, 'scale', 'out', out, n * 4);
  if (inRanges(k, n, n, 'f32_vscale', (s, e) => [out + s * 4, x + s * 4, e - s, alpha, beta])) return;
  kernel(k, 'f32_vscale')(out, x, n, alpha, beta);
}

/** y += alpha * x. */
export function axpy(k: Kernels, y: number, x: number, n: number, alpha: number): void {
  size('axpy', 'n', n);
  if (n === 0) return;
  inMemory(k, 'axpy', 'x', x, n * 4);
  inMemory(k, 'axpy', 'y', y, n * 4);
  if (inRanges(k, n, n, 'f32_vaxpy', (s, e) => [y + s * 4, x + s * 4, e - s, alpha])) return;
  kernel(k, 'f32_vaxpy')(y, x, n, alpha);
}

/** ptr[0..n) = value. */
export function fill(k: Kernels, ptr: number, n: number, value: number): void {
  size('fill', 'n', n);
  if (n === 0) return;
  inMemory(k, 'fill', 'ptr', ptr, n * 4);
  if (inRanges(k, n, n, 'f32_vfill', (s, e) => [ptr + s * 4, e - s, value])) return;
  kernel(k, 'f32_vfill')(ptr, n, value);
}

/** out = min(max(x, lo), hi); NaN stays NaN; lo > hi gives hi everywhere (like PyTorch). out may be x. */
export function clamp(k: Kernels, out: number, x: number, n: number, lo: number, hi: number): void {
  size('clamp', 'n', n);
  if (n === 0) return;
  inMemory(k, 'clamp', 'x', x, n * 4);
  inMemory(k, 'clamp', 'out', out, n * 4);
  if (inRanges(k, n, n, 'f32_vclamp', (s, e) => [out + s * 4, x + s * 4, e - s, lo, hi])) return;
  kernel(k, 'f32_vclamp')(out, x, n, lo, hi);
}

/** dx = lo <= x <= hi ? dy : 0 (the gradient passes at the bounds, like PyTorch). dx may be dy. */
export function clampBackward(k: Kernels, dx: number, dy: number, x: number, n: number, lo: number, hi: number): void {
  size('clampBackward', 'n', n);
  if (n === 0) return;
  for (const [what, p] of [['dx', dx], ['dy', dy], ['x', x]] as const) inMemory(k, 'clampBackward', what, p, n * 4);
  if (inRanges(k, n, n, 'f32_vclamp_backward', (s, e) => [dx + s * 4, dy + s * 4, x + s * 4, e - s, lo, hi])) return;
  kernel(k, 'f32_vclamp_backward')(dx, dy, x, n, lo, hi);
}

/**
 * Binary cross-entropy with logits per element, one fused pass: loss = max(x, 0) - x t + log(1 + exp(-|x|))
 * for x = logits, t = target (n floats each); loss may be logits or target.
 */
export function bceWithLogits(k: Kernels, loss: number, logits: number, target: number, n: number): void {
  size('bceWithLogits', 'n', n);
  if (n === 0) return;
  for (const [what, p] of [['loss', loss], ['logits', logits], ['target', target]] as const) inMemory(k, 'bceWithLogits', what, p, n * 4);
  if (inRanges(k, 8 * n, n, 'f32_bce_logits', (s, e) => [loss + s * 4, logits + s * 4, target + s * 4, e - s])) return;
  kernel(k, 'f32_bce_logits')(loss, logits, target, n);
}

/** Its gradient with respect to the logits, one pass: dx = dy (sigmoid(logits) - target); dx may be dy. */
export function bceWithLogitsBackward(k: Kernels, dx: number, dy: number, logits: number, target: number, n: number): void {
  size('bceWithLogitsBackward', 'n', n);
  if (n === 0) return;
  for (const [what, p] of [['dx', dx], ['dy', dy], ['logits', logits], ['target', target]] as const) inMemory(k, 'bceWithLogitsBackward', what, p, n * 4);
  if (inRanges(k, 4 * n, n, 'f32_bce_logits_backward', (s, e) => [dx + s * 4, dy + s * 4, logits + s * 4, target + s * 4, e - s])) return;
  kernel(k, 'f32_bce_logits_backward')(dx, dy, logits, target, n);
}
