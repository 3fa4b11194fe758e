/** Broadcasting and its adjoint: expand a tensor to a shape, and sum a gradient back to a shape. */
import { broadcastShapes, copyStrided, reduce } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { contiguousStrides, formatShape, sameShape, sizeOf, type Shape } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';

export { broadcastShapes };

/** Sums `g` over the axes that broadcasting added or stretched, giving a tensor of `shape`. */
export const sumTo = defineOp('sumTo', 'g', function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) {
    throw new Error(`sumTo: cannot reduce ${formatShape(g.shape)} to the larger rank of ${formatShape(shape)}`);
  }
  const k = g.k;
  let cur = g;
  let curShape = [...g.shape];
  if (lead > 0) {
    const outer = sizeOf(curShape.slice(0, lead));
    const rest = curShape.slice(lead);
    const next = Tensor.empty(rest);
    reduce(k, 'sum', next.ptr, cur.ptr, 1, outer, sizeOf(rest));
    cur = next;
    curShape = rest;
  }
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === curShape[i]) continue;
    if (shape[i] !== 1) {
      throw new Error(`sumTo: cannot reduce ${formatShape(g.shape)} to ${formatShape(shape)}`);
    }
    const outer = sizeOf(curShape.slice(0, i));
    const inner = sizeOf(curShape.slice(i + 1));
    const nextShape = [...curShape];
    nextShape[i] = 1;
    const next = Tensor.empty(nextShape);
    reduce(k, 'sum', next.ptr, cur.ptr, outer, curShape[i]!, inner);
    if (cur !== g) cur.dispose();
    cur = next;
    curShape = nextShape;
  }
  return cur;
});

/** Repeats `x` along its size-1 (or missing leading) axes to `shape`, like torch.expand + contiguous. */
export const expand = defineOp('expand', 'x', function expand(x: Tensor, shape: Shape): Tensor {
  const target = broadcastShapes(x.shape, shape);
  if (!sameShape(target, shape)) {
    throw new Error(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  if (sameShape(x.shape, shape)) return x;
  const lead = shape.length - x.ndim;
  const xs = contiguousStrides(x.shape);
  const srcStrides = shape.map((d, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : xs[i - lead]!));
  const out = Tensor.empty(shape);
  copyStrided(x.k, out.ptr, contiguousStrides(shape), x.ptr, srcStrides, shape);
  return recordOp(out, 'expand', [x], (g) => [sumTo(g, x.shape)]);
});
