/** Attention: weights against a hand computation, masking, and finite-difference gradients. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { builds, use } from './setup.js';

for (const { isa } of builds) {
  describe(`attention (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });

    it('dot-product attention weights are softmax(q·k) and the context is their weighted sum of values', () => {
      nn.tidy(() => {
        const q = nn.tensor([[1, 0], [0, 2]]);
        const keys = nn.tensor([[[1, 0], [0, 1], [1, 1]], [[1, 0], [0, 1], [2, 0]]]);
        const values = nn.tensor([[[1, 10], [2, 20], [3, 30]], [[4, 0], [5, 0], [6, 0]]]);
        const { context, weights } = nn.dotProductAttention(q, keys, values);
        const e = (xs: number[]) => xs.map((x) => Math.exp(x) / xs.reduce((s, y) => s + Math.exp(y), 0));
        const w0 = e([1, 0, 1]);
        const w1 = e([0, 2, 0]);
        const w = weights.toArray();
        [...w0, ...w1].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 6));
        const c = context.toArray();
        expect(c[0]).toBeCloseTo(w0[0]! * 1 + w0[1]! * 2 + w0[2]! * 3, 5);
        expect(c[1]).toBeCloseTo(w0[0]! * 10 + w0[1]! * 20 + w0[2]! * 30, 5);
        expect(c[2]).toBeCloseTo(w1[0]! * 4 + w1[1]! * 5 + w1[2]! * 6, 5);
      });
    });

    it('masked (padded) source positions get zero weight', () => {
      nn.tidy(() => {
        const gen = new Generator(1);
        for (const attn of [new nn.DotAttention(4), new nn.DotAttention(4, 6, { general: true, scaled: true }), new nn.AdditiveAttention(4, 6, 5)]) {
          const keyDim = attn instanceof nn.DotAttention ? attn.keyDim : 6;
          const keys = nn.randn([2, 5, keyDim], { generator: gen });
          const mem = attn.memory(keys, { lengths: [5, 2] });
          const { weights, context } = attn.attend(nn.randn([2, 4], { generator: gen }), mem);
          const w = weights.toArray();
          expect(w.subarray(7, 10).every((v) => v === 0)).toBe(true);
          expect(w.subarray(0, 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
          expect(w[5]! + w[6]!).toBeCloseTo(1, 6);
          expect([...context.shape]).toEqual([2, keyDim]);
        }
      });
    });

    it('gradients of dot-product and additive attention match finite differences (query, keys, values, parameters)', () => {
      nn.tidy(() => {
        const gen = new Generator(2);
        const r = (s: number[]) => nn.randn(s, { generator: gen });
        const bias = nn.attentionMaskBias(nn.tensor([[1, 1, 1, 0], [1, 1, 1, 1]]));
        const dot = (q: Tensor, k: Tensor, v: Tensor) => {
          const a = nn.dotProductAttention(q, k, v, { maskBias: bias, scale: 0.5 });
          return nn.concat([a.context, a.weights], 1);
        };
        expect(assertGradCheck(dot, [r([2, 3]), r([2, 4, 3]), r([2, 4, 5])], { name: 'dot attention' }).checked).toBeGreaterThan(50);
        const add = (q: Tensor, k: Tensor, v: Tensor, vv: Tensor) => {
          const a = nn.additiveAttention(q, k, vv, v, bias);
          return nn.concat([a.context, a.weights], 1);
        };
        expect(assertGradCheck(add, [r([2, 3]), r([2, 4, 3]), r([2, 4, 5]), r([3])], { name: 'additive attention' }).checked).toBeGreaterThan(50);
      });
    });

    it('shape errors name both shapes', () => {
      nn.tidy(() => {
        expect(() => nn.dotProductAttention(nn.zeros([2, 3]), nn.zeros([2, 4, 5]))).toThrow(/query \[2, 3\] and keys \[2, 4, 5\] differ/);
        expect(() => new nn.DotAttention(3, 5)).toThrow(/query size 3 and key size 5 differ/);
      });
    });
  });
}
