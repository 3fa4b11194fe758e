/**
 * Inputs are checked, not truncated: class labels and indices (every kind of bad value, at a given
 * position; every accepted form giving the same result; ignoreIndex), unknown option keys and their
 * suggestions (and no false alarms on valid options), and zero-size tensors, values and gradients,
 * as PyTorch has them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { closestKey, checkOptions, optionKeys } from '../src/check/options.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

const any = (v: unknown): never => v as never;
const BAD: Array<[unknown, string]> = [
  [2.5, '2\\.5'], [NaN, 'NaN'], [undefined, 'undefined'], [null, 'null'], ['a', 'string "a"'], ['1', 'string "1"'],
  [2 ** 32 + 1, '4294967297'], [-1, '-1'], [10, '10'], [Infinity, 'Infinity'], [true, 'true'], [-0.5, '-0\\.5'],
];

/** 20 labels in [0, 10) with `bad` at position 17. */
const labelsWith = (bad: unknown): unknown[] => Array.from({ length: 20 }, (_, i) => (i === 17 ? bad : i % 10));

describe('class labels and indices', () => {
  it.each(BAD)('rejects %s at position 17 in every op that reads labels, naming the op, the position and the value', (bad, shown) => {
    nn.tidy(() => {
      const at17 = `${shown} at position 17`;
      expect(() => nn.crossEntropy(nn.zeros([20, 10]), any(labelsWith(bad)))).toThrow(new RegExp(`^crossEntropy: label ${at17}`));
      expect(() => nn.nllLoss(nn.zeros([20, 10]), any(labelsWith(bad)))).toThrow(new RegExp(`^nllLoss: label ${at17}`));
      expect(() => nn.sequenceCrossEntropy(nn.zeros([4, 5, 10]), any(labelsWith(bad)))).toThrow(new RegExp(`^sequenceCrossEntropy: target ${at17}`));
      expect(() => nn.pickPerRow(nn.zeros([20, 10]), any(labelsWith(bad)))).toThrow(new RegExp(`^pickPerRow: label ${at17}`));
      expect(() => new nn.Embedding(10, 2).forward(any(labelsWith(bad)))).toThrow(new RegExp(`^Embedding\\(10, 2\\): index ${at17}`));
    });
  });

  it('rejects bad values in typed arrays and tensors of labels at their position', () => {
    nn.tidy(() => {
      const logits = nn.zeros([20, 10]);
      const with17 = <T extends { [i: number]: number }>(a: T, v: number): T => ((a[17] = v), a);
      expect(() => nn.crossEntropy(logits, with17(new Float32Array(20), 2.5))).toThrow(/^crossEntropy: label 2\.5 at position 17/);
      expect(() => nn.crossEntropy(logits, with17(new Float64Array(20), NaN))).toThrow(/^crossEntropy: label NaN at position 17/);
      expect(() => nn.crossEntropy(logits, with17(new Int32Array(20), -3))).toThrow(/^crossEntropy: label -3 at position 17 is outside \[0, 10\)/);
      expect(() => nn.crossEntropy(logits, with17(new Uint8Array(20), 200))).toThrow(/^crossEntropy: label 200 at position 17 is outside/);
      expect(() => nn.crossEntropy(logits, with17(new Uint16Array(20), 10))).toThrow(/^crossEntropy: label 10 at position 17/);
      expect(() => nn.crossEntropy(logits, with17(new Uint32Array(20), 2 ** 32 - 1))).toThrow(/^crossEntropy: label 4294967295 at position 17/);
      expect(() => nn.crossEntropy(logits, nn.tensor(with17(new Float32Array(20), 9.5)))).toThrow(/^crossEntropy: label 9\.5 at position 17/);
      // Embedding reads a tensor of ids the same way as an array: no rounding either way.
      expect(() => new nn.Embedding(10, 2).forward(nn.tensor([[0, 1], [2, 2.5]]))).toThrow(/^Embedding\(10, 2\): index 2\.5 at position 3/);
    });
  });

  it('gives the same loss and gradients for labels as number[], every typed array and a tensor of indices', () => {
    nn.tidy(() => {
      const labels = [3, 0, 9, 9, 4, 1];
      const logits = nn.randn([6, 10], { generator: new nn.Generator(3) });
      const run = (t: unknown) => {
        const x = logits.detach().clone();
        x.requiresGrad = true;
        const l = nn.crossEntropy(x, any(t), { labelSmoothing: 0.1 });
        l.backward();
        return [l.item(), ...x.grad!.toArray()];
      };
      const want = run(labels);
      for (const form of [Int32Array, Uint8Array, Uint16Array, Uint32Array, Int16Array, Float32Array, Float64Array]) {
        expect(run(form.from(labels))).toEqual(want);
      }
      expect(run(nn.tensor(labels))).toEqual(want);
      expect(nn.nllLoss(nn.logSoftmax(logits, 1), nn.tensor(labels)).item()).toBeCloseTo(nn.crossEntropy(logits, labels).item(), 6);
      expect(nn.sequenceCrossEntropy(nn.reshape(logits, [2, 3, 10]), nn.tensor(labels)).item()).toBeCloseTo(nn.crossEntropy(logits, labels).item(), 6);
    });
  });

  it('Embedding picks the same rows for ids as an array, an Int32Array, {indices, shape} and a tensor', () => {
    nn.tidy(() => {
      const emb = new nn.Embedding(5, 3);
      const want = emb.forward([4, 0, 2, 2]).toArray();
      expect(emb.forward(new Int32Array([4, 0, 2, 2])).toArray()).toEqual(want);
      expect(emb.forward(nn.tensor([4, 0, 2, 2])).toArray()).toEqual(want);
      expect(emb.forward({ indices: [4, 0, 2, 2], shape: [2, 2] }).shape).toEqual([2, 2, 3]);
      expect(new nn.Embedding(5, 3, { paddingIdx: -1 }).paddingIdx).toBe(4);
    });
  });

  it('ignores targets equal to ignoreIndex (default -100) and averages over the rest, as PyTorch', () => {
    nn.tidy(() => {
      const logits = nn.randn([4, 3], { generator: new nn.Generator(5) });
      const kept = nn.crossEntropy(nn.narrow(logits, 0, 0, 2), [2, 0]).item();
      expect(nn.crossEntropy(logits, [2, 0, -100, -100]).item()).toBeCloseTo(kept, 6);
      expect(nn.crossEntropy(logits, [2, 0, 1, 1], { ignoreIndex: 1 }).item()).toBeCloseTo(kept, 6);
      expect(nn.crossEntropy(logits, [2, 0, -100, -100], { reduction: 'sum' }).item()).toBeCloseTo(2 * kept, 5);
      expect(nn.crossEntropy(logits, [2, 0, -100, -100], { reduction: 'none' }).toArray().slice(2)).toEqual(new Float32Array(2));
      expect(nn.nllLoss(nn.logSoftmax(logits, 1), [2, 0, -100, -100]).item()).toBeCloseTo(kept, 6);
      expect(Number.isNaN(nn.crossEntropy(logits, [-100, -100, -100, -100]).item())).toBe(true);
      // Only the chosen value is ignored: -1 is still an error, and says which value would be ignored.
      expect(() => nn.crossEntropy(logits, [2, 0, -1, 1], { ignoreIndex: 7 })).toThrow(/^crossEntropy: label -1 at position 2 is outside \[0, 3\) .*\(or the ignored 7\)/);
      const x = logits.detach().clone();
      x.requiresGrad = true;
      nn.crossEntropy(x, [2, -100, 0, -100]).backward();
      expect(x.grad!.toArray().slice(3, 6)).toEqual(new Float32Array(3));
    });
  });

  it('fit and evaluate take class indices as a 1-D tensor, and train exactly as with a number[]', async () => {
    const x = nn.randn([24, 4], { generator: new nn.Generator(1) });
    const y = Array.from({ length: 24 }, (_, i) => i % 3);
    const train = async (labels: unknown) => {
      nn.manualSeed(7);
      const model = new nn.Linear(4, 3);
      const h = await nn.fit(model, { x, y: any(labels) }, { loss: 'crossEntropy', optimizer: new nn.SGD(model.parameters(), { lr: 0.1 }), epochs: 3, batchSize: 5, progress: false });
      return { losses: h.epochs.map((e) => e.loss), accuracy: h.epochs.map((e) => e.accuracy), evaluated: nn.evaluate(model, { x, y: any(labels) }) };
    };
    const want = await train(y);
    expect(await train(nn.tensor(y))).toEqual(want);
    expect(await train(Float32Array.from(y))).toEqual(want);
    expect(want.accuracy.every((a) => a !== undefined)).toBe(true);
  });
});

describe('option keys', () => {
  it('suggests the intended key: camelCase of snake_case, any case, one or two edits, a prefix', () => {
    const keys = optionKeys<{ weightDecay?: number; lr?: number; momentum?: number; nesterov?: boolean; padding?: number }>({
      weightDecay: true, lr: true, momentum: true, nesterov: true, padding: true,
    });
    expect(closestKey('weight_decay', keys)).toBe('weightDecay');
    expect(closestKey('WEIGHT-DECAY', keys)).toBe('weightDecay');
    expect(closestKey('momentun', keys)).toBe('momentum');
    expect(closestKey('nestrov', keys)).toBe('nesterov');
    expect(closestKey('pad', keys)).toBe('padding');
    expect(closestKey('batchSize', keys)).toBeUndefined();
    expect(() => checkOptions('X', { batchSize: 1 }, keys)).toThrow('X: unknown option "batchSize"; the options are weightDecay, lr, momentum, nesterov, padding');
    expect(() => checkOptions('X', { lr: 1, weight_decay: 1 }, keys)).toThrow('X: unknown option "weight_decay"; did you mean "weightDecay"?');
    expect(() => checkOptions('X', [1], keys)).toThrow('X: options must be an object, got [1]');
    expect(() => checkOptions('X', { a: 1 }, new Set())).toThrow('X: unknown option "a"; it takes no options');
  });

  it('SGD rejects weight_decay instead of silently training without decay', () => {
    const p = nn.zeros([2], { requiresGrad: true });
    expect(() => new nn.SGD([p], any({ lr: 0.1, weight_decay: 0.5 }))).toThrow('SGD: unknown option "weight_decay"; did you mean "weightDecay"?');
  });

  it('accepts every documented option (no false alarms)', () => {
    const g = new nn.Generator(1);
    nn.tidy(() => {
      const ps = [nn.zeros([2], { requiresGrad: true })];
      new nn.Linear(2, 3, { bias: false, generator: g });
      new nn.Conv2d(2, 4, 3, { stride: [1, 2], padding: 1, dilation: 1, groups: 2, bias: true, generator: g });
      new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 1, ceilMode: true });
      new nn.AvgPool2d(2, { stride: 2, padding: 1, ceilMode: false, countIncludePad: false });
      new nn.BatchNorm2d(3, { eps: 1e-3, momentum: 0.2, affine: false, trackRunningStats: false });
      new nn.LSTM(2, 3, { numLayers: 2, bias: true, batchFirst: true, dropout: 0.1, bidirectional: true, generator: g });
      new nn.RNN(2, 3, { nonlinearity: 'relu' });
      new nn.RNNCell(2, 3, { nonlinearity: 'tanh', bias: false, generator: g });
      new nn.Embedding(4, 2, { paddingIdx: 0, generator: g });
      new nn.DotAttention(3, 4, { general: true, scaled: true, generator: g });
      new nn.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: true });
      new nn.Adam([{ params: ps, lr: 1e-3 }], { betas: [0.8, 0.99], eps: 1e-7, weightDecay: 0.1, amsgrad: true });
      new nn.RMSprop(ps, { lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0, momentum: 0.1, centered: true });
      new nn.Adagrad(ps, { lr: 0.1, lrDecay: 0.01, weightDecay: 0, initialAccumulatorValue: 0.1, eps: 1e-9 });
      new nn.Adadelta(ps, { lr: 1, rho: 0.95, eps: 1e-6, weightDecay: 0.01 });
      const x = nn.randn([1, 2, 6, 6], { generator: g, requiresGrad: false, mean: 0, std: 1 });
      nn.conv2d(x, nn.zeros([4, 1, 3, 3]), null, { stride: 1, padding: [1, 0], dilation: 2, groups: 2 });
      nn.avgPool2d(x, 2, { stride: 1, padding: 1, ceilMode: true, countIncludePad: false, dilation: 1 });
      nn.crossEntropy(nn.zeros([2, 3]), [0, 1], { reduction: 'sum', labelSmoothing: 0.1, ignoreIndex: -1 });
      nn.sequenceCrossEntropy(nn.zeros([2, 1, 3]), [0, 1], { lengths: [2], reduction: 'mean', batchFirst: false, ignoreIndex: 5 });
      nn.batchNorm(nn.randn([4, 3]), { training: true, momentum: 0.1, eps: 1e-5, weight: null, bias: null, runningMean: null, runningVar: null, where: 'bn' });
      nn.init.kaimingNormal_(nn.zeros([3, 2]), { a: 0.1, mode: 'fan_out', nonlinearity: 'relu', generator: g });
      nn.gradCheck((t) => nn.mul(t, 2), [nn.ones([2])], { eps: 1e-3, atol: 1e-3, rtol: 1e-2, maxPerInput: 2, seed: 1 });
    });
  });
});

describe('zero-size tensors behave as in PyTorch', () => {
  const grad = (t: Tensor) => t.grad!;

  it('matmul with an empty inner dimension is zeros, and its gradients are empty or zero', () => {
    nn.tidy(() => {
      const a = nn.ones([2, 0], { requiresGrad: true });
      const b = nn.ones([0, 3], { requiresGrad: true });
      const c = nn.matmul(a, b);
      expect(c.shape).toEqual([2, 3]);
      expect(c.toArray()).toEqual(new Float32Array(6));
      nn.sum(c).backward();
      expect(grad(a).shape).toEqual([2, 0]);
      expect(grad(b).shape).toEqual([0, 3]);
      const p = nn.ones([2, 3], { requiresGrad: true });
      const q = nn.matmul(p, nn.ones([3, 0]));
      expect(q.shape).toEqual([2, 0]);
      nn.sum(q).backward();
      expect(grad(p).toArray()).toEqual(new Float32Array(6));
      expect(nn.matmul(nn.ones([0, 3]), nn.ones([3, 2])).shape).toEqual([0, 2]);
      expect(nn.matmul(nn.ones([0, 2, 3]), nn.ones([0, 3, 2])).shape).toEqual([0, 2, 2]);
      expect(nn.matmul(nn.ones([0]), nn.ones([0])).item()).toBe(0);
    });
  });

  it('sum of nothing is 0, mean of nothing is NaN, extremes over a non-empty axis are empty', () => {
    nn.tidy(() => {
      expect(nn.sum(nn.zeros([0])).item()).toBe(0);
      expect(nn.sum(nn.zeros([0, 3]), 0).toArray()).toEqual(new Float32Array(3));
      expect(Number.isNaN(nn.mean(nn.zeros([0])).item())).toBe(true);
      expect(Array.from(nn.mean(nn.zeros([0, 3]), 0).toArray()).every(Number.isNaN)).toBe(true);
      expect(nn.mean(nn.zeros([0, 3]), 1).shape).toEqual([0]);
      expect(nn.max(nn.zeros([0, 3]), 1).shape).toEqual([0]);
      expect(nn.argmax(nn.zeros([0, 3]), 1).length).toBe(0);
      const x = nn.zeros([0, 3], { requiresGrad: true });
      nn.sum(nn.add(nn.mean(x, 1), nn.sum(nn.max(x, 1)))).backward();
      expect(grad(x).shape).toEqual([0, 3]);
    });
  });

  it('elementwise ops, broadcasting, reshape and softmax keep the empty shape; the broadcast operand gets zeros', () => {
    nn.tidy(() => {
      const a = nn.zeros([0, 3], { requiresGrad: true });
      const b = nn.ones([3], { requiresGrad: true });
      const y = nn.softmax(nn.relu(nn.div(nn.mul(nn.sub(nn.add(a, b), 1), b), b)), 1);
      expect(y.shape).toEqual([0, 3]);
      nn.sum(y).backward();
      expect(grad(a).shape).toEqual([0, 3]);
      expect(grad(b).toArray()).toEqual(new Float32Array(3));
      expect(nn.reshape(nn.zeros([0, 3]), [3, 0]).shape).toEqual([3, 0]);
      expect(nn.reshape(nn.zeros([0, 3]), [-1, 3]).shape).toEqual([0, 3]);
      expect(nn.concat([nn.zeros([0, 3]), nn.ones([2, 3])], 0).shape).toEqual([2, 3]);
      expect(nn.transpose(nn.zeros([0, 3])).shape).toEqual([3, 0]);
    });
  });

  it('layers on a batch of 0 give [0, ...] outputs and zero parameter gradients', () => {
    nn.tidy(() => {
      const lin = new nn.Linear(3, 4);
      const y = lin.forward(nn.zeros([0, 3]));
      expect(y.shape).toEqual([0, 4]);
      nn.sum(y).backward();
      expect(lin.weight.grad!.toArray()).toEqual(new Float32Array(12));
      expect(lin.bias!.grad!.toArray()).toEqual(new Float32Array(4));
      expect(nn.linear(nn.ones([2, 0]), nn.ones([3, 0]), nn.tensor([1, 2, 3])).toArray()).toEqual(Float32Array.from([1, 2, 3, 1, 2, 3]));

      const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
      const x = nn.zeros([0, 2, 5, 5], { requiresGrad: true });
      const c = nn.maxPool2d(conv.forward(x), 2);
      expect(c.shape).toEqual([0, 3, 2, 2]);
      nn.sum(c).backward();
      expect(conv.weight.grad!.toArray()).toEqual(new Float32Array(54));
      expect(conv.bias!.grad!.toArray()).toEqual(new Float32Array(3));
      expect(grad(x).shape).toEqual([0, 2, 5, 5]);
      expect(new nn.LSTM(2, 3).forward(nn.zeros([4, 0, 2])).shape).toEqual([4, 0, 3]);
      expect(new nn.Embedding(5, 2).forward([]).shape).toEqual([0, 2]);
    });
  });

  it('losses over no samples: mean is NaN, sum is 0', () => {
    nn.tidy(() => {
      const x = nn.zeros([0, 3], { requiresGrad: true });
      const l = nn.crossEntropy(x, []);
      expect(Number.isNaN(l.item())).toBe(true);
      l.backward();
      expect(grad(x).shape).toEqual([0, 3]);
      expect(nn.crossEntropy(nn.zeros([0, 3]), [], { reduction: 'sum' }).item()).toBe(0);
      expect(Number.isNaN(nn.mseLoss(nn.zeros([0, 2]), nn.zeros([0, 2])).item())).toBe(true);
    });
  });
});
