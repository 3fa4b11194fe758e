export { GCN, type GCNOptions } from './gcn.js';
export { GAT, GAT_AVERAGE, type GATOptions } from './gat.js';
export { trainNodeClassifier, nodeAccuracy, type NodeTask, type NodeClassifier, type NodeTrainOptions, type NodeTrainResult } from './train.js';
