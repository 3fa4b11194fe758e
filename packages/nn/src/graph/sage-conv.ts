/**
 * SAGEConv (Hamilton et al., 2017), with PyTorch Geometric's semantics and names:
 *   out_i = lin_l(aggr over the edges j -> i of x_j) + lin_r(x_i)
 * aggr 'mean' (default), 'max' or 'sum'; nodes without incoming edges aggregate to 0. `lin_l.weight`,
 * `lin_l.bias`, `lin_r.weight` (no bias), initialised like nn.Linear. With `normalize`, each output
 * row is divided by its L2 norm. Mean and sum commute with the projection, so when the output is
 * narrower than the input they are taken after it (fewer floats per edge); sparse features work with them.
 */
import { Linear } from '../modules/linear.js';
import type { ModuleConfig } from '../modules/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { bool, checkGenerator, checkOptions, int, oneOf, optionKeys } from '../check/options.js';
import { add, clamp, div } from '../functional/elementwise.js';
import { sqrt, square } from '../functional/activations.js';
import { sum } from '../functional/reduce.js';
import type { Graph } from './graph.js';
import { checkGraph, gather, segmentMax, spmm } from './ops.js';
import { featureCount, GraphModule, project, type NodeFeatures } from './graph-module.js';
import { SparseMatrix } from './sparse-matrix.js';
import { sparseLinear } from './sparse-linear.js';
import { linear } from '../functional/matmul.js';

export type SageAggregation = 'mean' | 'max' | 'sum';

export interface SAGEConvOptions {
  aggr?: SageAggregation;
  /** Add lin_r(x_i), the node's own features (default true). */
  rootWeight?: boolean;
  /** L2-normalise each output row (default false). */
  normalize?: boolean;
  bias?: boolean;
  generator?: Generator;
}
export const SAGE_CONV_OPTIONS = optionKeys<SAGEConvOptions>({ aggr: true, rootWeight: true, normalize: true, bias: true, generator: true });

export class SAGEConv extends GraphModule {
  static override readonly typeName = 'SAGEConv';
  readonly lin_l: Linear;
  readonly lin_r: Linear | null;
  readonly aggr: SageAggregation;
  readonly normalize: boolean;

  constructor(readonly inChannels: number, readonly outChannels: number, opts: SAGEConvOptions = {}) {
    super();
    const where = `SAGEConv(${inChannels}, ${outChannels})`;
    checkOptions(where, opts, SAGE_CONV_OPTIONS);
    int(where, 'inChannels', inChannels);
    int(where, 'outChannels', outChannels);
    this.aggr = opts.aggr === undefined ? 'mean' : oneOf(where, 'aggr', opts.aggr, ['mean', 'max', 'sum']);
    const root = opts.rootWeight === undefined ? true : bool(where, 'rootWeight', opts.rootWeight);
    this.normalize = opts.normalize === undefined ? false : bool(where, 'normalize', opts.normalize);
    const bias = opts.bias === undefined ? true : bool(where, 'bias', opts.bias);
    if (opts.generator !== undefined) checkGenerator(where, opts.generator);
    const g = opts.generator ?? defaultGenerator;
    this.lin_l = this.registerModule('lin_l', new Linear(inChannels, outChannels, { bias, generator: g }));
    this.lin_r = root ? this.registerModule('lin_r', new Linear(inChannels, outChannels, { bias: false, generator: g })) : null;
  }

  forward(x: NodeFeatures, graph: Graph): Tensor {
    checkGraph('SAGEConv', graph);
    if (featureCount(x) !== this.inChannels || x.shape[0] !== graph.numNodes) {
      throw new Error(`SAGEConv(${this.inChannels}, ${this.outChannels}): features [${x.shape.join(', ')}] must be [${graph.numNodes}, ${this.inChannels}] for ${graph}`);
    }
    let out: Tensor;
    if (this.aggr === 'max') {
      if (x instanceof SparseMatrix) throw new Error(`SAGEConv(${this.inChannels}, ${this.outChannels}): max aggregation needs dense features; use aggr 'mean' or 'sum' with a SparseMatrix`);
      out = this.lin_l.forward(segmentMax(gather(x, graph.src), graph));
    } else {
      const weights = this.aggr === 'mean' ? graph.meanWeights() : null;
      const sparse = x instanceof SparseMatrix;
      if (sparse || this.outChannels < this.inChannels) {
        const h = sparse ? sparseLinear(x, this.lin_l.weight) : linear(x, this.lin_l.weight);
        out = spmm(graph, h, weights);
        if (this.lin_l.bias) out = add(out, this.lin_l.bias);
      } else out = this.lin_l.forward(spmm(graph, x as Tensor, weights));
    }
    if (this.lin_r) out = add(out, project(this.lin_r, x));
    if (this.normalize) out = div(out, clamp(sqrt(sum(square(out), -1, true)), 1e-12));
    return out;
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'SAGEConv',
      config: { inChannels: this.inChannels, outChannels: this.outChannels, aggr: this.aggr, rootWeight: this.lin_r !== null, normalize: this.normalize, bias: this.lin_l.bias !== null },
    };
  }
}
