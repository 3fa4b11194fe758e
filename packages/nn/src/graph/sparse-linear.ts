/**
 * A sparse feature matrix times a dense weight: y = X · Wᵀ (+ b) with X a SparseMatrix [N, in] and
 * W [out, in] as nn.Linear lays it out, so a layer's weight is the same whether its input is sparse
 * or dense. Dropout acts on the stored values only (the zeros stay zero either way), which is what
 * F.dropout does to a sparse input in PyTorch Geometric's examples. The gradient goes to W (and b):
 * dWᵀ = Xᵀ · dY through the transposed CSR, no atomics; the features get none.
 */
import { spmmCsr, transpose2d } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';
import { bool, checkGenerator, checkOptions, describe, num, optionKeys } from '../check/options.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { add } from '../functional/elementwise.js';
import { SparseMatrix } from './sparse-matrix.js';
import { dropoutSparse } from './dropout.js';

export interface SparseLinearOptions {
  /** Probability of zeroing each stored value (default 0); the others are scaled by 1 / (1 - p). */
  dropout?: number;
  /** Dropout is active only in training (default true when dropout is given). */
  training?: boolean;
  generator?: Generator;
}
const SPARSE_LINEAR_OPTIONS = optionKeys<SparseLinearOptions>({ dropout: true, training: true, generator: true });

export const sparseLinear = defineOp('sparseLinear', 'x:any weight bias:tensor?', function sparseLinear(
  x: SparseMatrix,
  weight: Tensor,
  bias?: Tensor | null,
  opts: SparseLinearOptions = {},
): Tensor {
  if (!(x instanceof SparseMatrix)) throw new TypeError(`sparseLinear: x must be a SparseMatrix, got ${describe(x)}`);
  checkOptions('sparseLinear', opts, SPARSE_LINEAR_OPTIONS);
  const p = opts.dropout === undefined ? 0 : num('sparseLinear', 'dropout', opts.dropout, 0, 1);
  const training = opts.training === undefined ? true : bool('sparseLinear', 'training', opts.training);
  if (opts.generator !== undefined) checkGenerator('sparseLinear', opts.generator);
  const [N, inF] = x.shape;
  if (weight.ndim !== 2 || weight.shape[1] !== inF) {
    throw new Error(`sparseLinear: weight ${formatShape(weight.shape)} does not match input [${N}, ${inF}]: expected [out, ${inF}]`);
  }
  const outF = weight.shape[0]!;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) throw new Error(`sparseLinear: bias ${formatShape(bias.shape)} does not match weight ${formatShape(weight.shape)}: expected [${outF}]`);
  const k = weight.k;
  const dropped = p > 0 && training ? dropoutSparse(x, p, true, opts.generator ?? defaultGenerator) : x;
  const ix = x.kernelIndices(k);
  const values = dropped.valuesTensor(k);
  const wt = Tensor.empty([inF, outF]);
  transpose2d(k, wt.ptr, weight.ptr, outF, inF);
  const y = Tensor.empty([N, outF]);
  spmmCsr(k, ix.csr, y.ptr, wt.ptr, values.ptr, 1, outF);
  wt.dispose();
  const out = recordOp(
    y,
    'sparseLinear',
    [weight],
    (g) => {
      // dWᵀ = Xᵀ · dY, reading X's (dropped-out) values in place through the transposed entry ids.
      const gwt = Tensor.empty([inF, outF]);
      spmmCsr(k, ix.csrT, gwt.ptr, g.ptr, values.ptr, 1, outF, { valuesAt: ix.csrTEntries });
      const gw = Tensor.empty(weight.shape);
      transpose2d(k, gw.ptr, gwt.ptr, inF, outF);
      gwt.dispose();
      return [gw];
    },
    // Values of a view (dropout) are an ordinary tensor: the gradient graph keeps them for the backward pass.
    values.isKept ? [] : [values],
  );
  if (dropped !== x && !out.requiresGrad) values.dispose();
  return bias ? add(out, bias) : out;
});

