/** Arithmetic with broadcasting, forward and backward side by side. */
import { binary, broadcastShapes, clamp as clampKernel, clampBackward, scale, unary, type BinaryOp } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { sumTo } from './broadcast.js';

export type Operand = Tensor | number;

function shapeOf(op: string, a: Tensor, b: Tensor): number[] {
  try {
    return broadcastShapes(a.shape, b.shape);
  } catch {
    throw new Error(`${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be broadcast together`);
  }
}

function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, name: string): Tensor {
  const out = Tensor.empty(shapeOf(name, a, b));
  binary(a.k, op, out.ptr, a.ptr, a.shape, b.ptr, b.shape);
  return out;
}

/** out = alpha * x + beta, recorded. */
export function affine(x: Tensor, alpha: number, beta = 0): Tensor {
  const out = Tensor.empty(x.shape);
  scale(x.k, out.ptr, x.ptr, x.size, alpha, beta);
  return recordOp(out, 'affine', [x], (g) => [alpha === 1 ? g : affine(g, alpha)]);
}

export function neg(x: Tensor): Tensor {
  return affine(x, -1);
}

export function add(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') return add(b, a);
  if (typeof b === 'number') return affine(a, 1, b);
  const out = binaryRaw('add', a, b, 'add');
  return recordOp(out, 'add', [a, b], (g) => [
    a.requiresGrad ? sumTo(g, a.shape) : null,
    b.requiresGrad ? sumTo(g, b.shape) : null,
  ]);
}

export function sub(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw new Error('sub: at least one operand must be a tensor');
    return affine(b, -1, a);
  }
  if (typeof b === 'number') return affine(a, 1, -b);
  const out = binaryRaw('sub', a, b, 'sub');
  return recordOp(out, 'sub', [a, b], (g) => [
    a.requiresGrad ? sumTo(g, a.shape) : null,
    b.requiresGrad ? neg(sumTo(g, b.shape)) : null,
  ]);
}

export function mul(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') return mul(b, a);
  if (typeof b === 'number') return affine(a, b, 0);
  const out = binaryRaw('mul', a, b, 'mul');
  return recordOp(
    out,
    'mul',
    [a, b],
    (g) => [
      a.requiresGrad ? sumTo(binaryRaw('mul', g, b, 'mul'), a.shape) : null,
      b.requiresGrad ? sumTo(binaryRaw('mul', g, a, 'mul'), b.shape) : null,
    ],
    [a, b],
  );
}

export function div(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new Error('div: at least one operand must be a tensor');
    return affine(a, 1 / b, 0);
  }
  if (typeof a === 'number') {
    const r = Tensor.empty(b.shape);
    unary(b.k, 'reciprocal', r.ptr, b.ptr, b.size);
    const out = Tensor.empty(b.shape);
    scale(b.k, out.ptr, r.ptr, b.size, a, 0);
    // d(a/b)/db = -a/b^2 = -out * r
    return recordOp(out, 'rdiv', [b], (g) => [neg(binaryRaw('mul', binaryRaw('mul', g, out, 'mul'), r, 'mul'))], [r]);
  }
  const out = binaryRaw('div', a, b, 'div');
  return recordOp(
    out,
    'div',
    [a, b],
    (g) => {
      const ga = binaryRaw('div', g, b, 'div');
      return [
        a.requiresGrad ? sumTo(ga, a.shape) : null,
        // d(a/b)/db = -(a/b)/b, so the gradient is -(g/b) * out
        b.requiresGrad ? sumTo(neg(binaryRaw('mul', ga, out, 'mul')), b.shape) : null,
      ];
    },
    [a, b],
  );
}

/** Elementwise clamp to [lo, hi]; the gradient passes where lo <= x <= hi. */
export function clamp(x: Tensor, lo = -Infinity, hi = Infinity): Tensor {
  if (lo > hi) throw new Error(`clamp: lower bound ${lo} is above upper bound ${hi}`);
  const out = Tensor.empty(x.shape);
  clampKernel(x.k, out.ptr, x.ptr, x.size, lo, hi);
  return recordOp(
    out,
    'clamp',
    [x],
    (g) => {
      const dx = Tensor.empty(x.shape);
      clampBackward(x.k, dx.ptr, g.ptr, x.ptr, x.size, lo, hi);
      return [dx];
    },
    [x],
  );
}
