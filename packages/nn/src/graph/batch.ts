/**
 * Batching graphs (PyTorch Geometric's Batch.from_data_list): several graphs become one graph with
 * no edges between them, the nodes of graph g numbered after those of graphs 0..g-1. The result
 * knows the graph of each node (`batch`) and each graph's node range (`ptr`), which the global
 * pooling ops read. Node features are batched with nn.concat(features, 0) in the same order.
 */
import { describe } from '../check/options.js';
import { Graph } from './graph.js';

export function batchGraphs(graphs: readonly Graph[]): Graph {
  if (!Array.isArray(graphs) || graphs.length === 0) throw new TypeError(`batchGraphs: expected a non-empty array of Graphs, got ${describe(graphs)}`);
  let nodes = 0;
  let edges = 0;
  let weighted = false;
  graphs.forEach((g, i) => {
    if (!(g instanceof Graph)) throw new TypeError(`batchGraphs: graphs[${i}] must be a Graph, got ${describe(g)}`);
    g.checkLive();
    nodes += g.numNodes;
    edges += g.numEdges;
    weighted ||= g.edgeWeight !== null;
  });
  const src = new Int32Array(edges);
  const dst = new Int32Array(edges);
  const weight = weighted ? new Float32Array(edges) : null;
  const batch = new Int32Array(nodes);
  const ptr = new Int32Array(graphs.length + 1);
  let n0 = 0;
  let e0 = 0;
  graphs.forEach((g, i) => {
    for (let e = 0; e < g.numEdges; e++) {
      src[e0 + e] = g.src[e]! + n0;
      dst[e0 + e] = g.dst[e]! + n0;
      if (weight) weight[e0 + e] = g.edgeWeight ? g.edgeWeight[e]! : 1;
    }
    batch.fill(i, n0, n0 + g.numNodes);
    n0 += g.numNodes;
    e0 += g.numEdges;
    ptr[i + 1] = n0;
  });
  const out = new Graph([src, dst], weight ? { numNodes: nodes, edgeWeight: weight } : { numNodes: nodes });
  out.batch = batch;
  out.ptr = ptr;
  return out;
}
