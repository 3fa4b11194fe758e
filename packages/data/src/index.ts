export { loadMnist, mnistFromRaw, mnistSplit, subset, oneHot, MNIST_ROWS, MNIST_COLS, MNIST_MISSING } from './mnist.js';
export type { MnistData, SplitOptions } from './mnist.js';
export * from './sequences.js';
export * from './graph/index.js';
export { loadPlanetoid } from './graph/planetoid-node.js';
