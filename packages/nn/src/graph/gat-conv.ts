/**
 * GATConv (Veličković et al., 2018), with PyTorch Geometric's semantics and names: per head h,
 *   e(j -> i) = LeakyReLU(att_src[h] · W x_j + att_dst[h] · W x_i, 0.2),
 *   α(j -> i) = softmax of e over the edges arriving at i (self-loops included), dropped out in training,
 *   out_i = sum_j α(j -> i) W x_j, the heads concatenated ([N, heads * out]) or averaged ([N, out]), + bias.
 * `lin.weight` [heads * out, in], `att_src` and `att_dst` [1, heads, out] (Glorot), `bias` (zeros).
 * Self-loops: existing ones are replaced by one per node, as PyG does. Every head is aggregated in
 * one spmm call (one weight per edge and head).
 */
import { Linear } from '../modules/linear.js';
import type { ModuleConfig } from '../modules/module.js';
import { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { zeros_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { bool, checkGenerator, checkOptions, int, num, optionKeys } from '../check/options.js';
import { add, mul } from '../functional/elementwise.js';
import { leakyRelu } from '../functional/activations.js';
import { mean, sum } from '../functional/reduce.js';
import { reshape } from '../functional/shape-ops.js';
import { dropout } from '../functional/dropout.js';
import type { Graph } from './graph.js';
import { addSourceTarget, checkGraph, segmentSoftmax, spmm } from './ops.js';
import { featureCount, glorot_, GraphModule, project, type NodeFeatures } from './graph-module.js';

export interface GATConvOptions {
  /** Attention heads (default 1). */
  heads?: number;
  /** Concatenate the heads (default true) or average them. */
  concat?: boolean;
  /** LeakyReLU slope of the scores (default 0.2). */
  negativeSlope?: number;
  /** Dropout on the attention coefficients in training (default 0). */
  dropout?: number;
  /** Replace self-loops by one per node (default true). */
  addSelfLoops?: boolean;
  bias?: boolean;
  generator?: Generator;
}
export const GAT_CONV_OPTIONS = optionKeys<GATConvOptions>({
  heads: true, concat: true, negativeSlope: true, dropout: true, addSelfLoops: true, bias: true, generator: true,
});

/** A forward pass with what the attention did: α [E, heads] over the edges of `graph` (its order). */
export interface GATResult {
  out: Tensor;
  attention: Tensor;
  graph: Graph;
}

export class GATConv extends GraphModule {
  static override readonly typeName = 'GATConv';
  readonly lin: Linear;
  readonly att_src: Tensor;
  readonly att_dst: Tensor;
  readonly bias: Tensor | null;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly dropout: number;
  readonly addSelfLoops: boolean;
  private readonly generator: Generator;

  constructor(readonly inChannels: number, readonly outChannels: number, opts: GATConvOptions = {}) {
    super();
    const where = `GATConv(${inChannels}, ${outChannels})`;
    checkOptions(where, opts, GAT_CONV_OPTIONS);
    int(where, 'inChannels', inChannels);
    int(where, 'outChannels', outChannels);
    this.heads = opts.heads === undefined ? 1 : int(where, 'heads', opts.heads);
    this.concat = opts.concat === undefined ? true : bool(where, 'concat', opts.concat);
    this.negativeSlope = opts.negativeSlope === undefined ? 0.2 : num(where, 'negativeSlope', opts.negativeSlope);
    this.dropout = opts.dropout === undefined ? 0 : num(where, 'dropout', opts.dropout, 0, 1);
    this.addSelfLoops = opts.addSelfLoops === undefined ? true : bool(where, 'addSelfLoops', opts.addSelfLoops);
    const hasBias = opts.bias === undefined ? true : bool(where, 'bias', opts.bias);
    if (opts.generator !== undefined) checkGenerator(where, opts.generator);
    const g = (this.generator = opts.generator ?? defaultGenerator);
    const H = this.heads;
    const C = outChannels;
    this.lin = this.registerModule('lin', new Linear(inChannels, H * C, { bias: false, generator: g }));
    glorot_(this.lin.weight, g);
    this.att_src = this.registerParameter('att_src', glorot_(Tensor.empty([1, H, C]), g));
    this.att_dst = this.registerParameter('att_dst', glorot_(Tensor.empty([1, H, C]), g));
    this.bias = this.registerParameter('bias', hasBias ? zeros_(Tensor.empty([this.concat ? H * C : C])) : null);
  }

  forward(x: NodeFeatures, graph: Graph): Tensor {
    return this.run(x, graph).out;
  }

  /** forward, also returning the attention coefficients α [E, heads] and the graph they belong to. */
  attend(x: NodeFeatures, graph: Graph): GATResult {
    return tidy(() => this.run(x, graph));
  }

  private run(x: NodeFeatures, graph: Graph): GATResult {
    checkGraph('GATConv', graph);
    const N = graph.numNodes;
    if (featureCount(x) !== this.inChannels || x.shape[0] !== N) {
      throw new Error(`GATConv(${this.inChannels}, ${this.outChannels}): features [${x.shape.join(', ')}] must be [${N}, ${this.inChannels}] for ${graph}`);
    }
    const H = this.heads;
    const C = this.outChannels;
    const h = project(this.lin, x);
    const h3 = reshape(h, [N, H, C]);
    const aSrc = sum(mul(h3, this.att_src), -1);
    const aDst = sum(mul(h3, this.att_dst), -1);
    const g = this.addSelfLoops ? graph.withSelfLoops({ replace: true }) : graph;
    const scores = leakyRelu(addSourceTarget(g, aSrc, aDst), this.negativeSlope);
    const attention = segmentSoftmax(scores, g);
    const alpha = dropout(attention, this.dropout, this.training, this.generator);
    let out = spmm(g, h, alpha);
    if (!this.concat) out = mean(reshape(out, [N, H, C]), 1);
    if (this.bias) out = add(out, this.bias);
    return { out, attention, graph: g };
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'GATConv',
      config: {
        inChannels: this.inChannels, outChannels: this.outChannels, heads: this.heads, concat: this.concat, negativeSlope: this.negativeSlope,
        dropout: this.dropout, addSelfLoops: this.addSelfLoops, bias: this.bias !== null,
      },
    };
  }
}
