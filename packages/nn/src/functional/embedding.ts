/** Embedding lookup: rows of a [num, dim] table picked by integer indices, scatter-added on backward. */
import { fill, gatherRows, scatterAddRows } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape, type Shape } from '../tensor/shape.js';

/** Integer indices with a shape: a Tensor holding whole numbers, or a typed/plain array plus its shape. */
export type IndexLike = Tensor | { indices: ArrayLike<number>; shape: Shape } | Int32Array | readonly number[];

function toIndices(ids: IndexLike): { values: Int32Array; shape: number[] } {
  if (ids instanceof Tensor) return { values: Int32Array.from(ids.data, Math.round), shape: [...ids.shape] };
  if ('indices' in ids && 'shape' in ids) return { values: Int32Array.from(ids.indices), shape: [...ids.shape] };
  const arr = ids as ArrayLike<number>;
  return { values: Int32Array.from(arr), shape: [arr.length] };
}

/**
 * out[..., :] = weight[ids[...], :], shape [...ids.shape, dim]. With paddingIdx, that row gets no
 * gradient (PyTorch's padding_idx).
 */
export function embedding(ids: IndexLike, weight: Tensor, paddingIdx: number | null = null): Tensor {
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be [num, dim], got ${formatShape(weight.shape)}`);
  const [rows, dim] = weight.shape as [number, number];
  const { values, shape } = toIndices(ids);
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v < rows)) {
      throw new Error(`embedding: index ${v} at position ${i} is outside the table of ${rows} rows (weight ${formatShape(weight.shape)})`);
    }
  }
  const k = weight.k;
  const out = Tensor.empty([...shape, dim]);
  const withIndices = (body: (idx: number) => void): void => {
    const idx = k.arena.alloc(Math.max(1, n) * 4);
    try {
      k.arena.i32(idx, n).set(values);
      body(idx);
    } finally {
      k.arena.free(idx);
    }
  };
  withIndices((idx) => gatherRows(k, out.ptr, weight.ptr, rows, dim, idx, n));
  return recordOp(out, 'embedding', [weight], (g) => {
    const gw = Tensor.empty(weight.shape);
    fill(k, gw.ptr, gw.size, 0);
    withIndices((idx) => scatterAddRows(k, gw.ptr, rows, dim, g.ptr, idx, n));
    if (paddingIdx !== null) fill(k, gw.ptr + paddingIdx * dim * 4, dim, 0);
    return [gw];
  });
}
