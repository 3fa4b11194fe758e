/** Every preset's architecture JSON reads back to the same model, and a damaged one names the field. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import {
  Autoencoder, CharLanguageModel, DCGAN, DenoisingAutoencoder, GAN, Seq2Seq, SequenceClassifier, TimeSeriesForecaster, VAE, googlenet, lenet5, resnet,
} from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

const presets: Array<[string, () => nn.Module]> = [
  ['LeNet-5 with the connection table', () => lenet5({ connectionTable: true })],
  ['ResNet-18', () => resnet(18, { numClasses: 10 })],
  ['ResNet-50', () => resnet(50, { numClasses: 10 })],
  ['GoogLeNet', () => googlenet({ numClasses: 10 })],
  ['CharLanguageModel', () => new CharLanguageModel({ vocabSize: 30, embedDim: 8, hiddenSize: 16, cell: 'gru' })],
  ['TimeSeriesForecaster', () => new TimeSeriesForecaster({ inputSize: 2, hiddenSize: 8 })],
  ['SequenceClassifier', () => new SequenceClassifier({ numClasses: 3, vocabSize: 20, embedDim: 4, bidirectional: true })],
  ['Seq2Seq', () => new Seq2Seq({ srcVocab: 12, tgtVocab: 12, bos: 0, eos: 1, hiddenSize: 8, attention: 'additive' })],
  ['Autoencoder', () => new Autoencoder({ hiddenSize: 64, latentDim: 8 })],
  ['DenoisingAutoencoder', () => new DenoisingAutoencoder({ noise: 'gaussian', noiseLevel: 0.5 })],
  ['conditional VAE', () => new VAE({ numClasses: 10, latentDim: 2 })],
  ['conditional GAN', () => new GAN({ numClasses: 10, hiddenSizes: [32, 48, 64] })],
  ['conditional DCGAN', () => new DCGAN({ numClasses: 10, latentDim: 100 })],
  ['convolutional VAE', () => new VAE({ kind: 'conv', latentDim: 16 })],
  ['convolutional denoising autoencoder', () => new DenoisingAutoencoder({ kind: 'conv' })],
];

describe('preset architectures', () => {
  for (const [name, make] of presets) {
    it(`${name}: the JSON rebuilds the same state-dict keys and shapes`, () => {
      const m = make();
      const again = nn.moduleFromJson(nn.architectureToJson(m));
      const shapes = (x: nn.Module) => [...x.stateDict()].map(([k, t]) => `${k}:${t.shape.join('x')}`);
      expect(shapes(again)).toEqual(shapes(m));
      m.dispose();
      again.dispose();
    });
  }

  it('rejects a wrong type, an unknown field or a missing field of a preset with the JSON path', () => {
    const doc = JSON.parse(nn.architectureToJson(resnet(18, { numClasses: 10 }))) as { architecture: nn.ModuleConfig };
    const blockPath = () => {
      const layer1 = doc.architecture.children!['layer1']!;
      return layer1.children!['0']!;
    };
    const original = structuredClone(blockPath().config);
    blockPath().config = { ...original, planes: 'many' };
    expect(() => nn.moduleFromJson(JSON.stringify(doc))).toThrow(/layer1\.children\.0\.config\.planes.*integer >= 1/);
    blockPath().config = { ...original, in_planes: 64 };
    expect(() => nn.moduleFromJson(JSON.stringify(doc))).toThrow(/in_planes.*inPlanes/);
    const { inPlanes: _drop, ...missing } = original as Record<string, unknown>;
    blockPath().config = missing;
    expect(() => nn.moduleFromJson(JSON.stringify(doc))).toThrow(/inPlanes/);
    const lm = JSON.parse(nn.architectureToJson(new CharLanguageModel({ vocabSize: 30 }))) as { architecture: nn.ModuleConfig };
    lm.architecture.config = { ...lm.architecture.config, cell: 'transformer' };
    expect(() => nn.moduleFromJson(JSON.stringify(lm))).toThrow(/cell.*"lstm", "gru"/);
  });
});
