/**
 * Every preset exported with nn.exportOnnx and run in ONNX Runtime (onnxruntime-node): the model is
 * exported from a batch of 2 (batch axis dynamic; time too for the recurrent ones) and must give our
 * outputs within 1e-4 of their scale at batch 1 and batch 3 on fresh random inputs. The image
 * presets run at small input sizes (their layers are the same at any size) to keep the file quick;
 * AlexNet and VGG, whose classifiers hold 57-134 million weights at any input size, are in
 * onnx-presets-large.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import {
  CharLanguageModel, dbm, dbn, googlenet, lenet5, resnet, Seq2Seq, SequenceClassifier, TimeSeriesForecaster,
} from '../src/index.js';
import { expectClose, openOnnx, runOnnx } from '../../nn/test/onnx-runtime.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

const gen = new nn.Generator(3);
const randn = (shape: number[]) => nn.randn(shape, { generator: gen });
const ids = (shape: number[], n: number) => nn.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(gen.uniform() * n)), shape);
const img = (c: number, h: number) => (b: number) => randn([b, c, h, h]);
const timeBatch = { 0: 'time', 1: 'batch' };

/** Batch-norm statistics that are not the defaults, so eval-mode batch norm is really checked. */
function perturbBatchNorm(model: nn.Module): nn.Module {
  for (const [name, t] of model.namedBuffers()) {
    if (name.endsWith('running_mean')) t.copy_(nn.mul(randn([...t.shape]), 0.1));
    if (name.endsWith('running_var')) t.copy_(nn.add(nn.rand([...t.shape], { generator: gen }), 0.5));
  }
  return model;
}

interface Case {
  name: string;
  model: () => nn.Module;
  input: (batch: number) => nn.Tensor;
  int64?: boolean;
  dynamicAxes?: Record<number, string>;
  batches?: number[];
}

const CASES: Case[] = [
  { name: 'LeNet-5', model: () => lenet5(), input: img(1, 28) },
  { name: 'LeNet-5 (tanh, average pooling, C3 table, 32x32)', model: () => lenet5({ activation: 'tanh', pooling: 'avg', connectionTable: true, inputSize: 32 }), input: img(1, 32) },
  { name: 'ResNet-18 at 64x64', model: () => perturbBatchNorm(resnet(18, { numClasses: 10 })), input: img(3, 64) },
  { name: 'ResNet-50 at 64x64', model: () => perturbBatchNorm(resnet(50, { numClasses: 10 })), input: img(3, 64), batches: [1, 2] },
  { name: 'GoogLeNet (torchvision) at 64x64', model: () => perturbBatchNorm(googlenet({ numClasses: 10 })), input: img(3, 64) },
  { name: 'GoogLeNet (paper, true 5x5) at 64x64', model: () => perturbBatchNorm(googlenet({ numClasses: 10, variant: 'paper' })), input: img(3, 64), batches: [1, 2] },
  { name: 'DBN classifier 20-16-8, 3 classes', model: () => dbn([20, 16, 8], { numClasses: 3 }).toClassifier(), input: (b) => nn.rand([b, 20], { generator: gen }) },
  { name: 'DBN features', model: () => dbn([20, 16, 8]), input: (b) => nn.rand([b, 20], { generator: gen }) },
  { name: 'DBM mean-field posterior', model: () => dbm([12, 8, 6]), input: (b) => nn.rand([b, 12], { generator: gen }) },
  { name: 'CharLanguageModel LSTM, 2 layers', model: () => new CharLanguageModel({ vocabSize: 13, embedDim: 6, hiddenSize: 8, numLayers: 2 }), input: (b) => ids([7, b], 13), int64: true, dynamicAxes: timeBatch },
  { name: 'CharLanguageModel GRU', model: () => new CharLanguageModel({ vocabSize: 13, embedDim: 6, hiddenSize: 8, cell: 'gru' }), input: (b) => ids([5, b], 13), int64: true, dynamicAxes: timeBatch },
  { name: 'SequenceClassifier, bidirectional LSTM on features', model: () => new SequenceClassifier({ numClasses: 4, inputSize: 3, hiddenSize: 6, numLayers: 2, bidirectional: true }), input: (b) => randn([6, b, 3]), dynamicAxes: timeBatch },
  { name: 'SequenceClassifier, GRU on tokens', model: () => new SequenceClassifier({ numClasses: 3, vocabSize: 9, embedDim: 4, hiddenSize: 5, cell: 'gru' }), input: (b) => ids([6, b], 9), int64: true, dynamicAxes: timeBatch },
  { name: 'SequenceClassifier, RNN', model: () => new SequenceClassifier({ numClasses: 2, inputSize: 3, hiddenSize: 5, cell: 'rnn' }), input: (b) => randn([4, b, 3]), dynamicAxes: timeBatch },
  { name: 'TimeSeriesForecaster', model: () => new TimeSeriesForecaster({ inputSize: 2, hiddenSize: 6 }), input: (b) => randn([8, b, 2]), dynamicAxes: timeBatch },
];

describe('presets exported to ONNX run in ONNX Runtime with our outputs', () => {
  it.each(CASES)('$name', async (c) => {
    const model = c.model();
    model.eval();
    const bytes = nn.exportOnnx(model, c.input(2), c.dynamicAxes ? { dynamicAxes: c.dynamicAxes } : {});
    const session = await openOnnx(bytes);
    try {
      for (const batch of c.batches ?? [1, 3]) {
        const x = c.input(batch);
        const y = nn.noGrad(() => model.forward(x));
        const theirs = await session.run({ input: { data: x.toArray(), shape: x.shape, int64: c.int64 } });
        expectClose(`${c.name} at batch ${batch}`, { data: y.toArray(), shape: y.shape }, theirs);
      }
    } finally {
      await session.release();
    }
    model.dispose();
  });

  it('refuses Seq2Seq, whose forward reads its token ids into arrays, and the graph presets, naming why', () => {
    const s2s = new Seq2Seq({ srcVocab: 7, tgtVocab: 7, bos: 0, embedDim: 4, hiddenSize: 5 });
    expect(() => nn.exportOnnx(s2s, [ids([4, 2], 7), ids([3, 2], 7)])).toThrow(/input 0 \("input_0"\) is never read by an op/);
  });
});
