/** Every differentiable op against central finite differences, on both kernel builds. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { builds, use } from './setup.js';

const gen = new Generator(7);
const randn = (shape: number[]): Tensor => nn.randn(shape, { generator: gen });
/** Values kept away from 0 (for ops with a kink or a pole there). */
const awayFromZero = (shape: number[], min = 0.2): Tensor => {
  const t = randn(shape);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.sign(d[i]! || 1) * (min + Math.abs(d[i]!));
  return t;
};
const positive = (shape: number[]): Tensor => nn.rand(shape, { low: 0.5, high: 2, generator: gen });

for (const { isa } of builds) {
  describe(`gradients (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });

    const check = (name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[], opts = {}) =>
      it(name, () => {
        nn.tidy(() => {
          const r = assertGradCheck(fn, inputs(), { name, ...opts });
          expect(r.checked).toBeGreaterThan(0);
          expect(r.mismatches).toEqual([]);
        });
      });

    describe('arithmetic with broadcasting', () => {
      check('add same shape', nn.add, () => [randn([3, 5]), randn([3, 5])]);
      check('add row vector', nn.add, () => [randn([4, 7]), randn([7])]);
      check('add column vector', nn.add, () => [randn([4, 7]), randn([4, 1])]);
      check('add rank-3 with [1,5,1]', nn.add, () => [randn([2, 5, 3]), randn([1, 5, 1])]);
      check('add scalar tensor', nn.add, () => [randn([3, 3]), randn([])]);
      check('sub row vector', nn.sub, () => [randn([4, 7]), randn([7])]);
      check('sub column vector (broadcast on the left)', nn.sub, () => [randn([4, 1]), randn([4, 6])]);
      check('mul same shape', nn.mul, () => [randn([3, 5]), randn([3, 5])]);
      check('mul row and column', nn.mul, () => [randn([1, 6]), randn([5, 1])]);
      check('div same shape', nn.div, () => [randn([3, 5]), awayFromZero([3, 5], 0.5)]);
      check('div by column vector', nn.div, () => [randn([3, 5]), awayFromZero([3, 1], 0.5)]);
      check('number minus tensor', (x) => nn.sub(2, x), () => [randn([9])]);
      check('number over tensor', (x) => nn.div(3, x), () => [awayFromZero([9], 0.5)]);
      check('tensor plus number', (x) => nn.add(x, 1.5), () => [randn([9])]);
      check('tensor times number', (x) => nn.mul(x, -2.5), () => [randn([9])]);
      check('tensor over number', (x) => nn.div(x, 4), () => [randn([9])]);
      check('neg', nn.neg, () => [randn([11])]);
      check('clamp (away from the bounds)', (x) => nn.clamp(x, -0.5, 0.5), () => {
        const t = randn([30]);
        const d = t.data;
        for (let i = 0; i < d.length; i++) if (Math.abs(Math.abs(d[i]!) - 0.5) < 0.05) d[i] = 0.1;
        return [t];
      });
    });

    describe('activations and elementwise functions', () => {
      check('identity', nn.identity, () => [randn([13])]);
      check('step (zero gradient)', nn.step, () => [awayFromZero([13])]);
      check('sigmoid', nn.sigmoid, () => [randn([17])]);
      check('tanh', nn.tanh, () => [randn([17])]);
      check('relu', nn.relu, () => [awayFromZero([17])]);
      check('leaky relu', (x) => nn.leakyRelu(x, 0.1), () => [awayFromZero([17])]);
      check('elu', (x) => nn.elu(x, 0.7), () => [awayFromZero([17])]);
      check('gaussian', nn.gaussian, () => [randn([17])]);
      check('exp', nn.exp, () => [randn([17])]);
      check('log', nn.log, () => [positive([17])]);
      check('sqrt', nn.sqrt, () => [positive([17])]);
      check('square', nn.square, () => [randn([17])]);
      check('abs', nn.abs, () => [awayFromZero([17])]);
      check('reciprocal', nn.reciprocal, () => [awayFromZero([17], 0.5)]);
    });

    describe('softmax', () => {
      check('softmax over rows', (x) => nn.softmax(x), () => [randn([4, 6])]);
      check('log-softmax over rows', (x) => nn.logSoftmax(x), () => [randn([4, 6])]);
      check('softmax over axis 0', (x) => nn.softmax(x, 0), () => [randn([5, 3])]);
      check('log-softmax over the middle axis', (x) => nn.logSoftmax(x, 1), () => [randn([2, 4, 3])]);
    });

    describe('reductions', () => {
      check('sum of all', (x) => nn.sum(x), () => [randn([3, 4])]);
      check('sum over axis 0', (x) => nn.sum(x, 0), () => [randn([3, 4])]);
      check('sum over axes 0 and 2, kept', (x) => nn.sum(x, [0, 2], true), () => [randn([2, 3, 4])]);
      check('mean of all', (x) => nn.mean(x), () => [randn([5, 3])]);
      check('mean over the last axis', (x) => nn.mean(x, -1), () => [randn([5, 3])]);
      check('max over axis 1', (x) => nn.max(x, 1), () => [randn([4, 7])]);
      check('max of all', (x) => nn.max(x), () => [randn([4, 7])]);
      check('min over axis 0, kept', (x) => nn.min(x, 0, true), () => [randn([4, 7])]);
    });

    describe('shape operations', () => {
      check('reshape', (x) => nn.mul(nn.reshape(x, [6, 2]), nn.reshape(x, [6, 2])), () => [randn([3, 4])]);
      check('flatten', (x) => nn.flatten(x, 1), () => [randn([2, 3, 4])]);
      check('transpose 2-D', (x) => nn.transpose(x), () => [randn([3, 5])]);
      check('permute 3-D', (x) => nn.permute(x, [2, 0, 1]), () => [randn([2, 3, 4])]);
      check('slice', (x) => nn.slice(x, [1, 2], [2, -1]), () => [randn([4, 5])]);
      check('narrow', (x) => nn.narrow(x, 1, 1, 3), () => [randn([2, 5, 2])]);
      check('concat along axis 1', (a, b) => nn.concat([a, b], 1), () => [randn([2, 3]), randn([2, 4])]);
      check('concat along axis 0 with reuse', (a) => nn.concat([a, a], 0), () => [randn([2, 3])]);
      check('stack', (a, b) => nn.stack([a, b], 1), () => [randn([3, 2]), randn([3, 2])]);
      check('expand', (x) => nn.expand(x, [4, 3, 5]), () => [randn([3, 1])]);
      check('clone', (x) => nn.clone(x), () => [randn([6])]);
    });

    describe('matrix products', () => {
      check('matmul 2-D', nn.matmul, () => [randn([3, 5]), randn([5, 4])]);
      check('matmul odd sizes', nn.matmul, () => [randn([7, 13]), randn([13, 5])]);
      check('matmul [2,3,4] @ [4,5] (folded batch)', nn.matmul, () => [randn([2, 3, 4]), randn([4, 5])]);
      check('matmul batched [2,3,4] @ [2,4,5]', nn.matmul, () => [randn([2, 3, 4]), randn([2, 4, 5])]);
      check('matmul vector @ matrix', nn.matmul, () => [randn([4]), randn([4, 3])]);
      check('matmul matrix @ vector', nn.matmul, () => [randn([3, 4]), randn([4])]);
      check('linear with bias', nn.linear, () => [randn([5, 6]), randn([4, 6]), randn([4])]);
      check('linear without bias, 3-D input', (x, w) => nn.linear(x, w), () => [randn([2, 3, 6]), randn([4, 6])]);
    });

    describe('composition', () => {
      check(
        'residual MLP block',
        (x, w1, b1, w2) => nn.add(x, nn.linear(nn.tanh(nn.linear(x, w1, b1)), w2)),
        () => [randn([3, 4]), randn([5, 4]), randn([5]), randn([4, 5])],
      );
      check(
        'cross-entropy from log-softmax',
        (logits) => nn.neg(nn.mean(nn.sum(nn.mul(nn.logSoftmax(logits), nn.tensor([[1, 0, 0], [0, 0, 1]])), 1))),
        () => [randn([2, 3])],
      );
    });
  });
}
