/**
 * GCNConv (Kipf and Welling, 2017), with PyTorch Geometric's semantics and names: out = Â · x · Wᵀ + b,
 * Â = D^-1/2 (A + I) D^-1/2 with D the weighted in-degree of A + I (self-loops added where a node
 * has none, weight 2 with `improved`). `lin.weight` [out, in] (Glorot), `bias` [out] (zeros).
 *
 * The graph caches its own normalisation, so nothing is recomputed between epochs. `cached: true`
 * is PyG's: the layer keeps the normalised adjacency of the first graph it sees and uses it for every
 * later call (transductive learning); what it keeps is its own, freed by dispose() or resetCache().
 */
import { Linear } from '../modules/linear.js';
import type { ModuleConfig } from '../modules/module.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { bool, checkGenerator, checkOptions, int, optionKeys } from '../check/options.js';
import { add } from '../functional/elementwise.js';
import { Graph } from './graph.js';
import { checkGraph, spmm } from './ops.js';
import { featureCount, glorot_, GraphModule, project, type NodeFeatures } from './graph-module.js';

export interface GCNConvOptions {
  /** Self-loops of weight 2 (Â = A + 2I). Default false. */
  improved?: boolean;
  /** Keep the first graph's normalisation for every later call. Default false. */
  cached?: boolean;
  /** Add self-loops (where missing) before normalising. Default true. */
  addSelfLoops?: boolean;
  /** Normalise symmetrically; when false, aggregate with the graph's edge weights (or 1). Default true. */
  normalize?: boolean;
  bias?: boolean;
  generator?: Generator;
}
export const GCN_CONV_OPTIONS = optionKeys<GCNConvOptions>({ improved: true, cached: true, addSelfLoops: true, normalize: true, bias: true, generator: true });

export class GCNConv extends GraphModule {
  static override readonly typeName = 'GCNConv';
  readonly lin: Linear;
  readonly bias: Tensor | null;
  readonly improved: boolean;
  readonly cached: boolean;
  readonly addSelfLoops: boolean;
  readonly normalize: boolean;
  private cache: { graph: Graph; weights: Tensor | null } | null = null;

  constructor(readonly inChannels: number, readonly outChannels: number, opts: GCNConvOptions = {}) {
    super();
    const where = `GCNConv(${inChannels}, ${outChannels})`;
    checkOptions(where, opts, GCN_CONV_OPTIONS);
    int(where, 'inChannels', inChannels);
    int(where, 'outChannels', outChannels);
    this.improved = opts.improved === undefined ? false : bool(where, 'improved', opts.improved);
    this.cached = opts.cached === undefined ? false : bool(where, 'cached', opts.cached);
    this.addSelfLoops = opts.addSelfLoops === undefined ? true : bool(where, 'addSelfLoops', opts.addSelfLoops);
    this.normalize = opts.normalize === undefined ? true : bool(where, 'normalize', opts.normalize);
    const hasBias = opts.bias === undefined ? true : bool(where, 'bias', opts.bias);
    if (opts.generator !== undefined) checkGenerator(where, opts.generator);
    const g = opts.generator ?? defaultGenerator;
    this.lin = this.registerModule('lin', new Linear(inChannels, outChannels, { bias: false, generator: g }));
    glorot_(this.lin.weight, g);
    this.bias = this.registerParameter('bias', hasBias ? zeros_(Tensor.empty([outChannels])) : null);
  }

  forward(x: NodeFeatures, graph: Graph): Tensor {
    checkGraph('GCNConv', graph);
    if (featureCount(x) !== this.inChannels || x.shape[0] !== graph.numNodes) {
      throw new Error(`GCNConv(${this.inChannels}, ${this.outChannels}): features [${x.shape.join(', ')}] must be [${graph.numNodes}, ${this.inChannels}] for ${graph}`);
    }
    const { graph: g, weights } = this.propagation(graph);
    const out = spmm(g, project(this.lin, x), weights);
    return this.bias ? add(out, this.bias) : out;
  }

  /** The graph messages flow over and its edge weights (Â's entries), as forward uses them. */
  propagation(graph: Graph): { graph: Graph; weights: Tensor | null } {
    if (this.cache !== null) return this.cache;
    const fill = this.improved ? 2 : 1;
    const g = this.addSelfLoops ? graph.withSelfLoops({ fill }) : graph;
    if (!this.cached) return { graph: g, weights: this.normalize ? g.gcnWeights() : g.edgeWeight ? g.weightTensor() : null };
    // Cached: a graph of the layer's own, so the cache outlives the caller's graph.
    const own = new Graph([g.src, g.dst], g.edgeWeight ? { numNodes: g.numNodes, edgeWeight: g.edgeWeight } : { numNodes: g.numNodes });
    this.cache = { graph: own, weights: this.normalize ? own.gcnWeights() : own.edgeWeight ? own.weightTensor() : null };
    return this.cache;
  }

  /** Forgets the cached normalisation (cached: true) and frees it. */
  resetCache(): void {
    this.cache?.graph.dispose();
    this.cache = null;
  }

  override dispose(): void {
    this.resetCache();
    super.dispose();
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'GCNConv',
      config: {
        inChannels: this.inChannels, outChannels: this.outChannels, improved: this.improved, cached: this.cached,
        addSelfLoops: this.addSelfLoops, normalize: this.normalize, bias: this.bias !== null,
      },
    };
  }
}
