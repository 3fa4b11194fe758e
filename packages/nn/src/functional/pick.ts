/** Picks one entry per row: out[i] = x[i, index[i]] (the gather behind NLL with class labels). */
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

export function pickPerRow(x: Tensor, index: ArrayLike<number>, op = 'pickPerRow'): Tensor {
  if (x.ndim !== 2) throw new Error(`${op}: expected a [N, C] tensor, got ${formatShape(x.shape)}`);
  const [n, c] = x.shape as [number, number];
  if (index.length !== n) {
    throw new Error(`${op}: ${index.length} labels for a batch of ${n} rows (input ${formatShape(x.shape)})`);
  }
  const idx = Int32Array.from(index);
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    if (!Number.isInteger(j) || j < 0 || j >= c) {
      throw new Error(`${op}: label ${index[i]} at position ${i} is outside [0, ${c}) for input ${formatShape(x.shape)}`);
    }
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
