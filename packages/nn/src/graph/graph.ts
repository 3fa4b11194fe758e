/**
 * Graph: the edges of a graph (PyTorch Geometric's edge_index: messages flow from edge_index[0], the
 * source, to edge_index[1], the target) in the forms the sparse kernels read, built once and cached.
 *
 * Edges are kept sorted by target (a stable counting sort), so the edges arriving at node i are the
 * range rowptr[i] .. rowptr[i+1] of `src`: that is the CSR of the adjacency A[target, source], and
 * every per-edge tensor (weights, attention scores) has one row per edge in this order. `edgeOrder`
 * maps them back to the order the edges were given in. The transposed CSR (edges by source) is built
 * once for the backward passes. Derived graphs (with self-loops) and normalisations (GCN's
 * D^-1/2 (A + I) D^-1/2, mean weights) are cached too: a graph never changes once built.
 *
 * What lives in kernel memory (the CSR indices, cached weights) is freed by dispose(), and by the
 * garbage collector if a graph is dropped without it. Batched graphs (batchGraphs) also carry the
 * graph of each node (`batch`) and the node ranges of the graphs (`ptr`).
 */
import { csrToKernels, freeCsr, type Csr, type Kernels } from '@deepwasm/kernels';
import { kernels } from '../backend.js';
import { Tensor } from '../tensor/tensor.js';
import { toIndices } from '../check/indices.js';
import { checkOptions, describe, int, optionKeys } from '../check/options.js';

/** PyTorch Geometric's edge_index: [sources, targets], or a [2, E] tensor of whole numbers. */
export type EdgeIndex = readonly [ArrayLike<number>, ArrayLike<number>] | Tensor;

export interface GraphOptions {
  /** Node count (default: the largest index + 1). */
  numNodes?: number;
  /** One weight per edge, in the order the edges are given (default: none, i.e. all 1). */
  edgeWeight?: ArrayLike<number> | Tensor;
}
const GRAPH_OPTIONS = optionKeys<GraphOptions>({ numNodes: true, edgeWeight: true });

/** The kernel-memory indices of a graph for one kernel module. */
interface Indices {
  /** rowptr by target, source per edge: A[target, source]. */
  csr: Csr;
  /** rowptr by source, target per position: Aᵀ. */
  csrT: Csr;
  /** rowptr by source, edge id per position: sums of per-edge rows over each source's edges, and where Aᵀ's weights are. */
  csrTEdges: Csr;
}

const finalizer =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Map<Kernels, Indices>>((m) => m.forEach(freeIndices)) : null;

function freeIndices(ix: Indices): void {
  for (const c of [ix.csr, ix.csrT, ix.csrTEdges]) freeCsr(c);
}

/** A stable counting sort of 0..n-1 by key (values in [0, buckets)): returns [order, pointers]. */
function sortBy(key: Int32Array, buckets: number): [Int32Array, Int32Array] {
  const ptr = new Int32Array(buckets + 1);
  for (let e = 0; e < key.length; e++) ptr[key[e]! + 1]!++;
  for (let i = 0; i < buckets; i++) ptr[i + 1]! += ptr[i]!;
  const next = ptr.slice(0, buckets);
  const order = new Int32Array(key.length);
  for (let e = 0; e < key.length; e++) order[next[key[e]!]!++] = e;
  return [order, ptr];
}

export class Graph {
  readonly numNodes: number;
  readonly numEdges: number;
  /** Source and target of each edge, sorted by target (stable). */
  readonly src: Int32Array;
  readonly dst: Int32Array;
  /** Edges arriving at node i: rowptr[i] .. rowptr[i + 1] - 1. */
  readonly rowptr: Int32Array;
  /** For each edge (in this order), its position in the edge list given. */
  readonly edgeOrder: Int32Array;
  /** Edge weights in this order, or null (all 1). */
  readonly edgeWeight: Float32Array | null;
  /** Edges leaving node j: positions tptr[j] .. tptr[j + 1] - 1 of tEdge (edge ids). */
  readonly tptr: Int32Array;
  readonly tEdge: Int32Array;
  /** Batched graphs: the graph of each node, and graph g's nodes ptr[g] .. ptr[g + 1] - 1. */
  batch: Int32Array | null = null;
  ptr: Int32Array | null = null;

  /** Per kernel module: the CSR indices in its memory and the cached tensors. */
  private readonly indices = new Map<Kernels, Indices>();
  private readonly tensors = new Map<Kernels, Map<string, Tensor>>();
  private readonly derived = new Map<string, Graph>();
  private disposed = false;

  constructor(edgeIndex: EdgeIndex, opts: GraphOptions = {}) {
    checkOptions('Graph', opts, GRAPH_OPTIONS);
    let s: Int32Array;
    let t: Int32Array;
    const limit = opts.numNodes === undefined ? Infinity : int('Graph', 'numNodes', opts.numNodes, 0);
    const check = { classes: limit, item: 'node', noun: 'node index', range: limit === Infinity ? undefined : `[0, ${limit}) (numNodes ${limit})` };
    if (edgeIndex instanceof Tensor) {
      if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2) throw new Error(`Graph: edgeIndex must be [2, E], got [${edgeIndex.shape.join(', ')}]`);
      const all = toIndices('Graph', edgeIndex, check);
      const E = edgeIndex.shape[1]!;
      [s, t] = [all.slice(0, E), all.slice(E)];
    } else {
      if (!Array.isArray(edgeIndex) || edgeIndex.length !== 2) {
        throw new TypeError(`Graph: edgeIndex must be [sources, targets] or a [2, E] tensor, got ${describe(edgeIndex)}`);
      }
      s = Int32Array.from(toIndices('Graph', edgeIndex[0], { ...check, item: 'source node' }));
      t = Int32Array.from(toIndices('Graph', edgeIndex[1], { ...check, item: 'target node' }));
      if (s.length !== t.length) throw new Error(`Graph: ${s.length} sources but ${t.length} targets`);
    }
    let n = opts.numNodes ?? 0;
    if (opts.numNodes === undefined) for (let e = 0; e < s.length; e++) n = Math.max(n, s[e]! + 1, t[e]! + 1);
    this.numNodes = n;
    this.numEdges = s.length;
    const [order, rowptr] = sortBy(t, n);
    this.edgeOrder = order;
    this.rowptr = rowptr;
    this.src = order.map((e) => s[e]!);
    this.dst = order.map((e) => t[e]!);
    this.edgeWeight = null;
    if (opts.edgeWeight !== undefined) {
      const w = opts.edgeWeight instanceof Tensor ? opts.edgeWeight.data : opts.edgeWeight;
      if (w === null || typeof w !== 'object' || typeof w.length !== 'number') throw new TypeError(`Graph: edgeWeight must be numbers, one per edge, got ${describe(w)}`);
      if (w.length !== s.length) throw new Error(`Graph: ${w.length} edge weights for ${s.length} edges`);
      const ws = new Float32Array(s.length);
      for (let e = 0; e < s.length; e++) {
        const v = w[order[e]!];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`Graph: edge weight ${describe(v)} at position ${order[e]} is not a finite number`);
        ws[e] = v;
      }
      this.edgeWeight = ws;
    }
    [this.tEdge, this.tptr] = sortBy(this.src, n);
    finalizer?.register(this, this.indices, this);
  }

  /** Every edge in both directions (an edge listed once becomes two; self-loops stay one). */
  static undirected(src: ArrayLike<number>, dst: ArrayLike<number>, numNodes?: number): Graph {
    const s: number[] = [];
    const t: number[] = [];
    for (let e = 0; e < src.length; e++) {
      s.push(src[e]!);
      t.push(dst[e]!);
      if (src[e] !== dst[e]) {
        s.push(dst[e]!);
        t.push(src[e]!);
      }
    }
    return new Graph([s, t], numNodes === undefined ? {} : { numNodes });
  }

  /** Number of edges arriving at each node. */
  inDegree(): Int32Array {
    return Int32Array.from({ length: this.numNodes }, (_, i) => this.rowptr[i + 1]! - this.rowptr[i]!);
  }

  /** The kernel-memory CSR indices for k (made on first use, validated once). */
  kernelIndices(k: Kernels = kernels()): Indices {
    this.checkLive();
    let ix = this.indices.get(k);
    if (ix === undefined) {
      const n = this.numNodes;
      const E = this.numEdges;
      const tDst = this.tEdge.map((e) => this.dst[e]!);
      ix = {
        csr: csrToKernels(k, this.rowptr, this.src, n, n),
        csrT: csrToKernels(k, this.tptr, tDst, n, n),
        csrTEdges: csrToKernels(k, this.tptr, this.tEdge, n, E),
      };
      this.indices.set(k, ix);
    }
    return ix;
  }

  /**
   * This graph with a self-loop on every node that has none (PyG's add_remaining_self_loops, weight
   * `fill`; existing self-loops keep theirs); with `replace`, every existing self-loop is removed first
   * and one added per node (PyG's remove_self_loops + add_self_loops). Cached.
   */
  withSelfLoops(opts: { fill?: number; replace?: boolean } = {}): Graph {
    const fill = opts.fill ?? 1;
    const key = `loops:${fill}:${opts.replace === true}`;
    this.checkLive();
    let derived = this.derived.get(key);
    if (derived !== undefined) return derived;
    derived = (() => {
      const s: number[] = [];
      const t: number[] = [];
      const w: number[] = [];
      const has = new Uint8Array(this.numNodes);
      for (let e = 0; e < this.numEdges; e++) {
        const loop = this.src[e] === this.dst[e];
        if (loop && opts.replace) continue;
        if (loop) has[this.src[e]!] = 1;
        s.push(this.src[e]!);
        t.push(this.dst[e]!);
        w.push(this.edgeWeight ? this.edgeWeight[e]! : 1);
      }
      for (let i = 0; i < this.numNodes; i++) {
        if (has[i]) continue;
        s.push(i);
        t.push(i);
        w.push(fill);
      }
      const g = new Graph([s, t], { numNodes: this.numNodes, ...(this.edgeWeight || fill !== 1 ? { edgeWeight: w } : {}) });
      g.batch = this.batch;
      g.ptr = this.ptr;
      return g;
    })();
    this.derived.set(key, derived);
    return derived;
  }

  /**
   * GCN's symmetric normalisation of this graph's edges: w(j -> i) / sqrt(deg(i) deg(j)), deg the
   * weighted in-degree (PyG's gcn_norm without the self-loops, which withSelfLoops adds). A kept
   * tensor [E] in edge order, owned by the graph. Cached.
   */
  gcnWeights(): Tensor {
    return this.cachedTensor('gcn', () => {
      const deg = new Float64Array(this.numNodes);
      const w = (e: number) => (this.edgeWeight ? this.edgeWeight[e]! : 1);
      for (let e = 0; e < this.numEdges; e++) deg[this.dst[e]!] += w(e);
      const dis = deg.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
      return this.edgeTensor((e) => dis[this.src[e]!]! * w(e) * dis[this.dst[e]!]!);
    });
  }

  /** 1 / in-degree of each edge's target: spmm with these weights averages over the neighbours. Cached. */
  meanWeights(): Tensor {
    return this.cachedTensor('mean', () => this.edgeTensor((e) => 1 / (this.rowptr[this.dst[e]! + 1]! - this.rowptr[this.dst[e]!]!)));
  }

  /** The edge weights as a kept tensor [E] (all 1 when the graph has none). Cached. */
  weightTensor(): Tensor {
    return this.cachedTensor('weight', () => this.edgeTensor((e) => (this.edgeWeight ? this.edgeWeight[e]! : 1)));
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees the kernel-memory indices, cached tensors and derived graphs. The graph cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.indices.forEach(freeIndices);
    this.indices.clear();
    this.tensors.forEach((m) => m.forEach((t) => t.dispose()));
    this.tensors.clear();
    this.derived.forEach((g) => g.dispose());
    this.derived.clear();
    finalizer?.unregister(this);
  }

  toString(): string {
    return `Graph(${this.numNodes} nodes, ${this.numEdges} edges${this.batch ? `, ${this.ptr!.length - 1} graphs` : ''})`;
  }

  checkLive(): void {
    if (this.disposed) throw new Error(`${this}: the graph was disposed; build it again (new Graph(...)) to use it`);
  }

  private edgeTensor(f: (e: number) => number): Tensor {
    const t = Tensor.empty([this.numEdges]).keep();
    const d = t.data;
    for (let e = 0; e < this.numEdges; e++) d[e] = f(e);
    return t;
  }

  /** A kept tensor made once per kernel module (tests switch between the two builds). */
  private cachedTensor(key: string, make: () => Tensor): Tensor {
    this.checkLive();
    const k = kernels();
    let m = this.tensors.get(k);
    if (m === undefined) this.tensors.set(k, (m = new Map()));
    let t = m.get(key);
    if (t === undefined || t.isDisposed) m.set(key, (t = make()));
    return t;
  }
}
