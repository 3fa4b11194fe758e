/**
 * Global pooling for graph classification (PyTorch Geometric's global_add_pool, global_mean_pool,
 * global_max_pool): one row per graph of a batch, the sum, mean or max of its nodes' rows. The
 * batch is a batched Graph (batchGraphs) or a vector giving each node's graph; nodes need not be
 * sorted by graph (they are gathered into order first when they are not). Graphs without nodes
 * give zeros.
 */
import type { Csr } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';
import { toIndices, type IndexArray } from '../check/indices.js';
import { describe } from '../check/options.js';
import { Graph } from './graph.js';
import { gather, segmentMaxReduce, segmentReduce } from './ops.js';

/** A graph's nodes, or a batch vector (one graph index per node). */
export type BatchLike = Graph | IndexArray;

/**
 * Segments of a batch in kernel memory: `rows` graphs, each a range of (sorted) nodes. The i32 data
 * lives in a tensor's memory, so the gradient graph that saves it owns it.
 */
function segments(op: string, x: Tensor, batch: BatchLike, size: number | undefined): { csr: Csr; holder: Tensor; order: Int32Array | null } {
  let b: Int32Array;
  if (batch instanceof Graph) {
    batch.checkLive();
    if (batch.batch === null) b = new Int32Array(batch.numNodes); // one graph
    else b = batch.batch;
  } else b = toIndices(op, batch, { classes: Infinity, item: 'batch index', noun: 'graph index' });
  if (b.length !== x.shape[0]) throw new Error(`${op}: ${b.length} batch entries for x ${formatShape(x.shape)}: one per node`);
  let graphs = 0;
  for (let i = 0; i < b.length; i++) graphs = Math.max(graphs, b[i]! + 1);
  if (batch instanceof Graph && batch.ptr !== null) graphs = batch.ptr.length - 1;
  if (size !== undefined) {
    if (!Number.isSafeInteger(size) || size < graphs) throw new RangeError(`${op}: size must be an integer >= ${graphs} (the graphs in the batch), got ${describe(size)}`);
    graphs = size;
  }
  const n = b.length;
  const rowptr = new Int32Array(graphs + 1);
  for (let i = 0; i < n; i++) rowptr[b[i]! + 1]!++;
  for (let g = 0; g < graphs; g++) rowptr[g + 1]! += rowptr[g]!;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = b[i]! >= b[i - 1]!;
  let order: Int32Array | null = null;
  if (!sorted) {
    const next = rowptr.slice(0, graphs);
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[next[b[i]!]!++] = i;
  }
  const k = x.k;
  const holder = Tensor.empty([graphs + 1 + n]);
  const view = k.arena.i32(holder.ptr, graphs + 1 + n);
  view.set(rowptr);
  for (let i = 0; i < n; i++) view[graphs + 1 + i] = i;
  const csr: Csr = {
    k, rows: graphs, cols: n, nnz: n, rowptr: holder.ptr, col: holder.ptr + (graphs + 1) * 4,
    get live() {
      return !holder.isDisposed;
    },
  };
  return { csr, holder, order };
}

function pool(op: string, x: Tensor, batch: BatchLike, size: number | undefined, how: 'sum' | 'mean' | 'max'): Tensor {
  if (x.ndim === 0) throw new Error(`${op}: x must be [nodes, ...], got a scalar`);
  const { csr, holder, order } = segments(op, x, batch, size);
  const src = order === null ? x : gather(x, order);
  const out = how === 'max' ? segmentMaxReduce(op, src, csr, [holder]) : segmentReduce(op, src, csr, how === 'mean', [holder]);
  if (!out.requiresGrad) holder.dispose();
  return out;
}

/** Sum of each graph's node rows: x [N, ...] -> [graphs, ...]. */
export const globalAddPool = defineOp('globalAddPool', 'x batch:any size:number?', function globalAddPool(x: Tensor, batch: BatchLike, size?: number): Tensor {
  return pool('globalAddPool', x, batch, size, 'sum');
});

/** Mean of each graph's node rows (0 for a graph without nodes). */
export const globalMeanPool = defineOp('globalMeanPool', 'x batch:any size:number?', function globalMeanPool(x: Tensor, batch: BatchLike, size?: number): Tensor {
  return pool('globalMeanPool', x, batch, size, 'mean');
});

/** Max of each graph's node rows, per column (0 for a graph without nodes); the gradient goes to the first maximum. */
export const globalMaxPool = defineOp('globalMaxPool', 'x batch:any size:number?', function globalMaxPool(x: Tensor, batch: BatchLike, size?: number): Tensor {
  return pool('globalMaxPool', x, batch, size, 'max');
});
