export { loadMnist, mnistFromRaw, mnistSplit, subset, oneHot, MNIST_ROWS, MNIST_COLS } from './mnist.js';
export type { MnistData, SplitOptions } from './mnist.js';
export { CharVocab, unigramEntropyBits } from './text/char-vocab.js';
export { corpusText, CORPORA, type CorpusInfo } from './text/corpus.js';
export { charLmBatches, splitStream, type LmBatch, type LmBatchOptions } from './text/lm-batches.js';
export { addingProblem, ADDING_BASELINE_MSE, type AddingBatch } from './sequence-tasks/adding.js';
export { reverseDigits, exactMatch, DIGIT_TOKENS, type ReverseBatch } from './sequence-tasks/reverse-digits.js';
export { sineSeries, type SeriesBatch } from './sequence-tasks/sine-series.js';
export { pulseSign, type PulseBatch } from './sequence-tasks/pulse-sign.js';
