/** Picks one entry per row: out[i] = x[i, index[i]] (the gather behind NLL with class labels). */
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';
import { toIndices, type IndexArray } from '../check/indices.js';

/** x [N, C] and one class index per row (a number[], typed array or Tensor), each an integer in [0, C). */
export const pickPerRow = defineOp('pickPerRow', 'x index:any', function pickPerRow(x: Tensor, index: IndexArray, op = 'pickPerRow'): Tensor {
  if (x.ndim !== 2) throw new Error(`${op}: expected a [N, C] tensor, got ${formatShape(x.shape)}`);
  const idx = toIndices(op, index, { classes: x.shape[1]!, context: `for input ${formatShape(x.shape)}` });
  return pickRows(x, idx, op);
});

/** pickPerRow for indices already checked against x's classes. */
export function pickRows(x: Tensor, idx: Int32Array, op: string): Tensor {
  const [n, c] = x.shape as [number, number];
  if (idx.length !== n) {
    throw new Error(`${op}: ${idx.length} labels for a batch of ${n} rows (input ${formatShape(x.shape)})`);
  }
  const out = Tensor.empty([n]);
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < n; i++) od[i] = xd[i * c + idx[i]!]!;
  return recordOp(out, op, [x], (g) => {
    const gx = Tensor.empty(x.shape);
    const gd = gx.data;
    gd.fill(0);
    const gg = g.data;
    for (let i = 0; i < n; i++) gd[i * c + idx[i]!] = gg[i]!;
    return [gx];
  });
}
