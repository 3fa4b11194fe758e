/** Embedding lookup: rows of a [num, dim] table picked by integer indices, scatter-added on backward. */
import { fill, gatherRows, scatterAddRows } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { checkShape, formatShape, sizeOf, type Shape } from '../tensor/shape.js';
import { toIndices } from '../check/indices.js';
import { describe } from '../check/options.js';
import { defineOp } from '../check/operands.js';

/** Integer indices with a shape: a Tensor holding whole numbers, or a typed/plain array plus its shape. */
export type IndexLike = Tensor | { indices: ArrayLike<number>; shape: Shape } | Int32Array | readonly number[];

/** PyTorch's padding_idx rule: an integer in [-rows, rows), negative counting from the end. */
export function paddingIndex(where: string, v: unknown, rows: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -rows || v >= rows) {
    throw new RangeError(`${where}: paddingIdx must be an integer in [${-rows}, ${rows}), got ${describe(v)}`);
  }
  return v < 0 ? v + rows : v;
}

/** The indices and their shape, each checked to be an integer row of the table. */
function readIds(where: string, ids: IndexLike, weight: Tensor): { values: Int32Array; shape: number[] } {
  const rows = weight.shape[0]!;
  const check = { classes: rows, item: 'index', noun: 'row index', range: `the table of ${rows} rows`, context: `(weight ${formatShape(weight.shape)})` };
  if (ids instanceof Tensor) return { values: toIndices(where, ids, check), shape: [...ids.shape] };
  if (ids !== null && typeof ids === 'object' && 'indices' in ids && 'shape' in ids) {
    const values = toIndices(where, ids.indices, check);
    const shape = checkShape(ids.shape, where);
    if (sizeOf(shape) !== values.length) throw new Error(`${where}: ${values.length} indices for shape ${formatShape(shape)}`);
    return { values, shape };
  }
  const values = toIndices(where, ids, check);
  return { values, shape: [values.length] };
}

/**
 * out[..., :] = weight[ids[...], :], shape [...ids.shape, dim]. With paddingIdx, that row gets no
 * gradient (PyTorch's padding_idx; negative counts from the end). `where` names the caller in errors.
 */
export const embedding = defineOp('embedding', 'ids:any weight', function embedding(ids: IndexLike, weight: Tensor, paddingIdx: number | null = null, where = 'embedding'): Tensor {
  if (weight.ndim !== 2) throw new Error(`${where}: weight must be [num, dim], got ${formatShape(weight.shape)}`);
  const [rows, dim] = weight.shape as [number, number];
  if (paddingIdx !== null) paddingIdx = paddingIndex(where, paddingIdx, rows);
  const { values, shape } = readIds(where, ids, weight);
  const n = values.length;
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
});
