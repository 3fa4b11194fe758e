/** Arithmetic with broadcasting, forward and backward side by side. */
import { binary, broadcastShapes, clamp as clampKernel, clampBackward, scale, unary, type BinaryOp } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { sumTo } from './broadcast.js';
import { defineOp } from '../check/operands.js';

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
export const affine = defineOp('affine', 'x alpha:number beta:number?', function affine(x: Tensor, alpha: number, beta = 0): Tensor {
  const out = Tensor.empty(x.shape);
  scale(x.k, out.ptr, x.ptr, x.size, alpha, beta);
  return recordOp(out, 'affine', [x], (g) => [alpha === 1 ? g : affine(g, alpha)]);
});

export const neg = defineOp('neg', 'x', function neg(x: Tensor): Tensor {
  return affine(x, -1);
});

export const add = defineOp('add', 'a:operand b:operand', function add(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw new TypeError('add: at least one operand must be a Tensor, got two numbers');
    return add(b, a);
  }
  if (typeof b === 'number') return affine(a, 1, b);
  const out = binaryRaw('add', a, b, 'add');
  return recordOp(out, 'add', [a, b], (g) => [
    a.requiresGrad ? sumTo(g, a.shape) : null,
    b.requiresGrad ? sumTo(g, b.shape) : null,
  ]);
});

export const sub = defineOp('sub', 'a:operand b:operand', function sub(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw new TypeError('sub: at least one operand must be a Tensor, got two numbers');
    return affine(b, -1, a);
  }
  if (typeof b === 'number') return affine(a, 1, -b);
  const out = binaryRaw('sub', a, b, 'sub');
  return recordOp(out, 'sub', [a, b], (g) => [
    a.requiresGrad ? sumTo(g, a.shape) : null,
    b.requiresGrad ? neg(sumTo(g, b.shape)) : null,
  ]);
});

export const mul = defineOp('mul', 'a:operand b:operand', function mul(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw new TypeError('mul: at least one operand must be a Tensor, got two numbers');
    return mul(b, a);
  }
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
});

export const div = defineOp('div', 'a:operand b:operand', function div(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new TypeError('div: at least one operand must be a Tensor, got two numbers');
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
});

/** Elementwise clamp to [lo, hi]; the gradient passes where lo <= x <= hi. */
export const clamp = defineOp('clamp', 'x lo:number? hi:number?', function clamp(x: Tensor, lo = -Infinity, hi = Infinity): Tensor {
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
});
