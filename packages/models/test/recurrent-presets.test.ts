/** Recurrent presets: shapes, PyTorch parameter names and counts, determinism, and consistency between modes. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { CharLanguageModel, Seq2Seq, SequenceClassifier, TimeSeriesForecaster, tokens } from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

const ids = (T: number, B: number, V: number, seed = 1) => {
  const g = new nn.Generator(seed);
  return tokens(Int32Array.from({ length: T * B }, () => g.int(V)), T, B);
};

describe('CharLanguageModel', () => {
  it("has PyTorch's parameter names and count (Embedding(65, 64) + LSTM(64, 256, 2 layers) + Linear(256, 65))", () => {
    nn.tidy(() => {
      const m = new CharLanguageModel({ vocabSize: 65, embedDim: 64, hiddenSize: 256, numLayers: 2 });
      const lstm = (i: number, h: number) => 4 * h * (i + h) + 8 * h;
      expect(m.numParameters()).toBe(65 * 64 + lstm(64, 256) + lstm(256, 256) + 256 * 65 + 65);
      expect([...m.stateDict().keys()]).toEqual([
        'embed.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0',
        'rnn.weight_ih_l1', 'rnn.weight_hh_l1', 'rnn.bias_ih_l1', 'rnn.bias_hh_l1', 'head.weight', 'head.bias',
      ]);
      m.dispose();
    });
  });

  it('gives logits [T, B, V], and generation is reproducible with a seed (greedy needs none)', () => {
    nn.tidy(() => {
      nn.manualSeed(4);
      const m = new CharLanguageModel({ vocabSize: 12, embedDim: 8, hiddenSize: 16 });
      expect([...m.run(ids(7, 3, 12)).logits.shape]).toEqual([7, 3, 12]);
      const a = m.generate({ prime: [1, 2, 3], length: 20, temperature: 0.8, generator: new nn.Generator(9) });
      const b = m.generate({ prime: [1, 2, 3], length: 20, temperature: 0.8, generator: new nn.Generator(9) });
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(a.every((v) => v >= 0 && v < 12)).toBe(true);
      const g1 = m.generate({ prime: [5], length: 10, temperature: 0 });
      const g2 = m.generate({ prime: [5], length: 10, temperature: 0 });
      expect(Array.from(g1)).toEqual(Array.from(g2));
      // Greedy generation step by step equals the argmax of running the whole sequence at once.
      const seq = [5, ...Array.from(g1)];
      const logits = m.run(tokens(seq, seq.length, 1)).logits;
      const best = nn.argmax(nn.reshape(logits, [seq.length, 12]), 1);
      expect(Array.from(best.subarray(0, 10))).toEqual(Array.from(g1));
      m.dispose();
    });
  });

  it('round-trips through its JSON architecture and weights', () => {
    nn.tidy(() => {
      const m = new CharLanguageModel({ vocabSize: 10, embedDim: 4, hiddenSize: 6, cell: 'gru' });
      const copy = nn.moduleFromJson(nn.architectureToJson(m));
      nn.loadWeightsFromBytes(copy, nn.weightsToBytes(m));
      const x = ids(5, 2, 10);
      expect(Array.from((copy as CharLanguageModel).run(x).logits.toArray())).toEqual(Array.from(m.run(x).logits.toArray()));
    });
  });
});

describe('SequenceClassifier', () => {
  it('classifies padded batches by their real lengths only (features and tokens, bidirectional)', () => {
    nn.tidy(() => {
      const feat = new SequenceClassifier({ inputSize: 3, hiddenSize: 8, numClasses: 4, bidirectional: true, numLayers: 2 });
      const g = new nn.Generator(2);
      const x = nn.randn([6, 2, 3], { generator: g });
      const y = feat.classify(x, [6, 3]);
      expect([...y.shape]).toEqual([2, 4]);
      // Changing the padding of sequence 1 changes nothing.
      const x2 = x.toArray();
      for (let t = 3; t < 6; t++) for (let j = 0; j < 3; j++) x2[(t * 2 + 1) * 3 + j] = 99;
      const y2 = feat.classify(nn.fromArray(x2, [6, 2, 3]), [6, 3]);
      const [a, b] = [y.toArray(), y2.toArray()];
      for (let i = 0; i < 8; i++) expect(b[i]).toBeCloseTo(a[i]!, 6);
      const tok = new SequenceClassifier({ vocabSize: 20, embedDim: 5, hiddenSize: 7, numClasses: 3, cell: 'gru' });
      expect([...tok.classify(ids(9, 4, 20), [9, 1, 5, 9]).shape]).toEqual([4, 3]);
      expect(() => new SequenceClassifier({ numClasses: 2 })).toThrow(/exactly one of inputSize/);
    });
  });
});

describe('TimeSeriesForecaster', () => {
  it('predicts every next step (many-to-many) and continues a history (one-to-many)', () => {
    nn.tidy(() => {
      const m = new TimeSeriesForecaster({ inputSize: 2, hiddenSize: 8 });
      const x = nn.randn([10, 3, 2], { generator: new nn.Generator(3) });
      const y = m.forward(x);
      expect([...y.shape]).toEqual([10, 3, 2]);
      const f = m.forecast(x, 5);
      expect([...f.shape]).toEqual([5, 3, 2]);
      // The first forecast is the many-to-many prediction after the last step.
      const last = nn.narrow(y, 0, 9, 1).toArray();
      f.toArray().subarray(0, 6).forEach((v, i) => expect(v).toBeCloseTo(last[i]!, 6));
      // The second equals running the history extended by the first forecast.
      const ext = m.forward(nn.concat([x, nn.narrow(f, 0, 0, 1)], 0));
      const second = nn.narrow(ext, 0, 10, 1).toArray();
      f.toArray().subarray(6, 12).forEach((v, i) => expect(v).toBeCloseTo(second[i]!, 5));
    });
  });
});

describe('Seq2Seq', () => {
  for (const attention of ['dot', 'additive', 'none'] as const) {
    for (const bidirectionalEncoder of [false, true]) {
      it(`teacher-forced logits and greedy decoding agree (${attention} attention, ${bidirectionalEncoder ? 'bidirectional' : 'unidirectional'} encoder)`, () => {
        nn.tidy(() => {
          nn.manualSeed(7);
          const m = new Seq2Seq({ srcVocab: 9, tgtVocab: 7, bos: 5, eos: 6, embedDim: 6, hiddenSize: 8, attention, bidirectionalEncoder, cell: bidirectionalEncoder ? 'gru' : 'lstm' });
          const src = ids(6, 3, 9, 2);
          const dec = m.decode(src, { maxLength: 4, srcLengths: [6, 4, 2] });
          expect(dec.tokens.length).toBe(12);
          // Feeding the greedy output back with teacher forcing gives logits whose argmax is that output.
          const tgtIn = new Int32Array(12);
          tgtIn.fill(5, 0, 3);
          tgtIn.set(dec.tokens.subarray(0, 9), 3);
          m.eval();
          const logits = m.run(src, tokens(tgtIn, 4, 3), { srcLengths: [6, 4, 2] });
          expect([...logits.shape]).toEqual([4, 3, 7]);
          const best = nn.argmax(nn.reshape(logits, [12, 7]), 1);
          for (let i = 0; i < 12; i++) if (!(i >= 3 && dec.tokens[i - 3] === 6)) expect(best[i]).toBe(dec.tokens[i]);
          if (attention !== 'none') {
            // Weights over the source sum to 1 and ignore padding (row 2 has length 2).
            const w = dec.attention;
            for (let b = 0; b < 3; b++) expect(w.subarray(b * 6, b * 6 + 6).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
            expect(Array.from(w.subarray(12 + 2, 12 + 6))).toEqual([0, 0, 0, 0]);
          } else expect(dec.attention.length).toBe(0);
        });
      });
    }
  }

  it('trains with scheduled sampling (teacherForcing < 1): gradients reach every parameter', () => {
    nn.tidy(() => {
      nn.manualSeed(8);
      const m = new Seq2Seq({ srcVocab: 5, tgtVocab: 6, bos: 4, eos: 5, embedDim: 4, hiddenSize: 6, attention: 'additive' });
      const logits = m.run(ids(5, 2, 5, 3), ids(4, 2, 6, 4), { teacherForcing: 0.5, generator: new nn.Generator(1) });
      expect([...logits.shape]).toEqual([4, 2, 6]);
      nn.sequenceCrossEntropy(logits, [0, 1, 2, 3, 0, 1, 2, 3]).backward();
      for (const [name, p] of m.namedParameters()) {
        expect(p.grad, name).not.toBeNull();
        expect(p.grad!.toArray().some((v) => v !== 0), name).toBe(true);
      }
    });
  });
});
