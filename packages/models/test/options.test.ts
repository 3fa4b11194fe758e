/** Presets check their options like the layers do: unknown keys (with the likely intended one) and bad choices fail at once. */
import { beforeAll, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { CharLanguageModel, Seq2Seq, SequenceClassifier, TimeSeriesForecaster, alexnet, googlenet, lenet5, resnet, tokens, vgg } from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

const any = (v: unknown): never => v as never;

it.each([
  ['lenet5 { numclasses }', () => lenet5(any({ numclasses: 10 })), /^lenet5: unknown option "numclasses"; did you mean "numClasses"\?/],
  ['lenet5 activation "sigmoid"', () => lenet5(any({ activation: 'sigmoid' })), /^lenet5: activation must be 'relu' or 'tanh', got string "sigmoid"/],
  ['lenet5 pooling "average"', () => lenet5(any({ pooling: 'average' })), /^lenet5: pooling must be 'max' or 'avg', got string "average"/],
  ['lenet5 inputSize 30', () => lenet5(any({ inputSize: 30 })), /^lenet5: inputSize must be 28 or 32, got 30/],
  ['lenet5 connectionTable "yes"', () => lenet5(any({ connectionTable: 'yes' })), /^lenet5: connectionTable must be true or false, got string "yes"/],
  ['alexnet { num_classes }', () => alexnet(any({ num_classes: 10 })), /^alexnet: unknown option "num_classes"; did you mean "numClasses"\?/],
  ['vgg { batch_norm }', () => vgg(11, any({ batch_norm: true })), /^vgg: unknown option "batch_norm"; did you mean "batchNorm"\?/],
  ['googlenet variant "v1"', () => googlenet(any({ variant: 'v1' })), /^googlenet: variant must be 'torchvision' or 'paper', got string "v1"/],
  ['resnet { dropout }', () => resnet(18, any({ dropout: 0.5 })), /^resnet: unknown option "dropout"; the options are numClasses, inChannels/],
  ['CharLanguageModel { hidden_size }', () => new CharLanguageModel(any({ vocabSize: 5, hidden_size: 8 })), /^CharLanguageModel: unknown option "hidden_size"; did you mean "hiddenSize"\?/],
  ['CharLanguageModel cell "rnn"', () => new CharLanguageModel(any({ vocabSize: 5, cell: 'rnn' })), /^CharLanguageModel: cell must be 'lstm' or 'gru', got string "rnn"/],
  ['TimeSeriesForecaster { layers }', () => new TimeSeriesForecaster(any({ inputSize: 2, layers: 2 })), /^TimeSeriesForecaster: unknown option "layers"/],
  ['SequenceClassifier { bidirectonal }', () => new SequenceClassifier(any({ numClasses: 2, inputSize: 3, bidirectonal: true })), /^SequenceClassifier: unknown option "bidirectonal"; did you mean "bidirectional"\?/],
  ['Seq2Seq attention "luong"', () => new Seq2Seq(any({ srcVocab: 5, tgtVocab: 5, bos: 0, attention: 'luong' })), /^Seq2Seq: attention must be 'dot', 'additive' or 'none', got string "luong"/],
] as const)('%s', (_name, make, message) => {
  nn.tidy(() => {
    expect(make).toThrow(message);
  });
});

it('generate and decode check their options too', () => {
  nn.tidy(() => {
    const lm = new CharLanguageModel({ vocabSize: 5, embedDim: 4, hiddenSize: 8 });
    expect(() => lm.generate(any({ prime: [1], length: 3, temprature: 0.5 }))).toThrow(/^CharLanguageModel\.generate: unknown option "temprature"; did you mean "temperature"\?/);
    expect(() => lm.generate({ prime: [1], length: 2.5 })).toThrow(/^CharLanguageModel\.generate: length must be a non-negative integer, got 2\.5/);
    const s2s = new Seq2Seq({ srcVocab: 5, tgtVocab: 5, bos: 0, embedDim: 4, hiddenSize: 8 });
    const src = tokens([1, 2, 3, 4], 2, 2);
    expect(() => s2s.decode(src, any({ max_length: 3 }))).toThrow(/^Seq2Seq\.decode: unknown option "max_length"; did you mean "maxLength"\?/);
    expect(() => s2s.run(src, src, { teacherForcing: 1.5 })).toThrow(/^Seq2Seq\.run: teacherForcing must be a number in \[0, 1\], got 1\.5/);
  });
});
