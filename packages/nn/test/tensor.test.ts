import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

describe('creating and reading tensors', () => {
  it('infers shapes from nested arrays and reads them back', () => {
    const t = nn.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.toNested()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('fills constants', () => {
    expect(Array.from(nn.zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(nn.ones([3]).data)).toEqual([1, 1, 1]);
    expect(Array.from(nn.full([2], 2.5).data)).toEqual([2.5, 2.5]);
    expect(nn.scalar(4).item()).toBe(4);
    expect(Array.from(nn.eye(2).data)).toEqual([1, 0, 0, 1]);
    expect(Array.from(nn.arange(3).data)).toEqual([0, 1, 2]);
  });

  it('rejects data that does not fill the shape, naming both', () => {
    expect(() => nn.tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
    expect(() => nn.tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => nn.zeros([2, -1])).toThrow(/invalid shape \[2, -1\]/);
  });

  it('keeps frozen shapes: its own copy of the array it was given, shared by views', () => {
    const dims = [2, 3];
    const t = nn.Tensor.empty(dims);
    dims[0] = 5;
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(() => (t.shape as number[]).push(1)).toThrow();
    const v = nn.Tensor.view(t, t.shape);
    expect(v.shape).toBe(t.shape);
    const r = nn.Tensor.view(t, [3, 2]);
    expect(Object.isFrozen(r.shape)).toBe(true);
    expect(r.shape).toEqual([3, 2]);
    expect(() => nn.Tensor.empty([2, -1])).toThrow(/empty: invalid shape \[2, -1\]/);
  });

  it('is deterministic when seeded', () => {
    const a = nn.randn([50], { generator: new nn.Generator(42) }).toArray();
    const b = nn.randn([50], { generator: new nn.Generator(42) }).toArray();
    const c = nn.randn([50], { generator: new nn.Generator(43) }).toArray();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    nn.manualSeed(5);
    const d = nn.rand([20]).toArray();
    nn.manualSeed(5);
    expect(nn.rand([20]).toArray()).toEqual(d);
  });

  it('draws normal and uniform samples with the right moments', () => {
    const g = new nn.Generator(1);
    const x = nn.randn([20000], { generator: g }).toArray();
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const u = nn.rand([20000], { generator: g, low: -1, high: 3 }).toArray();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / u.length - 1)).toBeLessThan(0.05);
  });
});

describe('ops compute what they say', () => {
  it('broadcasts like PyTorch', () => {
    const a = nn.tensor([[1], [2]]);
    const b = nn.tensor([10, 20, 30]);
    expect(nn.add(a, b).toNested()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
    expect(nn.sub(b, 1).toNested()).toEqual([9, 19, 29]);
    expect(nn.div(1, nn.tensor([2, 4])).toNested()).toEqual([0.5, 0.25]);
  });

  it('multiplies matrices, batched and with vectors', () => {
    const a = nn.tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = nn.tensor([
      [5, 6],
      [7, 8],
    ]);
    expect(nn.matmul(a, b).toNested()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    expect(nn.matmul(nn.tensor([1, 1]), b).toNested()).toEqual([12, 14]);
    expect(nn.matmul(a, nn.tensor([1, 1])).toNested()).toEqual([3, 7]);
    const batched = nn.matmul(nn.stack([a, b]), nn.stack([b, a]));
    expect(batched.shape).toEqual([2, 2, 2]);
    expect(batched.toNested()).toEqual([
      [
        [19, 22],
        [43, 50],
      ],
      [
        [23, 34],
        [31, 46],
      ],
    ]);
  });

  it('applies a linear layer with PyTorch weight layout [out, in]', () => {
    const x = nn.tensor([[1, 2, 3]]);
    const w = nn.tensor([
      [1, 0, 0],
      [0, 1, 1],
    ]);
    expect(nn.linear(x, w, nn.tensor([0.5, -1])).toNested()).toEqual([[1.5, 4]]);
  });

  it('reduces over axes', () => {
    const x = nn.tensor([
      [1, 5, 3],
      [4, 2, 6],
    ]);
    expect(nn.sum(x).item()).toBe(21);
    expect(nn.sum(x, 0).toNested()).toEqual([5, 7, 9]);
    expect(nn.mean(x, 1, true).toNested()).toEqual([[3], [4]]);
    expect(nn.max(x, 1).toNested()).toEqual([5, 6]);
    expect(nn.min(x).item()).toBe(1);
    expect(Array.from(nn.argmax(x, 1))).toEqual([1, 2]);
    expect(Array.from(nn.argmax(x, 0))).toEqual([1, 0, 1]);
  });

  it('computes the seeds\' softmax example: (4, 1, -4) gives 95.25%, 4.71%, 0.04%', () => {
    const p = nn.softmax(nn.tensor([4, 1, -4])).toArray();
    // The seed rounds loosely (95.25%, 4.71%, 0.04%); exactly it is 95.227%, 4.741%, 0.032%.
    expect(p[0]).toBeCloseTo(0.9525, 3);
    expect(p[1]).toBeCloseTo(0.0471, 3);
    expect(p[2]).toBeCloseTo(0.0004, 3);
    const z = Math.exp(4) + Math.exp(1) + Math.exp(-4);
    [4, 1, -4].forEach((v, i) => expect(p[i]).toBeCloseTo(Math.exp(v) / z, 6));
  });

  it('reshapes without copying and permutes with a copy', () => {
    const x = nn.arange(6);
    const r = nn.reshape(x, [2, -1]);
    expect(r.shape).toEqual([2, 3]);
    expect(r.ptr).toBe(x.ptr);
    expect(nn.transpose(r).toNested()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(nn.slice(r, [0, 1], [2, 2]).toNested()).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect(nn.concat([r, r], 1).toNested()).toEqual([
      [0, 1, 2, 0, 1, 2],
      [3, 4, 5, 3, 4, 5],
    ]);
  });
});

describe('bad input gets a clear error', () => {
  it('names the op and both shapes on a mismatch', () => {
    const a = nn.zeros([2, 3]);
    const b = nn.zeros([4, 5]);
    expect(() => nn.matmul(a, b)).toThrow('matmul: cannot multiply [2, 3] by [4, 5]: inner dimensions 3 and 4 differ');
    expect(() => nn.add(a, b)).toThrow('add: shapes [2, 3] and [4, 5] cannot be broadcast together');
    expect(() => nn.mul(a, nn.zeros([2]))).toThrow('mul: shapes [2, 3] and [2] cannot be broadcast together');
    expect(() => nn.linear(nn.zeros([8, 5]), nn.zeros([4, 6]))).toThrow(
      'linear: input [8, 5] does not match weight [4, 6]: expected last input dimension 6',
    );
    expect(() => nn.concat([a, b], 0)).toThrow('concat: shapes [2, 3] and [4, 5] differ outside axis 0');
    expect(() => nn.reshape(a, [4, 2])).toThrow('reshape: cannot reshape [2, 3] (6 elements) to [4, 2]');
    expect(() => nn.sum(a, 2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
  });

  it('explains backward on a tensor that needs no gradient, and a disposed tensor', () => {
    const a = nn.ones([2]);
    expect(() => nn.sum(a).backward()).toThrow(/does not require grad/);
    const w = nn.ones([3], { requiresGrad: true });
    expect(() => nn.mul(w, 2).backward()).toThrow(/one-element output, not \[3\]/);
    const d = nn.ones([2]);
    d.dispose();
    expect(() => d.data).toThrow(/freed by dispose\(\)/);
  });
});

describe('autograd', () => {
  it('accumulates gradients into leaves, through shared subexpressions', () => {
    const x = nn.tensor([1, 2, 3], undefined, { requiresGrad: true });
    const y = nn.mul(x, x); // x^2
    const z = nn.sum(nn.add(y, nn.mul(y, 3))); // 4 x^2
    z.backward();
    expect(Array.from(x.grad!.data)).toEqual([8, 16, 24]);
    nn.sum(nn.mul(x, 2)).backward();
    expect(Array.from(x.grad!.data)).toEqual([10, 18, 26]);
  });

  it('does not record inside noGrad', () => {
    const x = nn.ones([2], { requiresGrad: true });
    const y = nn.noGrad(() => nn.mul(x, 2));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBe(null);
  });
});

describe('in-place updates check their arguments', () => {
  it('names the op and the argument', () => {
    const t = nn.zeros([3]);
    expect(() => t.copy_('a' as unknown as nn.Tensor)).toThrow(/copy_: argument "src" must be a Tensor, got string "a"/);
    expect(() => t.fill_(undefined as unknown as number)).toThrow(/fill_: argument "value" must be a number/);
    expect(() => t.addScaled_(nn.ones([3]), '2' as unknown as number)).toThrow(/addScaled_: argument "alpha" must be a number/);
    expect(() => nn.scale_(null as unknown as nn.Tensor, 2)).toThrow(/scale_: argument "t" must be a Tensor, got null/);
    expect(() => t.copy_(nn.ones([4]))).toThrow(/copy_: source \[4\] does not match \[3\]/);
    expect(Array.from(t.addScaled_(nn.ones([3]), 2).scale_(3, 1).data)).toEqual([7, 7, 7]);
  });
});
