/** Softmax and log-softmax over an axis (stable: the kernels subtract the row maximum). */
import { logSoftmaxRows, logSoftmaxRowsBackward, softmaxRows, softmaxRowsBackward } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { normalizeAxis } from '../tensor/shape.js';
import { transpose } from './shape-ops.js';
import { defineOp } from '../check/operands.js';

function overLastAxis(x: Tensor, log: boolean): Tensor {
  const cols = x.ndim === 0 ? 1 : x.shape[x.ndim - 1]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = Tensor.empty(x.shape);
  (log ? logSoftmaxRows : softmaxRows)(x.k, out.ptr, x.ptr, rows, cols);
  return recordOp(
    out,
    log ? 'logSoftmax' : 'softmax',
    [x],
    (g) => {
      const dx = Tensor.empty(x.shape);
      (log ? logSoftmaxRowsBackward : softmaxRowsBackward)(x.k, dx.ptr, g.ptr, out.ptr, rows, cols);
      return [dx];
    },
    [out],
  );
}

function alongAxis(x: Tensor, axis: number, log: boolean, op: string): Tensor {
  if (x.ndim === 0) return overLastAxis(x, log);
  const a = normalizeAxis(axis, x.ndim, op);
  if (a === x.ndim - 1) return overLastAxis(x, log);
  return transpose(overLastAxis(transpose(x, a, -1), log), a, -1);
}

export const softmax = defineOp('softmax', 'x', function softmax(x: Tensor, axis = -1): Tensor {
  return alongAxis(x, axis, false, 'softmax');
});

export const logSoftmax = defineOp('logSoftmax', 'x', function logSoftmax(x: Tensor, axis = -1): Tensor {
  return alongAxis(x, axis, true, 'logSoftmax');
});
