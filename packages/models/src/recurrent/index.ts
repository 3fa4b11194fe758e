export { tokens, stepIds, sampleFromLogits, type Tokens } from './tokens.js';
export { CharLanguageModel, type CharLanguageModelOptions, type GenerateOptions, type RecurrentState } from './char-lm.js';
export { SequenceClassifier, type SequenceClassifierOptions } from './sequence-classifier.js';
export { TimeSeriesForecaster, type ForecasterOptions } from './forecaster.js';
export { Seq2Seq, type Seq2SeqOptions, type DecodeOptions, type DecodeResult } from './seq2seq.js';
