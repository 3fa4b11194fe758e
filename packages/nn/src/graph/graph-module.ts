/**
 * The base of graph layers: forward(x, graph) instead of tensors only. Node features are a dense
 * tensor [N, in] or a SparseMatrix (bag-of-words features); layers project sparse features with
 * sparseLinear, which gives the same result as the dense product.
 */
import { Module } from '../modules/module.js';
import type { Linear } from '../modules/linear.js';
import type { Tensor } from '../tensor/tensor.js';
import { uniform_ } from '../init/init.js';
import type { Generator } from '../random/generator.js';
import type { Graph } from './graph.js';
import { SparseMatrix } from './sparse-matrix.js';
import { sparseLinear } from './sparse-linear.js';

/** What graph layers take as node features. */
export type NodeFeatures = Tensor | SparseMatrix;

export abstract class GraphModule extends Module {
  abstract override forward(x: NodeFeatures, graph: Graph): Tensor;
}

/** The rows of node features (dense or sparse). */
export function nodeCount(x: NodeFeatures): number {
  return x.shape[0]!;
}

/** Feature columns of node features (dense [N, F] or sparse). */
export function featureCount(x: NodeFeatures): number {
  return x instanceof SparseMatrix ? x.shape[1] : x.shape[x.shape.length - 1]!;
}

/** lin(x) for dense or sparse features (the same weight either way). */
export function project(lin: Linear, x: NodeFeatures): Tensor {
  return x instanceof SparseMatrix ? sparseLinear(x, lin.weight, lin.bias) : lin.forward(x);
}

/** PyTorch Geometric's glorot: U(-a, a), a = sqrt(6 / (size(-2) + size(-1))), over the last two axes. */
export function glorot_(t: Tensor, generator?: Generator): Tensor {
  const n = t.shape.length;
  const a = Math.sqrt(6 / (t.shape[n - 2]! + t.shape[n - 1]!));
  return uniform_(t, -a, a, generator);
}
