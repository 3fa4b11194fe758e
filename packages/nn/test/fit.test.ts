/** The training loop: what it learns, how it stops, and how it fails. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { Generator } from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

let xorX: nn.Tensor;
let xorY: nn.Tensor;
beforeAll(() => {
  xorX = nn.tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]).keep();
  xorY = nn.tensor([[0], [1], [1], [0]]).keep();
});

function accuracyOnXor(model: nn.Module): number {
  const p = nn.predict(model, xorX).toArray();
  const y = xorY.toArray();
  return p.filter((v, i) => (v > 0) === (y[i]! > 0.5)).length / 4;
}

describe('XOR (the seeds\' perceptron limit)', () => {
  it('a single-layer perceptron cannot learn XOR, a 2-layer MLP can', async () => {
    nn.manualSeed(1);
    const perceptron = new nn.Sequential(new nn.Linear(2, 1));
    await nn.fit(perceptron, { x: xorX, y: xorY }, {
      loss: 'binaryCrossEntropyWithLogits',
      optimizer: new nn.Adam(perceptron.parameters(), { lr: 0.05 }),
      epochs: 500,
      progress: false,
    });
    // A line separates at most 3 of the 4 points.
    expect(accuracyOnXor(perceptron)).toBeLessThanOrEqual(0.75);

    nn.manualSeed(1);
    const mlp = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
    const history = await nn.fit(mlp, { x: xorX, y: xorY }, {
      loss: 'binaryCrossEntropyWithLogits',
      optimizer: new nn.Adam(mlp.parameters(), { lr: 0.05 }),
      epochs: 500,
      progress: false,
    });
    expect(accuracyOnXor(mlp)).toBe(1);
    expect(history.epochs.at(-1)!.loss).toBeLessThan(0.05);
  });
});

describe('fit', () => {
  const make = () => {
    const g = new Generator(4);
    const n = 200;
    const x = nn.randn([n, 5], { generator: g });
    const w = nn.tensor([1, -2, 0.5, 3, -1], [5, 1]);
    const y = nn.matmul(x, w);
    return { x, y };
  };

  it('runs full batch, plain SGD (batch 1) and mini-batches, deterministically when seeded', async () => {
    const run = async (batchSize: number | undefined, epochs: number) => {
      nn.manualSeed(2);
      const model = new nn.Linear(5, 1);
      const opt = new nn.SGD(model.parameters(), { lr: batchSize === 1 ? 0.01 : 0.1 });
      const h = await nn.fit(model, make(), { loss: 'mse', optimizer: opt, epochs, batchSize, seed: 7, progress: false });
      return { loss: h.epochs.at(-1)!.loss, w: model.weight.toArray() };
    };
    const full = await run(undefined, 100);
    const sgd = await run(1, 5);
    const mini = await run(20, 30);
    for (const r of [full, sgd, mini]) expect(r.loss).toBeLessThan(1e-3);
    expect((await run(20, 30)).w).toEqual(mini.w);
  });

  it('stops early when the validation loss stops improving, restoring the best weights', async () => {
    nn.manualSeed(3);
    const data = make();
    // Validation targets of the opposite sign: the better the fit, the worse the validation loss.
    const val = { x: data.x, y: nn.neg(data.y) };
    const model = new nn.Linear(5, 1);
    const seen: number[] = [];
    const h = await nn.fit(model, data, {
      loss: 'mse',
      optimizer: new nn.SGD(model.parameters(), { lr: 0.05 }),
      epochs: 50,
      batchSize: 50,
      validationData: val,
      earlyStopping: { monitor: 'valLoss', patience: 2, restoreBestWeights: true },
      callbacks: { onEpochEnd: (l) => void seen.push(l.valLoss!) },
      progress: false,
    });
    expect(h.stoppedEarly).toBe(true);
    expect(h.epochs.length).toBe(h.bestEpoch! + 3);
    expect(seen[h.bestEpoch!]).toBe(Math.min(...seen));
    expect(nn.evaluate(model, val, { loss: 'mse' }).loss).toBeCloseTo(Math.min(...seen), 5);
  });

  it('reports a NaN/Inf loss with the step and the last finite loss', async () => {
    nn.manualSeed(4);
    const model = new nn.Linear(5, 1);
    const data = make();
    await expect(
      nn.fit(model, data, {
        loss: 'mse',
        optimizer: new nn.SGD(model.parameters(), { lr: 1e6 }),
        epochs: 20,
        batchSize: 10,
        progress: false,
      }),
    ).rejects.toThrow(/the loss became (NaN|Infinity) at epoch 1, step \d+ \(last finite loss: [0-9.e+]+\)/);
  });

  it('evaluates and predicts in batches, in eval mode', () => {
    nn.manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(5, 3), new nn.Dropout(0.5));
    const x = nn.randn([37, 5]);
    const p1 = nn.predict(model, x, { batchSize: 8 });
    expect(model.training).toBe(true); // restored after predicting in eval mode
    const p2 = nn.noGrad(() => model.eval().forward(x));
    expect(p1.shape).toEqual([37, 3]);
    expect(p1.toArray()).toEqual(p2.toArray());
    model.train();
    const labels = nn.argmax(p1, 1);
    const r = nn.evaluate(model, { x, y: labels }, { batchSize: 10 });
    expect(r.accuracy).toBe(1);
    expect(model.training).toBe(true);
  });

  it('rejects data whose x and y disagree', async () => {
    const model = new nn.Linear(5, 1);
    await expect(
      nn.fit(model, { x: nn.zeros([4, 5]), y: nn.zeros([3, 1]) }, { loss: 'mse', optimizer: new nn.SGD(model.parameters(), { lr: 0.1 }) }),
    ).rejects.toThrow('fit: x [4, 5] and y [3, 1] hold different numbers of samples');
  });
});
