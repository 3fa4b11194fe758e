/**
 * GINConv (Xu et al., 2019), with PyTorch Geometric's semantics and names:
 *   out_i = nn((1 + eps) x_i + sum over the edges j -> i of x_j)
 * `nn` is any module (an MLP); `eps` is a buffer, or a parameter with `trainEps`. Sum aggregation
 * and an injective nn make it as discriminative as the Weisfeiler-Lehman test.
 */
import type { Module, ModuleConfig } from '../modules/module.js';
import { Tensor } from '../tensor/tensor.js';
import { bool, checkOptions, num, optionKeys } from '../check/options.js';
import { add, mul } from '../functional/elementwise.js';
import { tensor } from '../functional/creation.js';
import type { Graph } from './graph.js';
import { checkGraph, spmm } from './ops.js';
import { GraphModule, type NodeFeatures } from './graph-module.js';
import { SparseMatrix } from './sparse-matrix.js';

export interface GINConvOptions {
  /** Initial eps (default 0). */
  eps?: number;
  /** Learn eps (default false). */
  trainEps?: boolean;
}
export const GIN_CONV_OPTIONS = optionKeys<GINConvOptions>({ eps: true, trainEps: true });

export class GINConv extends GraphModule {
  static override readonly typeName = 'GINConv';
  readonly nn: Module;
  readonly eps: Tensor;
  readonly trainEps: boolean;
  private readonly initialEps: number;

  constructor(nn: Module, opts: GINConvOptions = {}) {
    super();
    checkOptions('GINConv', opts, GIN_CONV_OPTIONS);
    if (nn === null || typeof nn !== 'object' || typeof (nn as { forward?: unknown }).forward !== 'function') {
      throw new TypeError('GINConv: nn must be a Module (the MLP applied after aggregation)');
    }
    this.initialEps = opts.eps === undefined ? 0 : num('GINConv', 'eps', opts.eps);
    this.trainEps = opts.trainEps === undefined ? false : bool('GINConv', 'trainEps', opts.trainEps);
    this.nn = this.registerModule('nn', nn);
    const eps = tensor([this.initialEps]);
    this.eps = this.trainEps ? this.registerParameter('eps', eps) : this.registerBuffer('eps', eps);
  }

  forward(x: NodeFeatures, graph: Graph): Tensor {
    checkGraph('GINConv', graph);
    if (x instanceof SparseMatrix) throw new Error('GINConv: takes dense features (the sum of neighbours is formed before nn)');
    if (x.ndim !== 2 || x.shape[0] !== graph.numNodes) throw new Error(`GINConv: features [${x.shape.join(', ')}] must be [${graph.numNodes}, F] for ${graph}`);
    const agg = spmm(graph, x);
    const self = this.trainEps || this.eps.data[0] !== 0 ? mul(x, add(this.eps, 1)) : x;
    return this.nn.forward(add(agg, self));
  }

  override getConfig(): ModuleConfig {
    return { type: 'GINConv', config: { eps: this.initialEps, trainEps: this.trainEps }, children: { nn: this.nn.getConfig() } };
  }
}
