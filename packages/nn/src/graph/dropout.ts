/**
 * Dropout for graph models on the kernels' Philox generator: one uniform per element in WASM (a key
 * of two words drawn from the seeded Generator per call, so seeded runs repeat), then the mask.
 * Graph layers drop out many values per step (Cora's 49,216 stored features, GAT's attention
 * coefficients on 13,264 edges x 8 heads), which a draw per element in JavaScript makes slow.
 * dropoutSparse acts on a sparse matrix's stored values (the zeros stay zero), as F.dropout does
 * to the sparse input of PyTorch Geometric's examples.
 */
import { dropoutValues, uniformPhilox } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { bool, checkGenerator, num } from '../check/options.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { defineOp } from '../check/operands.js';
import { mul } from '../functional/elementwise.js';
import { SparseMatrix } from './sparse-matrix.js';
import type { NodeFeatures } from './graph-module.js';

/** A tensor of `shape`: 0 with probability p, else scale * (values ? values[i] : 1), all in WASM. */
function masked(shape: readonly number[], p: number, values: Tensor | null, generator: Generator): Tensor {
  const out = Tensor.empty(shape);
  uniformPhilox(out.k, out.ptr, out.size, { k0: generator.nextU32(), k1: generator.nextU32() });
  dropoutValues(out.k, out.ptr, out.ptr, values ? values.ptr : 0, out.size, p, p === 1 ? 0 : 1 / (1 - p));
  return out;
}

function checkArgs(where: string, p: number, training: boolean, generator: Generator): void {
  num(where, 'p', p, 0, 1);
  bool(where, 'training', training);
  checkGenerator(where, generator);
}

/**
 * Inverted dropout of a dense tensor (nn.dropout's semantics: zero with probability p, scale the rest
 * by 1 / (1 - p), only in training), with its mask drawn in WASM.
 */
export const fastDropout = defineOp('fastDropout', 'x p:number', function fastDropout(x: Tensor, p: number, training: boolean, generator: Generator = defaultGenerator): Tensor {
  checkArgs('fastDropout', p, training, generator);
  if (!training || p === 0) return x;
  return mul(x, masked(x.shape, p, null, generator));
});

/** Dropout on a sparse matrix's stored values, in training only; the result shares x's indices. */
export function dropoutSparse(x: SparseMatrix, p: number, training: boolean, generator: Generator = defaultGenerator): SparseMatrix {
  checkArgs('dropoutSparse', p, training, generator);
  if (!(x instanceof SparseMatrix)) throw new TypeError('dropoutSparse: x must be a SparseMatrix');
  if (!training || p === 0) return x;
  return x.withValues(masked([x.nnz], p, x.valuesTensor(), generator));
}

/** Dropout on node features: fastDropout for a dense tensor, dropoutSparse for a SparseMatrix. */
export function featureDropout<X extends NodeFeatures>(x: X, p: number, training: boolean, generator: Generator = defaultGenerator): X {
  return (x instanceof SparseMatrix ? dropoutSparse(x, p, training, generator) : fastDropout(x as Tensor, p, training, generator)) as X;
}
