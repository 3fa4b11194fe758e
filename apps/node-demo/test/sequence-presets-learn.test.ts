/**
 * The many-to-one and many-to-many presets learn their synthetic tasks: the sequence classifier reads
 * padded variable-length batches (pulse sign), and the forecaster beats the naive forecast (repeat
 * the last value) on noisy sine mixtures, one step ahead and 10 steps ahead.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { pulseSign, sineSeries } from '@deepwasm/data';
import { SequenceClassifier, TimeSeriesForecaster } from '@deepwasm/models';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

describe('sequence presets learn', () => {
  it('SequenceClassifier (GRU) decides the sign of padded pulse sequences with > 95% held-out accuracy', () => {
    nn.manualSeed(0);
    const model = new SequenceClassifier({ inputSize: 1, hiddenSize: 32, numClasses: 2, cell: 'gru' });
    const opt = new nn.Adam(model.parameters(), { lr: 1e-2 });
    const gen = new nn.Generator(1);
    const test = pulseSign(1000, 40, new nn.Generator(99));
    for (let step = 0; step < 400; step++) {
      const b = pulseSign(64, 40, gen);
      nn.tidy(() => {
        opt.zeroGrad();
        nn.crossEntropy(model.classify(nn.fromArray(b.input, b.shape), b.lengths), b.labels).backward();
        nn.clipGradNorm_(model.parameters(), 1);
        opt.step();
      });
    }
    model.eval();
    const predicted = nn.noGrad(() => nn.tidy(() => nn.argmax(model.classify(nn.fromArray(test.input, test.shape), test.lengths), 1)));
    const acc = predicted.reduce((s, p, i) => s + (p === test.labels[i] ? 1 : 0), 0) / 1000;
    expect(acc).toBeGreaterThan(0.95);
  }, 300_000);

  it('TimeSeriesForecaster (LSTM) beats repeating the last value, 1 and 10 steps ahead', () => {
    nn.manualSeed(0);
    const model = new TimeSeriesForecaster({ inputSize: 1, hiddenSize: 32 });
    const opt = new nn.Adam(model.parameters(), { lr: 5e-3 });
    const gen = new nn.Generator(2);
    for (let step = 0; step < 300; step++) {
      const s = sineSeries(32, 60, 1, gen);
      nn.tidy(() => {
        opt.zeroGrad();
        nn.sequenceMseLoss(model.forward(nn.fromArray(s.input, s.shape)), nn.fromArray(s.nextStep, s.shape)).backward();
        nn.clipGradNorm_(model.parameters(), 1);
        opt.step();
      });
    }
    const test = sineSeries(200, 60, 10, new nn.Generator(77));
    const forecast = nn.tidy(() => model.forecast(nn.fromArray(test.input, test.shape), 10).toArray());
    const mse = (h: number, pred: (b: number) => number) => {
      let s = 0;
      for (let b = 0; b < 200; b++) s += (pred(b) - test.future[h * 200 + b]!) ** 2;
      return s / 200;
    };
    const last = (b: number) => test.input[59 * 200 + b]!;
    for (const h of [0, 9]) {
      const ours = mse(h, (b) => forecast[h * 200 + b]!);
      const naive = mse(h, last);
      expect(ours, `horizon ${h + 1}: ours ${ours.toFixed(4)} vs naive ${naive.toFixed(4)}`).toBeLessThan(naive * 0.6);
    }
  }, 300_000);
});
