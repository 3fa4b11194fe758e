/** Reductions over one or more axes (or all elements), with their gradients. */
import { argmax as argmaxKernel, argmin as argminKernel, copy, reduce, scale } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape, normalizeAxis, sizeOf } from '../tensor/shape.js';
import { expand } from './broadcast.js';
import { defineOp } from '../check/operands.js';

export type Axes = number | readonly number[] | undefined;

function resolveAxes(x: Tensor, axes: Axes, op: string): number[] {
  if (axes === undefined) return x.shape.map((_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = [...new Set(list.map((a) => normalizeAxis(a, x.ndim, op)))];
  return out.sort((a, b) => a - b);
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function droppedShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Sum (or mean) over axes, as successive single-axis reductions on the [outer, n, inner] view. */
function sumOrMean(x: Tensor, axes: Axes, keepDim: boolean, mean: boolean): Tensor {
  const name = mean ? 'mean' : 'sum';
  const ax = resolveAxes(x, axes, name);
  let curShape = [...x.shape];
  let cur = x;
  let count = 1;
  for (const a of ax) {
    const outer = sizeOf(curShape.slice(0, a));
    const inner = sizeOf(curShape.slice(a + 1));
    const n = curShape[a]!;
    count *= n;
    const nextShape = [...curShape];
    nextShape[a] = 1;
    const next = Tensor.empty(nextShape);
    reduce(x.k, 'sum', next.ptr, cur.ptr, outer, n, inner);
    if (cur !== x) cur.dispose();
    cur = next;
    curShape = nextShape;
  }
  if (cur === x) {
    // No axes: a copy, so the result never aliases the input.
    cur = Tensor.empty(x.shape);
    copy(x.k, cur.ptr, x.ptr, x.size);
  }
  // The mean over nothing is 0 * (1 / 0) = NaN, as in PyTorch.
  if (mean) {
    scale(x.k, cur.ptr, cur.ptr, cur.size, 1 / count, 0);
  }
  const finalShape = keepDim ? keptShape(x.shape, ax) : droppedShape(x.shape, ax);
  const out = Tensor.view(cur, finalShape);
  cur.dispose();
  const kShape = keptShape(x.shape, ax);
  return recordOp(out, name, [x], (g) => {
    const gk = Tensor.view(g, kShape);
    let gx = expand(gk, x.shape);
    if (gx === gk) {
      gx = Tensor.empty(x.shape);
      copy(x.k, gx.ptr, gk.ptr, gk.size);
    }
    if (mean) scale(x.k, gx.ptr, gx.ptr, gx.size, 1 / count, 0);
    return [gx];
  });
}

export const sum = defineOp('sum', 'x', function sum(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  return sumOrMean(x, axes, keepDim, false);
});

export const mean = defineOp('mean', 'x', function mean(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  return sumOrMean(x, axes, keepDim, true);
});

/**
 * An extreme over no values has no answer (PyTorch raises too); over an empty tensor along an axis
 * that is not empty, the result is simply empty.
 */
function emptyExtreme(x: Tensor, axis: number | undefined, op: string): void {
  if (x.size !== 0) return;
  if (axis === undefined || x.shape[axis] === 0) {
    throw new Error(`${op}: tensor of shape ${formatShape(x.shape)} is empty${axis === undefined ? '' : ` along axis ${axis}`}; there is no ${op.replace('arg', '')} to take`);
  }
}

/**
 * Max or min over one axis (or over everything when axis is undefined). The gradient goes to the
 * first position holding the extreme value, as PyTorch's max(dim) does.
 */
function extreme(x: Tensor, axis: number | undefined, keepDim: boolean, op: 'max' | 'min'): Tensor {
  const all = axis === undefined;
  const a = all ? 0 : normalizeAxis(axis, x.ndim, op);
  emptyExtreme(x, all ? undefined : a, op);
  const outer = all ? 1 : sizeOf(x.shape.slice(0, a));
  const n = all ? x.size : x.shape[a]!;
  const inner = all ? 1 : sizeOf(x.shape.slice(a + 1));
  const outShape = all ? [] : keepDim ? keptShape(x.shape, [a]) : droppedShape(x.shape, [a]);
  const out = Tensor.empty(outShape);
  reduce(x.k, op, out.ptr, x.ptr, outer, n, inner);
  if (!x.tracksGrad) return out;
  const idxPtr = x.k.arena.alloc(outer * inner * 4);
  (op === 'max' ? argmaxKernel : argminKernel)(x.k, idxPtr, x.ptr, outer, n, inner);
  const idx = x.k.arena.i32(idxPtr, outer * inner).slice();
  x.k.arena.free(idxPtr);
  return recordOp(out, op, [x], (g) => {
    const gx = Tensor.empty(x.shape);
    const gd = gx.data;
    gd.fill(0);
    const gg = g.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        gd[(o * n + idx[o * inner + i]!) * inner + i] = gg[o * inner + i]!;
      }
    }
    return [gx];
  });
}

export const max = defineOp('max', 'x', function max(x: Tensor, axis?: number, keepDim = false): Tensor {
  return extreme(x, axis, keepDim, 'max');
});

export const min = defineOp('min', 'x', function min(x: Tensor, axis?: number, keepDim = false): Tensor {
  return extreme(x, axis, keepDim, 'min');
});

/** Indices of the maximum along an axis (first on ties, NaN counts as largest); not differentiable. */
export const argmax = defineOp('argmax', 'x', function argmax(x: Tensor, axis = -1): Int32Array {
  return argIndex(x, axis, 'argmax');
});

export const argmin = defineOp('argmin', 'x', function argmin(x: Tensor, axis = -1): Int32Array {
  return argIndex(x, axis, 'argmin');
});

function argIndex(x: Tensor, axis: number, op: 'argmax' | 'argmin'): Int32Array {
  const a = normalizeAxis(axis, Math.max(1, x.ndim), op);
  emptyExtreme(x, x.ndim === 0 ? undefined : a, op);
  const shape = x.ndim === 0 ? [1] : x.shape;
  const outer = sizeOf(shape.slice(0, a));
  const inner = sizeOf(shape.slice(a + 1));
  const ptr = x.k.arena.alloc(outer * inner * 4);
  (op === 'argmax' ? argmaxKernel : argminKernel)(x.k, ptr, x.ptr, outer, shape[a]!, inner);
  const result = x.k.arena.i32(ptr, outer * inner).slice();
  x.k.arena.free(ptr);
  return result;
}
