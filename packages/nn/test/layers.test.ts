/** Layers and losses: what they compute (against their definitions) and their gradients. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

const gen = new Generator(11);
const randn = (shape: number[]): Tensor => nn.randn(shape, { generator: gen });

function gradOk(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts = {}): void {
  nn.tidy(() => {
    const r = assertGradCheck(fn, inputs, { name, ...opts });
    expect(r.mismatches).toEqual([]);
  });
}

describe('Module', () => {
  it('names parameters like PyTorch and counts them', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2, { bias: false }));
    expect(model.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      '0.weight:3x4',
      '0.bias:3',
      '2.weight:2x3',
    ]);
    expect(model.numParameters()).toBe(12 + 3 + 6);
    expect([...model.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight']);
  });

  it('initialises Linear like PyTorch: U(-1/sqrt(in), 1/sqrt(in))', () => {
    const l = new nn.Linear(400, 300, { generator: new Generator(1) });
    const w = l.weight.toArray();
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeCloseTo((bound * bound) / 3, 4);
  });

  it('rejects a mismatched state dict without touching the module', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3));
    const before = model.stateDict().get('0.weight')!.toArray();
    expect(() =>
      model.loadStateDict({
        '0.weight': { shape: [3, 5], data: new Float32Array(15) },
        '0.bias': { shape: [3], data: new Float32Array(3) },
      }),
    ).toThrow('loadStateDict(Sequential): "0.weight": expected shape [3, 4], found [3, 5]');
    expect(() => model.loadStateDict({ '0.bias': { shape: [3], data: new Float32Array(3) } })).toThrow(
      /missing "0.weight"/,
    );
    expect(model.stateDict().get('0.weight')!.toArray()).toEqual(before);
  });

  it('names the layer and both shapes on a mismatch', () => {
    const model = new nn.Sequential(new nn.Linear(784, 10));
    expect(() => model.forward(nn.zeros([2, 100]))).toThrow(
      'Sequential layer 0 (Linear): Linear(784, 10): input [2, 100] does not match weight [10, 784]: expected the last input dimension to be 784',
    );
  });

  it('rebuilds an architecture from its JSON config', () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.LeakyReLU(0.2), new nn.Dropout(0.3), new nn.BatchNorm1d(8), new nn.Linear(8, 2));
    const json = JSON.parse(JSON.stringify(model.getConfig()));
    const rebuilt = nn.moduleFromConfig(json);
    expect(JSON.stringify(rebuilt.getConfig())).toBe(JSON.stringify(model.getConfig()));
    expect([...rebuilt.stateDict().keys()]).toEqual([...model.stateDict().keys()]);
  });
});

describe('activations as modules and functions', () => {
  it('compute the textbook formulas', () => {
    const x = nn.tensor([-2, -0.5, 0, 0.5, 2]);
    const xs = [-2, -0.5, 0, 0.5, 2];
    const close = (t: Tensor, f: (v: number) => number) =>
      t.toArray().forEach((v, i) => expect(v).toBeCloseTo(f(xs[i]!), 6));
    close(new nn.Identity().forward(x), (v) => v);
    close(new nn.Step().forward(x), (v) => (v > 0 ? 1 : 0));
    close(new nn.Sigmoid().forward(x), (v) => 1 / (1 + Math.exp(-v)));
    close(new nn.Tanh().forward(x), Math.tanh);
    close(new nn.ReLU().forward(x), (v) => Math.max(0, v));
    close(new nn.LeakyReLU(0.1).forward(x), (v) => (v > 0 ? v : 0.1 * v));
    close(new nn.ELU(1.5).forward(x), (v) => (v > 0 ? v : 1.5 * (Math.exp(v) - 1)));
    close(new nn.Gaussian().forward(x), (v) => Math.exp(-v * v));
    const sm = new nn.Softmax().forward(nn.tensor([[4, 1, -4]])).toArray();
    expect(sm[0]).toBeCloseTo(0.9525, 3);
    expect(sm[1]).toBeCloseTo(0.0471, 3);
    expect(sm[2]).toBeCloseTo(0.0004, 3);
    const lsm = new nn.LogSoftmax().forward(nn.tensor([[4, 1, -4]])).toArray();
    expect(lsm[0]).toBeCloseTo(4 - Math.log(Math.exp(4) + Math.exp(1) + Math.exp(-4)), 5);
  });
});

describe('Dropout', () => {
  it('zeroes about p of the inputs, scales the rest by 1/(1-p), and is off in eval', () => {
    const d = new nn.Dropout(0.25, new Generator(3));
    const y = d.forward(nn.ones([10000])).toArray();
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / 10000).toBeGreaterThan(0.23);
    expect(zeros / 10000).toBeLessThan(0.27);
    expect(y.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    d.eval();
    expect(d.forward(nn.ones([5])).toArray()).toEqual(new Float32Array([1, 1, 1, 1, 1]));
  });

  it('passes gradients through the kept units only', () => {
    const g = new Generator(5);
    const d = new nn.Dropout(0.4, g);
    gradOk('dropout', (x) => {
      g.manualSeed(9);
      return d.forward(x);
    }, [randn([6, 5])]);
  });
});

describe('BatchNorm1d', () => {
  it('matches its definition in training mode and updates running statistics like PyTorch', () => {
    const bn = new nn.BatchNorm1d(3, { momentum: 0.1 });
    bn.weight!.data.set([1, 2, 0.5]);
    bn.bias!.data.set([0, -1, 3]);
    const x = randn([5, 3]);
    const xd = x.toArray();
    const y = bn.forward(x).toArray();
    for (let c = 0; c < 3; c++) {
      const col = [0, 1, 2, 3, 4].map((i) => xd[i * 3 + c]!);
      const mean = col.reduce((s, v) => s + v, 0) / 5;
      const varB = col.reduce((s, v) => s + (v - mean) ** 2, 0) / 5;
      const w = [1, 2, 0.5][c]!;
      const b = [0, -1, 3][c]!;
      col.forEach((v, i) => expect(y[i * 3 + c]).toBeCloseTo(((v - mean) / Math.sqrt(varB + 1e-5)) * w + b, 5));
      expect(bn.runningMean!.data[c]).toBeCloseTo(0.1 * mean, 6);
      expect(bn.runningVar!.data[c]).toBeCloseTo(0.9 + 0.1 * varB * (5 / 4), 6);
    }
    expect(bn.numBatchesTracked!.item()).toBe(1);
  });

  it('uses the running statistics in eval mode', () => {
    const bn = new nn.BatchNorm1d(2);
    bn.runningMean!.data.set([1, -1]);
    bn.runningVar!.data.set([4, 0.25]);
    bn.eval();
    const y = bn.forward(nn.tensor([[3, 0]])).toArray();
    expect(y[0]).toBeCloseTo(2 / Math.sqrt(4 + 1e-5), 5);
    expect(y[1]).toBeCloseTo(1 / Math.sqrt(0.25 + 1e-5), 5);
  });

  it('handles [N, C, L] inputs and has correct gradients', () => {
    const bn = new nn.BatchNorm1d(3);
    bn.weight!.data.set([1.5, -0.5, 1]);
    gradOk('batchnorm1d [N,C]', (x) => bn.forward(x), [randn([6, 3])], { atol: 3e-3 });
    gradOk('batchnorm1d [N,C,L]', (x) => bn.forward(x), [randn([4, 3, 2])], { atol: 3e-3 });
    const x = randnFixed([5, 3]);
    gradOk('batchnorm1d weight and bias', () => bn.forward(x), [bn.weight!, bn.bias!], { atol: 3e-3 });
  });
});

describe('Linear, Flatten, Reshape gradients', () => {
  it('Linear', () => {
    const l = new nn.Linear(5, 4);
    gradOk('Linear input', (x) => l.forward(x), [randn([3, 5])]);
    gradOk('Linear params', (w, b) => nn.linear(randnFixed([3, 5]), w, b), [randn([4, 5]), randn([4])]);
  });
  it('Flatten and Reshape', () => {
    gradOk('Flatten', (x) => new nn.Flatten().forward(x), [randn([2, 3, 4])]);
    gradOk('Reshape', (x) => nn.mul(new nn.Reshape([4, 3]).forward(x), 2), [randn([2, 12])]);
  });
});

const fixed = new Map<string, Float32Array>();
function randnFixed(shape: number[]): Tensor {
  const key = shape.join('x');
  if (!fixed.has(key)) fixed.set(key, nn.randn(shape, { generator: new Generator(99) }).toArray());
  return nn.tensor(fixed.get(key)!, shape);
}

describe('losses', () => {
  it('reproduces the seeds\' cross-entropy example: about 1.38 and 0.64', () => {
    const targets = nn.tensor([
      [0, 0, 1],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const model1 = nn.log(nn.tensor([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]]));
    const model2 = nn.log(nn.tensor([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]]));
    expect(nn.crossEntropy(model1, targets).item()).toBeCloseTo(1.378, 3);
    expect(nn.crossEntropy(model2, targets).item()).toBeCloseTo(0.639, 3);
    // The same with integer labels.
    expect(nn.crossEntropy(model1, [2, 1, 0]).item()).toBeCloseTo(1.378, 3);
    expect(nn.nllLoss(nn.logSoftmax(model2), [2, 1, 0]).item()).toBeCloseTo(0.639, 3);
  });

  it('is stable for huge logits', () => {
    const l = nn.crossEntropy(nn.tensor([[1000, -1000, 0]]), [0]).item();
    expect(l).toBeCloseTo(0, 5);
    const l2 = nn.crossEntropy(nn.tensor([[1000, -1000, 0]]), [1]).item();
    expect(l2).toBeCloseTo(2000, 1);
    const b = nn.binaryCrossEntropyWithLogits(nn.tensor([200, -200]), nn.tensor([0, 1]), 'none').toArray();
    expect(b[0]).toBeCloseTo(200, 3);
    expect(b[1]).toBeCloseTo(200, 3);
    expect(nn.binaryCrossEntropy(nn.tensor([0, 1]), nn.tensor([1, 0]), 'none').toArray()).toEqual(new Float32Array([100, 100]));
  });

  it('computes MSE, L1, BCE and the reductions by their definitions', () => {
    const p = nn.tensor([1, 2, 3, 4]);
    const t = nn.tensor([1.5, 2, 2, 6]);
    expect(nn.mseLoss(p, t).item()).toBeCloseTo((0.25 + 0 + 1 + 4) / 4, 6);
    expect(nn.mseLoss(p, t, 'sum').item()).toBeCloseTo(5.25, 6);
    expect(nn.mseLoss(p, t, 'none').toArray()).toEqual(new Float32Array([0.25, 0, 1, 4]));
    expect(nn.l1Loss(p, t).item()).toBeCloseTo((0.5 + 0 + 1 + 2) / 4, 6);
    const z = [0.3, -1.2];
    const y = [1, 0];
    const want = z.map((v, i) => -(y[i]! * Math.log(1 / (1 + Math.exp(-v))) + (1 - y[i]!) * Math.log(1 - 1 / (1 + Math.exp(-v)))));
    expect(nn.binaryCrossEntropyWithLogits(nn.tensor(z), nn.tensor(y)).item()).toBeCloseTo((want[0]! + want[1]!) / 2, 6);
    const probs = nn.sigmoid(nn.tensor(z));
    expect(nn.binaryCrossEntropy(probs, nn.tensor(y)).item()).toBeCloseTo((want[0]! + want[1]!) / 2, 5);
    const w = nn.tensor([1, -2, 3]);
    expect(nn.l1Penalty([w]).item()).toBe(6);
    expect(nn.l2Penalty([w, nn.tensor([2])]).item()).toBe(18);
  });

  it('explains bad targets', () => {
    expect(() => nn.crossEntropy(nn.zeros([2, 3]), [0, 3])).toThrow('crossEntropy: label 3 at position 1 is outside [0, 3) for input [2, 3]');
    expect(() => nn.crossEntropy(nn.zeros([2, 3]), [0])).toThrow('crossEntropy: 1 labels for a batch of 2 rows (input [2, 3])');
    expect(() => nn.mseLoss(nn.zeros([2, 3]), nn.zeros([3, 2]))).toThrow('mseLoss: input [2, 3] and target [3, 2] must have the same shape');
  });

  it('have correct gradients', () => {
    const t = randnFixed([4, 3]);
    gradOk('mseLoss', (p) => nn.mseLoss(p, t), [randn([4, 3])]);
    gradOk('mseLoss sum', (p) => nn.mseLoss(p, t, 'sum'), [randn([4, 3])]);
    gradOk('l1Loss', (p) => nn.l1Loss(p, nn.zeros([6])), [nn.tensor([0.5, -0.7, 1.2, -2, 0.3, 0.9])]);
    gradOk('crossEntropy labels', (x) => nn.crossEntropy(x, [0, 2, 1, 2]), [randn([4, 3])]);
    gradOk('crossEntropy labels, sum', (x) => nn.crossEntropy(x, [0, 2, 1, 2], { reduction: 'sum' }), [randn([4, 3])]);
    gradOk('crossEntropy label smoothing', (x) => nn.crossEntropy(x, [0, 2, 1, 2], { labelSmoothing: 0.1 }), [randn([4, 3])]);
    const soft = nn.softmax(randnFixed([4, 3]));
    gradOk('crossEntropy probabilities', (x) => nn.crossEntropy(x, soft), [randn([4, 3])]);
    gradOk('nllLoss', (x) => nn.nllLoss(nn.logSoftmax(x), [1, 1, 0, 2]), [randn([4, 3])]);
    const bt = nn.tensor([1, 0, 1, 1, 0, 0]);
    gradOk('bce with logits', (x) => nn.binaryCrossEntropyWithLogits(x, bt), [nn.tensor([0, 0.5, -1, 2, -3, 0.1])]);
    gradOk('bce with logits, target grad', (t2) => nn.binaryCrossEntropyWithLogits(nn.tensor([0.3, -0.2]), t2), [nn.tensor([0.4, 0.7])]);
    gradOk('bce from probabilities', (p) => nn.binaryCrossEntropy(p, bt), [nn.tensor([0.2, 0.6, 0.3, 0.9, 0.4, 0.5])]);
    gradOk('l2Penalty', (a, b) => nn.l2Penalty([a, b]), [randn([3]), randn([2, 2])]);
    gradOk('l1Penalty', (a) => nn.l1Penalty([a]), [nn.tensor([0.5, -0.4, 2])]);
  });

  it('gives the exact gradient of BCE with logits at 0 (sigmoid(0) - t)', () => {
    const x = nn.tensor([0, 0], undefined, { requiresGrad: true });
    nn.binaryCrossEntropyWithLogits(x, nn.tensor([1, 0]), 'sum').backward();
    expect(Array.from(x.grad!.data)).toEqual([-0.5, 0.5]);
  });
});

const maxOf = (v: Float32Array): number => v.reduce((m, x) => Math.max(m, x), -Infinity);

describe('init', () => {
  it('draws Xavier and Kaiming with the right spread, deterministically', () => {
    const t = nn.zeros([256, 512]);
    nn.init.xavierUniform_(t, 1, new Generator(1));
    const a = Math.sqrt(6 / (256 + 512));
    const v = t.toArray();
    expect(maxOf(v)).toBeLessThanOrEqual(a);
    expect(v.reduce((s, x) => s + x * x, 0) / v.length).toBeCloseTo((a * a) / 3, 4);
    nn.init.kaimingNormal_(t, { nonlinearity: 'relu', generator: new Generator(2) });
    const std = Math.sqrt(2 / 512);
    expect(Math.sqrt(t.toArray().reduce((s, x) => s + x * x, 0) / t.size) / std).toBeCloseTo(1, 1);
    nn.init.kaimingUniform_(t, { mode: 'fan_out', nonlinearity: 'relu', generator: new Generator(3) });
    expect(maxOf(t.toArray())).toBeLessThanOrEqual(Math.sqrt(2) * Math.sqrt(3 / 256));
    nn.init.xavierNormal_(t, 2, new Generator(4));
    const x1 = t.toArray();
    nn.init.xavierNormal_(t, 2, new Generator(4));
    expect(t.toArray()).toEqual(x1);
    expect(nn.init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 10);
    expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3, 10);
    nn.init.constant_(t, 0.5);
    expect(t.toArray().every((x) => x === 0.5)).toBe(true);
  });
});
