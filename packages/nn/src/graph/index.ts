// Graph neural networks: graphs, sparse features, message-passing ops, layers and pooling.
import './registry.js';

export { Graph, type EdgeIndex, type GraphOptions } from './graph.js';
export { batchGraphs } from './batch.js';
export { SparseMatrix } from './sparse-matrix.js';
export { sparseLinear, type SparseLinearOptions } from './sparse-linear.js';
export { dropoutSparse, featureDropout } from './dropout.js';
export { spmm, gather, scatterAdd, segmentSoftmax, segmentSum, segmentMean, segmentMax, addSourceTarget } from './ops.js';
export { globalAddPool, globalMeanPool, globalMaxPool, type BatchLike } from './pool.js';
export { GraphModule, glorot_, type NodeFeatures } from './graph-module.js';
export { GCNConv, type GCNConvOptions } from './gcn-conv.js';
export { GATConv, type GATConvOptions, type GATResult } from './gat-conv.js';
export { SAGEConv, type SAGEConvOptions, type SageAggregation } from './sage-conv.js';
export { GINConv, type GINConvOptions } from './gin-conv.js';
