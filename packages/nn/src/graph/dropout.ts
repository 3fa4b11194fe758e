/**
 * Dropout for graph models. Dense node features and attention coefficients use nn.dropout (its mask
 * drawn in WASM by the Philox kernels); dropoutSparse drops out a sparse matrix's stored values (the
 * zeros stay zero), as F.dropout does to the sparse input of PyTorch Geometric's examples, with the
 * same kernel: one uniform per stored value, from a key drawn from the seeded Generator.
 */
import { dropoutPhilox } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { bool, checkGenerator, num } from '../check/options.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { dropout, dropoutKey } from '../functional/dropout.js';
import { SparseMatrix } from './sparse-matrix.js';
import type { NodeFeatures } from './graph-module.js';

function checkArgs(where: string, p: number, training: boolean, generator: Generator): void {
  num(where, 'p', p, 0, 1);
  bool(where, 'training', training);
  checkGenerator(where, generator);
}

/** Dropout on a sparse matrix's stored values, in training only; the result shares x's indices. */
export function dropoutSparse(x: SparseMatrix, p: number, training: boolean, generator: Generator = defaultGenerator): SparseMatrix {
  checkArgs('dropoutSparse', p, training, generator);
  if (!(x instanceof SparseMatrix)) throw new TypeError('dropoutSparse: x must be a SparseMatrix');
  if (!training || p === 0) return x;
  const values = x.valuesTensor();
  const out = Tensor.empty([x.nnz]);
  dropoutPhilox(out.k, values.ptr, out.ptr, x.nnz, p, p === 1 ? 0 : 1 / (1 - p), dropoutKey(generator));
  return x.withValues(out);
}

/** Dropout on node features: nn.dropout for a dense tensor, dropoutSparse for a SparseMatrix. */
export function featureDropout<X extends NodeFeatures>(x: X, p: number, training: boolean, generator: Generator = defaultGenerator): X {
  return (x instanceof SparseMatrix ? dropoutSparse(x, p, training, generator) : dropout(x as Tensor, p, training, generator)) as X;
}
