/**
 * Message-passing ops with their gradients, on the sparse kernels. Node tensors are [numNodes, ...];
 * edge tensors are [numEdges, ...] with one row per edge in the graph's order (sorted by target).
 *
 * - spmm(graph, x, values?): out[i] = sum over edges j -> i of w * x[j], w one weight per edge (or per
 *   edge and head) or 1; gradients for x (through the transposed CSR) and for the weights (one dot
 *   product per edge).
 * - gather(x, index) / scatterAdd(src, index, dimSize): rows picked by index, and rows added into
 *   index (each the other's gradient).
 * - segmentSoftmax / segmentSum / segmentMean / segmentMax(src, graph): over the edges arriving at each node.
 * - addSourceTarget(graph, u, v): per edge, u[source] + v[target] (attention scores).
 */
import {
  csrAddSrcDst, fill, gatherRows, scatterAddRows, sddmmCsr, segmentBroadcast, segmentMax as segmentMaxKernel, segmentMaxBackward,
  segmentSoftmax as segmentSoftmaxKernel, segmentSoftmaxBackward, segmentSum as segmentSumKernel, spmmCsr, type Csr, type Kernels,
} from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';
import { toIndices, type IndexArray } from '../check/indices.js';
import { describe } from '../check/options.js';
import { Graph } from './graph.js';

export function checkGraph(op: string, graph: unknown): Graph {
  if (!(graph instanceof Graph)) throw new TypeError(`${op}: graph must be a Graph (new nn.Graph(edgeIndex)), got ${describe(graph)}`);
  graph.checkLive();
  return graph;
}

/** Floats per row of a tensor whose first axis is `rows` (checked). */
function rowSize(op: string, what: string, t: Tensor, rows: number, rowsAre: string): number {
  if (t.ndim === 0 || t.shape[0] !== rows) {
    throw new Error(`${op}: ${what} ${formatShape(t.shape)} must have one row per ${rowsAre} (${rows} rows)`);
  }
  return sizeOf(t.shape.slice(1));
}

/** Heads of per-edge weights: values [E] (1) or [E, H]. */
function headsOf(op: string, graph: Graph, values: Tensor): number {
  if (values.ndim < 1 || values.ndim > 2 || values.shape[0] !== graph.numEdges) {
    throw new Error(`${op}: edge values ${formatShape(values.shape)} must be [E] or [E, heads] with E = ${graph.numEdges} edges of ${graph}`);
  }
  return values.ndim === 2 ? values.shape[1]! : 1;
}

/** Runs body with idx copied into a temporary i32 block of kernel memory. */
export function withIndexBuffer<T>(k: Kernels, idx: Int32Array, body: (ptr: number) => T): T {
  const p = k.arena.alloc(Math.max(1, idx.length) * 4);
  try {
    k.arena.i32(p, idx.length).set(idx);
    return body(p);
  } finally {
    k.arena.free(p);
  }
}

/**
 * out[i] = sum over the edges j -> i of w(j -> i) x[j]: A·x with A[target, source]. x is [N, ...];
 * values (optional) are [E] or [E, heads] (then each row of x is heads equal parts, each weighted by
 * its head's value: a multi-head attention layer aggregates every head in one call).
 */
export const spmm = defineOp('spmm', 'graph:any x values:tensor?', function spmm(graph: Graph, x: Tensor, values?: Tensor | null): Tensor {
  checkGraph('spmm', graph);
  const F = rowSize('spmm', 'x', x, graph.numNodes, 'node');
  const heads = values ? headsOf('spmm', graph, values) : 1;
  if (F % heads !== 0) throw new Error(`spmm: rows of x ${formatShape(x.shape)} (${F} floats) do not split into ${heads} heads`);
  const dim = F / heads;
  const k = x.k;
  const ix = graph.kernelIndices(k);
  const out = Tensor.empty(x.shape);
  spmmCsr(k, ix.csr, out.ptr, x.ptr, values ? values.ptr : 0, heads, dim);
  const inputs = values ? [x, values] : [x];
  return recordOp(
    out,
    'spmm',
    inputs,
    (g) => {
      let gx: Tensor | null = null;
      let gv: Tensor | null = null;
      if (x.requiresGrad) {
        gx = Tensor.empty(x.shape);
        // Aᵀ's weights are A's, read in place through the edge id of each transposed position.
        spmmCsr(k, ix.csrT, gx.ptr, g.ptr, values ? values.ptr : 0, heads, dim, { valuesAt: ix.csrTEdges });
      }
      if (values?.requiresGrad) {
        gv = Tensor.empty(values.shape);
        sddmmCsr(k, ix.csr, gv.ptr, g.ptr, x.ptr, heads, dim);
      }
      return values ? [gx, gv] : [gx];
    },
    inputs,
  );
});

function readIndex(op: string, index: unknown, rows: number, what: string): Int32Array {
  return toIndices(op, index, { classes: rows, item: 'index', noun: 'row index', range: `[0, ${rows}) (${rows} ${what})` });
}

/** Rows of x picked by index: out[e] = x[index[e]] (torch.index_select(x, 0, index)); the gradient scatter-adds. */
export const gather = defineOp('gather', 'x index:any', function gather(x: Tensor, index: IndexArray): Tensor {
  if (x.ndim === 0) throw new Error('gather: x must have at least one dimension');
  const rows = x.shape[0]!;
  const idx = readIndex('gather', index, rows, 'rows of x');
  const F = sizeOf(x.shape.slice(1));
  const k = x.k;
  const out = Tensor.empty([idx.length, ...x.shape.slice(1)]);
  withIndexBuffer(k, idx, (p) => gatherRows(k, out.ptr, x.ptr, rows, F, p, idx.length));
  return recordOp(out, 'gather', [x], (g) => {
    const gx = Tensor.empty(x.shape);
    fill(k, gx.ptr, gx.size, 0);
    withIndexBuffer(k, idx, (p) => scatterAddRows(k, gx.ptr, rows, F, g.ptr, p, idx.length));
    return [gx];
  });
});

/** out [dimSize, ...]: out[index[e]] += src[e] (PyG's scatter with reduce 'sum'); the gradient gathers. */
export const scatterAdd = defineOp('scatterAdd', 'src index:any dimSize:number', function scatterAdd(src: Tensor, index: IndexArray, dimSize: number): Tensor {
  if (!Number.isSafeInteger(dimSize) || dimSize < 0) throw new RangeError(`scatterAdd: dimSize must be a non-negative integer, got ${describe(dimSize)}`);
  if (src.ndim === 0) throw new Error('scatterAdd: src must have at least one dimension');
  const idx = readIndex('scatterAdd', index, dimSize, 'rows of the output');
  if (idx.length !== src.shape[0]) throw new Error(`scatterAdd: ${idx.length} indices for src ${formatShape(src.shape)}: one per row`);
  const F = sizeOf(src.shape.slice(1));
  const k = src.k;
  const out = Tensor.empty([dimSize, ...src.shape.slice(1)]);
  fill(k, out.ptr, out.size, 0);
  withIndexBuffer(k, idx, (p) => scatterAddRows(k, out.ptr, dimSize, F, src.ptr, p, idx.length));
  return recordOp(out, 'scatterAdd', [src], (g) => {
    const gs = Tensor.empty(src.shape);
    withIndexBuffer(k, idx, (p) => gatherRows(k, gs.ptr, g.ptr, dimSize, F, p, idx.length));
    return [gs];
  });
});

/** Softmax over the edges arriving at each node, per column: scores [E] or [E, heads]. */
export const segmentSoftmax = defineOp('segmentSoftmax', 'scores graph:any', function segmentSoftmax(scores: Tensor, graph: Graph): Tensor {
  checkGraph('segmentSoftmax', graph);
  const heads = rowSize('segmentSoftmax', 'scores', scores, graph.numEdges, 'edge') || 1;
  const k = scores.k;
  const { csr } = graph.kernelIndices(k);
  const out = Tensor.empty(scores.shape);
  segmentSoftmaxKernel(k, csr, out.ptr, scores.ptr, heads);
  return recordOp(
    out,
    'segmentSoftmax',
    [scores],
    (g) => {
      const gs = Tensor.empty(scores.shape);
      segmentSoftmaxBackward(k, csr, gs.ptr, out.ptr, g.ptr, heads);
      return [gs];
    },
    [out],
  );
});

/** Sum or mean over the segments of csr (rows of src are its entries, in order); out [csr.rows, ...]. */
export function segmentReduce(op: string, src: Tensor, csr: Csr, mean: boolean, keepAlive: Tensor[] = []): Tensor {
  const F = sizeOf(src.shape.slice(1));
  const k = src.k;
  const out = Tensor.empty([csr.rows, ...src.shape.slice(1)]);
  segmentSumKernel(k, csr, out.ptr, src.ptr, F, mean);
  return recordOp(
    out,
    op,
    [src],
    (g) => {
      const gs = Tensor.empty(src.shape);
      segmentBroadcast(k, csr, gs.ptr, g.ptr, F, mean);
      return [gs];
    },
    keepAlive,
  );
}

/** Max over the segments of csr, the gradient going to the first maximal entry; empty segments give 0. */
export function segmentMaxReduce(op: string, src: Tensor, csr: Csr, keepAlive: Tensor[] = []): Tensor {
  const F = sizeOf(src.shape.slice(1));
  const k = src.k;
  const out = Tensor.empty([csr.rows, ...src.shape.slice(1)]);
  // The arg-max is i32 data; a tensor's memory holds it, so the gradient graph owns and frees it.
  const arg = Tensor.empty([csr.rows * F]);
  segmentMaxKernel(k, csr, out.ptr, arg.ptr, src.ptr, F);
  if (!src.tracksGrad) {
    arg.dispose();
    return out;
  }
  return recordOp(
    out,
    op,
    [src],
    (g) => {
      const gs = Tensor.empty(src.shape);
      fill(k, gs.ptr, gs.size, 0);
      segmentMaxBackward(k, csr, gs.ptr, g.ptr, arg.ptr, F);
      return [gs];
    },
    [arg, ...keepAlive],
  );
}

/** Sum over the edges arriving at each node: src [E, ...] -> [N, ...] (nodes without edges get 0). */
export const segmentSum = defineOp('segmentSum', 'src graph:any', function segmentSum(src: Tensor, graph: Graph): Tensor {
  checkGraph('segmentSum', graph);
  rowSize('segmentSum', 'src', src, graph.numEdges, 'edge');
  return segmentReduce('segmentSum', src, graph.kernelIndices(src.k).csr, false);
});

/** Mean over the edges arriving at each node (nodes without edges get 0). */
export const segmentMean = defineOp('segmentMean', 'src graph:any', function segmentMean(src: Tensor, graph: Graph): Tensor {
  checkGraph('segmentMean', graph);
  rowSize('segmentMean', 'src', src, graph.numEdges, 'edge');
  return segmentReduce('segmentMean', src, graph.kernelIndices(src.k).csr, true);
});

/** Max over the edges arriving at each node (nodes without edges get 0, as PyG's scatter max). */
export const segmentMax = defineOp('segmentMax', 'src graph:any', function segmentMax(src: Tensor, graph: Graph): Tensor {
  checkGraph('segmentMax', graph);
  rowSize('segmentMax', 'src', src, graph.numEdges, 'edge');
  return segmentMaxReduce('segmentMax', src, graph.kernelIndices(src.k).csr);
});

/** Per edge j -> i: out[e] = u[j] + v[i] (u, v [N, ...] of the same shape; out [E, ...]). */
export const addSourceTarget = defineOp('addSourceTarget', 'graph:any u v', function addSourceTarget(graph: Graph, u: Tensor, v: Tensor): Tensor {
  checkGraph('addSourceTarget', graph);
  const F = rowSize('addSourceTarget', 'u', u, graph.numNodes, 'node');
  if (v.shape.length !== u.shape.length || v.shape.some((d, i) => d !== u.shape[i])) {
    throw new Error(`addSourceTarget: u ${formatShape(u.shape)} and v ${formatShape(v.shape)} must have the same shape`);
  }
  const k = u.k;
  const ix = graph.kernelIndices(k);
  const out = Tensor.empty([graph.numEdges, ...u.shape.slice(1)]);
  csrAddSrcDst(k, ix.csr, out.ptr, u.ptr, v.ptr, F);
  return recordOp(out, 'addSourceTarget', [u, v], (g) => {
    let gu: Tensor | null = null;
    let gv: Tensor | null = null;
    if (u.requiresGrad) {
      gu = Tensor.empty(u.shape);
      spmmCsr(k, ix.csrTEdges, gu.ptr, g.ptr, 0, 1, F);
    }
    if (v.requiresGrad) {
      gv = Tensor.empty(v.shape);
      segmentSumKernel(k, ix.csr, gv.ptr, g.ptr, F);
    }
    return [gu, gv];
  });
});
