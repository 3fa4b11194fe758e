/** Reshaping, permuting, slicing and joining, with gradients. Reshape shares memory; the rest copy once. */
import { copy, copyStrided, fill, transpose2d } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { contiguousStrides, formatShape, normalizeAxis, sameShape, sizeOf, type Shape } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';

/** Same data, new shape (one dimension may be -1). No copy: the result shares storage. */
export const reshape = defineOp('reshape', 'x', function reshape(x: Tensor, shape: Shape): Tensor {
  const s = [...shape];
  const free = s.indexOf(-1);
  if (free !== s.lastIndexOf(-1)) throw new Error(`reshape: only one dimension may be -1 in ${formatShape(shape)}`);
  if (free >= 0) {
    const known = sizeOf(s.filter((_, i) => i !== free));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
    }
    s[free] = x.size / known;
  }
  if (s.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(s) !== x.size) {
    throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
  }
  const out = Tensor.view(x, s);
  return recordOp(out, 'reshape', [x], (g) => [Tensor.view(g, x.shape)]);
});

/** Flattens axes startDim..endDim into one (PyTorch's flatten; nn.Flatten uses startDim 1). */
export const flatten = defineOp('flatten', 'x', function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis(startDim, x.ndim, 'flatten');
  const e = normalizeAxis(endDim, x.ndim, 'flatten');
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
});

export const unsqueeze = defineOp('unsqueeze', 'x', function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
});

export const squeeze = defineOp('squeeze', 'x', function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normalizeAxis(axis, x.ndim, 'squeeze');
  if (x.shape[a] !== 1) return reshape(x, x.shape);
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
});

/** Reorders axes (a copy in the new order). */
export const permute = defineOp('permute', 'x', function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new Error(`permute: ${dims.length} dims [${dims.join(', ')}] given for a tensor of rank ${x.ndim}`);
  }
  const p = dims.map((d) => normalizeAxis(d, x.ndim, 'permute'));
  if (new Set(p).size !== p.length) throw new Error(`permute: dims [${dims.join(', ')}] repeat an axis`);
  const shape = p.map((d) => x.shape[d]!);
  const xs = contiguousStrides(x.shape);
  const out = Tensor.empty(shape);
  if (x.ndim === 2 && p[0] === 1) {
    transpose2d(x.k, out.ptr, x.ptr, x.shape[0]!, x.shape[1]!);
  } else {
    copyStrided(x.k, out.ptr, contiguousStrides(shape), x.ptr, p.map((d) => xs[d]!), shape);
  }
  const inverse = new Array<number>(p.length);
  p.forEach((d, i) => (inverse[d] = i));
  return recordOp(out, 'permute', [x], (g) => [permute(g, inverse)]);
});

/** Swaps two axes (by default the last two, i.e. the matrix transpose). */
export const transpose = defineOp('transpose', 'x', function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2) return reshape(x, x.shape);
  const a = normalizeAxis(dim0, x.ndim, 'transpose');
  const b = normalizeAxis(dim1, x.ndim, 'transpose');
  const p = x.shape.map((_, i) => i);
  p[a] = b;
  p[b] = a;
  return permute(x, p);
});

/** The sub-tensor starting at `begin` with extent `size` (-1: to the end), like tf.slice. */
export const slice = defineOp('slice', 'x', function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  if (begin.length > x.ndim || (size !== undefined && size.length > x.ndim)) {
    throw new Error(`slice: begin/size have more entries than the rank of ${formatShape(x.shape)}`);
  }
  const b = x.shape.map((d, i) => {
    const v = begin[i] ?? 0;
    return v < 0 ? v + d : v;
  });
  const s = x.shape.map((d, i) => {
    const v = size?.[i] ?? -1;
    return v === -1 ? d - b[i]! : v;
  });
  for (let i = 0; i < x.ndim; i++) {
    if (b[i]! < 0 || s[i]! < 0 || b[i]! + s[i]! > x.shape[i]!) {
      throw new Error(
        `slice: begin [${b.join(', ')}] with size [${s.join(', ')}] is outside ${formatShape(x.shape)} on axis ${i}`,
      );
    }
  }
  const xs = contiguousStrides(x.shape);
  let offset = 0;
  for (let i = 0; i < x.ndim; i++) offset += b[i]! * xs[i]!;
  const out = Tensor.empty(s);
  copyStrided(x.k, out.ptr, contiguousStrides(s), x.ptr + offset * 4, xs, s);
  return recordOp(out, 'slice', [x], (g) => {
    const gx = Tensor.empty(x.shape);
    fill(x.k, gx.ptr, gx.size, 0);
    copyStrided(x.k, gx.ptr + offset * 4, xs, g.ptr, contiguousStrides(s), s);
    return [gx];
  });
});

/** `length` entries of axis `dim` starting at `start` (torch.narrow). */
export const narrow = defineOp('narrow', 'x', function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const a = normalizeAxis(dim, x.ndim, 'narrow');
  const begin = x.shape.map((_, i) => (i === a ? start : 0));
  const size = x.shape.map((d, i) => (i === a ? length : d));
  return slice(x, begin, size);
});

/** Joins tensors along an axis; all other dimensions must agree. */
export const concat = defineOp('concat', 'tensors:tensors', function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error('concat: no tensors given');
  const first = tensors[0]!;
  const a = normalizeAxis(axis, first.ndim, 'concat');
  let total = 0;
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(
        `concat: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ outside axis ${a}`,
      );
    }
    total += t.shape[a]!;
  }
  const shape = [...first.shape];
  shape[a] = total;
  const out = Tensor.empty(shape);
  const os = contiguousStrides(shape);
  const offsets: number[] = [];
  let at = 0;
  for (const t of tensors) {
    offsets.push(at);
    if (t.size > 0) copyStrided(t.k, out.ptr + at * os[a]! * 4, os, t.ptr, contiguousStrides(t.shape), t.shape);
    at += t.shape[a]!;
  }
  return recordOp(out, 'concat', tensors, (g) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const gt = Tensor.empty(t.shape);
      if (t.size > 0) copyStrided(t.k, gt.ptr, contiguousStrides(t.shape), g.ptr + offsets[i]! * os[a]! * 4, os, t.shape);
      return gt;
    }),
  );
});

/** Joins tensors along a new axis. */
export const stack = defineOp('stack', 'tensors:tensors', function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: no tensors given');
  const first = tensors[0]!;
  for (const t of tensors) {
    if (!sameShape(t.shape, first.shape)) {
      throw new Error(`stack: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ`);
    }
  }
  return concat(
    tensors.map((t) => unsqueeze(t, axis)),
    axis,
  );
});

/** The same data, cut from the gradient graph (shares memory, like torch's detach). */
export const detach = defineOp('detach', 'x', function detach(x: Tensor): Tensor {
  return Tensor.view(x, x.shape);
});

/** A copy with its own memory (recorded: gradients flow through). */
export const clone = defineOp('clone', 'x', function clone(x: Tensor): Tensor {
  const out = Tensor.empty(x.shape);
  copy(x.k, out.ptr, x.ptr, x.size);
  return recordOp(out, 'clone', [x], (g) => [g]);
});
