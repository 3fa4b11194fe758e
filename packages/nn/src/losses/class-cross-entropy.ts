/**
 * Cross-entropy of logits [N, C] against class labels as one op: log-softmax and the negative
 * log-likelihood in one kernel pass, and the gradient c * (softmax - onehot) in one more (PyTorch's
 * cross_entropy is one kernel each way too). The same values as logSoftmax then nllLoss, without the
 * five small ops between them (pick, negate, reduce, and their gradients).
 */
import { crossEntropyRows, crossEntropyRowsBackward } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import type { Reduction } from './reduction.js';

/**
 * labels: one class per row, already checked to lie in [0, C) or equal ignoreIndex; `ignored` of
 * them do. Mean: over the rows not ignored (NaN when every row is), as in PyTorch.
 */
export function classCrossEntropy(logits: Tensor, labels: Int32Array, ignored: number, ignoreIndex: number, reduction: Reduction): Tensor {
  const [N, C] = logits.shape as [number, number];
  const k = logits.k;
  const target = Tensor.empty([N]);
  const t = k.arena.i32(target.ptr, N);
  if (ignored === 0) t.set(labels);
  else for (let i = 0; i < N; i++) t[i] = labels[i] === ignoreIndex ? -1 : labels[i]!;
  const logp = Tensor.empty([N, C]);
  const rows = Tensor.empty([N]);
  crossEntropyRows(k, logp.ptr, rows.ptr, logits.ptr, target.ptr, N, C);
  const count = N - ignored;
  let out = rows;
  if (reduction !== 'none') {
    // One total over the rows, in float64 and in row order (the same whatever the thread count).
    const v = rows.data;
    let s = 0;
    for (let i = 0; i < N; i++) s += v[i]!;
    out = Tensor.empty([]);
    out.data[0] = reduction === 'mean' ? s / count : s;
    rows.dispose();
  }
  return recordOp(
    out,
    'crossEntropy',
    [logits],
    (g) => {
      const dx = Tensor.empty(logits.shape);
      crossEntropyRowsBackward(k, dx.ptr, logp.ptr, target.ptr, g.ptr, reduction === 'none' ? 1 : 0, reduction === 'mean' ? 1 / count : 1, N, C);
      return [dx];
    },
    [logp, target],
  );
}
