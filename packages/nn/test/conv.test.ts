/** Convolution layers: gradients by finite differences, shapes, errors, PyTorch-style init. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { builds, use } from './setup.js';
import { directApplies, winogradApplies } from '@deepwasm/kernels';

const gen = new Generator(17);
const randn = (shape: number[]): Tensor => nn.randn(shape, { generator: gen });

function gradOk(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts = {}): void {
  nn.tidy(() => {
    const r = assertGradCheck(fn, inputs, { name, maxPerInput: 64, ...opts });
    expect(r.mismatches).toEqual([]);
  });
}

/** Distinct values (no ties) so max pooling's gradient is defined. */
function distinct(shape: number[]): Tensor {
  const t = randn(shape);
  const d = t.data;
  const order = Array.from(d.keys()).sort((a, b) => d[a]! - d[b]!);
  order.forEach((idx, rank) => (d[idx] = (rank - order.length / 2) * 0.05));
  const p = gen.permutation(d.length);
  const copy = Float32Array.from(d);
  for (let i = 0; i < d.length; i++) d[i] = copy[p[i]!]!;
  return t;
}

for (const { isa } of builds) {
  describe(`convolution gradients (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });

    it('conv2d: plain, stride 2 + padding, dilation 2, groups 2, depthwise, 1x1', () => {
      gradOk('conv2d 3x3', (x, w, b) => nn.conv2d(x, w, b), [randn([2, 3, 6, 5]), randn([4, 3, 3, 3]), randn([4])]);
      gradOk('conv2d stride 2 pad 1', (x, w, b) => nn.conv2d(x, w, b, { stride: 2, padding: 1 }), [randn([2, 2, 7, 7]), randn([3, 2, 3, 3]), randn([3])]);
      gradOk('conv2d dilation 2', (x, w) => nn.conv2d(x, w, null, { dilation: 2, padding: [2, 1] }), [randn([1, 2, 8, 7]), randn([3, 2, 3, 3])]);
      gradOk('conv2d groups 2', (x, w, b) => nn.conv2d(x, w, b, { groups: 2, padding: 1 }), [randn([2, 4, 5, 5]), randn([6, 2, 3, 3]), randn([6])]);
      gradOk('conv2d depthwise', (x, w) => nn.conv2d(x, w, null, { groups: 3, padding: 1 }), [randn([1, 3, 5, 6]), randn([3, 1, 3, 3])]);
      gradOk('conv2d 1x1', (x, w, b) => nn.conv2d(x, w, b), [randn([2, 5, 3, 4]), randn([4, 5, 1, 1]), randn([4])]);
      gradOk('conv2d covering the whole input (a dense layer)', (x, w, b) => nn.conv2d(x, w, b), [randn([3, 2, 3, 4]), randn([5, 2, 3, 4]), randn([5])]);
    });

    it('conv2d on the direct path (few taps, stride 1, rows of 8 or more): LeNet C1-like, odd sizes', () => {
      const shapes = { N: 2, C: 1, H: 9, W: 11, OC: 3, KH: 5, KW: 5, strideH: 1, strideW: 1, padH: 2, padW: 2, dilationH: 1, dilationW: 1, groups: 1 };
      expect(directApplies(shapes)).toBe(true);
      gradOk('conv2d direct', (x, w, b) => nn.conv2d(x, w, b, { padding: 2 }), [randn([2, 1, 9, 11]), randn([3, 1, 5, 5]), randn([3])], { eps: 0.05 });
    });

    it('conv2d on the Winograd path (3x3, stride 1, 16+ channels, 48+ output tiles), odd sizes', () => {
      const shapes = { N: 1, C: 16, H: 13, W: 15, OC: 17, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };
      expect(winogradApplies(shapes)).toBe(true);
      // Linear in each input, so a wide step is exact and keeps float32 rounding of the 3,315-term loss out of the quotient.
      gradOk('conv2d Winograd', (x, w, b) => nn.conv2d(x, w, b, { padding: 1 }), [randn([1, 16, 13, 15]), randn([17, 16, 3, 3]), randn([17])], { eps: 0.05 });
    });

    it('pooling: max (overlapping, padded), average (with and without counted padding), global', () => {
      gradOk('maxPool2d 2x2', (x) => nn.maxPool2d(x, 2), [distinct([2, 3, 6, 6])], { eps: 1e-3 });
      gradOk('maxPool2d 3x3/2 pad 1', (x) => nn.maxPool2d(x, 3, { stride: 2, padding: 1 }), [distinct([1, 2, 7, 7])], { eps: 1e-3 });
      gradOk('avgPool2d 2x2', (x) => nn.avgPool2d(x, 2), [randn([2, 2, 6, 4])]);
      gradOk('avgPool2d 3x3/2 pad 1', (x) => nn.avgPool2d(x, 3, { stride: 2, padding: 1 }), [randn([1, 2, 7, 7])]);
      gradOk('avgPool2d no counted padding', (x) => nn.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }), [randn([1, 2, 5, 5])]);
      gradOk('globalAvgPool2d', (x) => nn.globalAvgPool2d(x), [randn([2, 3, 4, 5])]);
      gradOk('adaptiveAvgPool2d 2x2', (x) => nn.adaptiveAvgPool2d(x, 2), [randn([1, 2, 4, 6])]);
      gradOk('adaptiveAvgPool2d 3x3 from 5x4 (uneven bins)', (x) => nn.adaptiveAvgPool2d(x, 3), [randn([1, 2, 5, 4])]);
      gradOk('adaptiveAvgPool2d 7x7 from 2x2 (repeated bins)', (x) => nn.adaptiveAvgPool2d(x, 7), [randn([1, 1, 2, 2])]);
    });

    it('BatchNorm2d in training mode', () => {
      const bn = new nn.BatchNorm2d(3);
      bn.weight!.data.set([1.5, -0.5, 1]);
      gradOk('batchnorm2d', (x) => bn.forward(x), [randn([3, 3, 4, 2])], { atol: 3e-3 });
    });

    it('batchNorm with the batch statistics (fused kernels): values, running estimates, and gradients of x, weight and bias', () => {
      const x = randn([3, 2, 5, 3]);
      const weight = nn.tensor([1.5, -0.75]);
      const bias = nn.tensor([0.25, -1]);
      const runningMean = nn.tensor([0.5, 0]);
      const runningVar = nn.tensor([1, 2]);
      const y = nn.batchNorm(x, { weight, bias, runningMean, runningVar, training: true, momentum: 0.2 }).toArray();
      const xs = x.toArray();
      for (let c = 0; c < 2; c++) {
        const at: number[] = [];
        for (let n = 0; n < 3; n++) for (let p = 0; p < 15; p++) at.push((n * 2 + c) * 15 + p);
        const m = at.reduce((s, i) => s + xs[i]!, 0) / at.length;
        const v = at.reduce((s, i) => s + (xs[i]! - m) ** 2, 0) / at.length;
        for (const i of at) expect(y[i]).toBeCloseTo(((xs[i]! - m) / Math.sqrt(v + 1e-5)) * [1.5, -0.75][c]! + [0.25, -1][c]!, 5);
        expect(runningMean.data[c]).toBeCloseTo(0.8 * [0.5, 0][c]! + 0.2 * m, 6);
        expect(runningVar.data[c]).toBeCloseTo(0.8 * [1, 2][c]! + 0.2 * v * (45 / 44), 5);
      }
      gradOk('batchNorm training: x, weight, bias', (t, w, b) => nn.batchNorm(t, { weight: w, bias: b, training: true }), [randn([2, 3, 3, 2]), randn([3]), randn([3])], { atol: 3e-3 });
      gradOk('batchNorm training [N, C], no affine', (t) => nn.batchNorm(t, { training: true }), [randn([5, 4])], { atol: 3e-3 });
      expect(() => nn.batchNorm(x, { weight: nn.tensor([1, 2, 3]), training: true })).toThrow('batchNorm: weight has shape [3], expected [2] for input [3, 2, 5, 3]');
      expect(() => new nn.BatchNorm2d(2).forward(randn([1, 2, 1, 1]))).toThrow(
        'BatchNorm2d(2): expected more than 1 value per channel when training, got input [1, 2, 1, 1]',
      );
    });
  });
}

describe('convolution layers', () => {
  beforeAll(async () => {
    await use('simd128');
  });

  it('compute output shapes by (W - F + 2P) / S + 1', () => {
    expect(new nn.Conv2d(1, 6, 5).forward(nn.zeros([2, 1, 32, 32])).shape).toEqual([2, 6, 28, 28]);
    expect(new nn.Conv2d(3, 64, 11, { stride: 4, padding: 2 }).forward(nn.zeros([1, 3, 224, 224])).shape).toEqual([1, 64, 55, 55]);
    expect(new nn.MaxPool2d(3, { stride: 2 }).forward(nn.zeros([1, 64, 55, 55])).shape).toEqual([1, 64, 27, 27]);
    expect(new nn.AvgPool2d(2).forward(nn.zeros([1, 6, 28, 28])).shape).toEqual([1, 6, 14, 14]);
    expect(new nn.AdaptiveAvgPool2d(1).forward(nn.zeros([2, 8, 7, 7])).shape).toEqual([2, 8, 1, 1]);
    // PyTorch's bins: 5 rows into 3 cells read rows [0,2), [1,4), [3,5).
    const a = nn.adaptiveAvgPool2d(nn.tensor([0, 1, 2, 3, 4], [1, 1, 5, 1]), [3, 1]).toArray();
    expect(Array.from(a)).toEqual([0.5, 2, 3.5]);
  });

  it('initialise like PyTorch and lay weights out as [out, in/groups, kh, kw]', () => {
    const c = new nn.Conv2d(8, 16, 3, { groups: 2, generator: new Generator(1) });
    expect(c.weight.shape).toEqual([16, 4, 3, 3]);
    const bound = 1 / Math.sqrt(4 * 9);
    const w = c.weight.toArray();
    expect(w.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(c.bias!.toArray().every((v) => Math.abs(v) <= bound)).toBe(true);
    expect([...c.stateDict().keys()]).toEqual(['weight', 'bias']);
    const bn = new nn.BatchNorm2d(4);
    expect([...bn.stateDict().keys()]).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  });

  it('name the layer and both shapes on a mismatch', () => {
    expect(() => new nn.Conv2d(3, 8, 3).forward(nn.zeros([1, 1, 28, 28]))).toThrow(
      'Conv2d(3, 8): expected input [N, 3, H, W], got [1, 1, 28, 28] (weight [8, 3, 3, 3])',
    );
    expect(() => nn.conv2d(nn.zeros([1, 3, 4, 4]), nn.zeros([2, 3, 5, 5]))).toThrow(
      'conv2d: a 5x5 kernel (dilation 1x1) does not fit a 4x4 input with padding 0x0 (input [1, 3, 4, 4], weight [2, 3, 5, 5])',
    );
    expect(() => nn.maxPool2d(nn.zeros([1, 1, 2, 2]), 3)).toThrow(/a 3x3 window does not fit a 2x2 input/);
  });

  it('BatchNorm2d matches its definition per channel and uses running statistics in eval', () => {
    const bn = new nn.BatchNorm2d(2);
    const x = randn([3, 2, 2, 2]);
    const y = bn.forward(x).toArray();
    const xd = x.toArray();
    for (let c = 0; c < 2; c++) {
      const vals: number[] = [];
      const at: number[] = [];
      for (let n = 0; n < 3; n++) for (let i = 0; i < 4; i++) {
        at.push(n * 8 + c * 4 + i);
        vals.push(xd[n * 8 + c * 4 + i]!);
      }
      const m = vals.reduce((s, v) => s + v, 0) / vals.length;
      const v = vals.reduce((s, u) => s + (u - m) ** 2, 0) / vals.length;
      at.forEach((idx, j) => expect(y[idx]).toBeCloseTo((vals[j]! - m) / Math.sqrt(v + 1e-5), 5));
      expect(bn.runningMean!.data[c]).toBeCloseTo(0.1 * m, 6);
    }
    bn.eval();
    const ye = bn.forward(x).toArray();
    const rm = bn.runningMean!.toArray();
    const rv = bn.runningVar!.toArray();
    expect(ye[5]).toBeCloseTo((xd[5]! - rm[1]!) / Math.sqrt(rv[1]! + 1e-5), 5);
  });

  it('BatchNorm2d in eval: the fused inference pass equals the recorded composite, whose gradients check', () => {
    for (const affine of [true, false]) {
      const bn = new nn.BatchNorm2d(5, { affine });
      bn.runningMean!.data.set([0.5, -1, 0, 2, -0.25]);
      bn.runningVar!.data.set([1, 0.3, 4, 0.05, 2]);
      if (affine) {
        bn.weight!.data.set([1.5, -0.5, 1, 2, 0.75]);
        bn.bias!.data.set([0.1, 0, -2, 0.5, 1]);
      }
      bn.eval();
      const x = randn([3, 5, 3, 7]);
      const fused = nn.noGrad(() => bn.forward(x)).toArray();
      const xg = randn([3, 5, 3, 7]);
      xg.data.set(x.data);
      xg.requiresGrad = true;
      const composite = bn.forward(xg);
      expect(composite.requiresGrad).toBe(true); // the composite path ran
      const c = composite.toArray();
      for (let i = 0; i < c.length; i++) expect(Math.abs(fused[i]! - c[i]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(c[i]!)));
      const xs = x.toArray();
      const m = bn.runningMean!.toArray(), v = bn.runningVar!.toArray();
      const w = affine ? bn.weight!.toArray() : null, b = affine ? bn.bias!.toArray() : null;
      const i = 2 * 105 + 3 * 21 + 10; // n = 2, c = 3, p = 10
      expect(fused[i]).toBeCloseTo(((xs[i]! - m[3]!) / Math.sqrt(v[3]! + 1e-5)) * (w ? w[3]! : 1) + (b ? b[3]! : 0), 4);
      gradOk(`eval batchnorm2d input (affine ${affine})`, (t) => bn.forward(t), [randn([2, 5, 2, 3])], { atol: 3e-3 });
      if (affine) gradOk('eval batchnorm2d weight and bias', () => bn.forward(x), [bn.weight!, bn.bias!], { atol: 3e-3 });
    }
  });
});
