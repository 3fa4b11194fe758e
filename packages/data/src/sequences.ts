// Text corpora and synthetic sequence tasks: no Node-only imports, so browsers can load this entry
// alone (`@deepwasm/data/sequences`); the package root adds MNIST, which reads the mnist package.
export { CharVocab, unigramEntropyBits } from './text/char-vocab.js';
export { corpusText, CORPORA, type CorpusInfo } from './text/corpus.js';
export { charLmBatches, splitStream, type LmBatch, type LmBatchOptions } from './text/lm-batches.js';
export { addingProblem, ADDING_BASELINE_MSE, type AddingBatch } from './sequence-tasks/adding.js';
export { reverseDigits, exactMatch, DIGIT_TOKENS, type ReverseBatch } from './sequence-tasks/reverse-digits.js';
export { sineSeries, type SeriesBatch } from './sequence-tasks/sine-series.js';
export { pulseSign, type PulseBatch } from './sequence-tasks/pulse-sign.js';
