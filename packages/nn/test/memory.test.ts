/** Scopes free what a step made, so a long training loop runs in constant WASM memory. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { Kernels } from '@deepwasm/kernels';
import { use } from './setup.js';

let k: Kernels;
beforeAll(async () => {
  k = await use('simd128');
});

describe('scopes', () => {
  it('disposes intermediates and keeps what is returned', () => {
    const before = k.arena.stats().liveBlocks;
    const kept: nn.Tensor[] = [];
    const out = nn.tidy(() => {
      const a = nn.ones([4]);
      const b = nn.mul(a, 3);
      kept.push(nn.full([2], 1).keep());
      return { sum: nn.sum(b) };
    });
    expect(out.sum.item()).toBe(12);
    expect(k.arena.stats().liveBlocks).toBe(before + 2);
    out.sum.dispose();
    kept[0]!.dispose();
    expect(k.arena.stats().liveBlocks).toBe(before);
  });

  it('keeps the graph of a returned loss alive, so backward can run outside the scope', () => {
    const w = nn.tensor([1, 2], undefined, { requiresGrad: true });
    const loss = nn.tidy(() => nn.sum(nn.square(nn.mul(w, 3))));
    loss.backward();
    expect(Array.from(w.grad!.data)).toEqual([18, 36]);
  });

  it('frees everything when the function throws', () => {
    const before = k.arena.stats().liveBlocks;
    expect(() =>
      nn.tidy(() => {
        nn.ones([10]);
        nn.matmul(nn.ones([2, 3]), nn.ones([4, 5]));
      }),
    ).toThrow(/matmul/);
    expect(k.arena.stats().liveBlocks).toBe(before);
  });
});

describe('a long training loop', () => {
  it('runs 10,000 forward+backward+update steps of an MLP with flat WASM memory after warm-up', () => {
    const g = new nn.Generator(3);
    const param = (shape: number[], scale: number) =>
      nn.randn(shape, { generator: g, std: scale, requiresGrad: true }).keep();
    const w1 = param([16, 8], 0.3);
    const b1 = param([16], 0);
    const w2 = param([4, 16], 0.3);
    const b2 = param([4], 0);
    const params = [w1, b1, w2, b2];
    const x = nn.randn([32, 8], { generator: g }).keep();
    const target = nn.randn([32, 4], { generator: g }).keep();

    const step = (): number =>
      nn.tidy(() => {
        const h = nn.relu(nn.linear(x, w1, b1));
        const y = nn.linear(h, w2, b2);
        const loss = nn.mean(nn.square(nn.sub(y, target)));
        loss.backward();
        nn.noGrad(() => {
          for (const p of params) {
            p.addScaled_(p.grad!, -0.05);
            p.grad!.zero_();
          }
        });
        return loss.item();
      });

    const first = step();
    for (let i = 0; i < 99; i++) step();
    const warm = { bytes: k.memory.buffer.byteLength, ...k.arena.stats() };
    let last = 0;
    for (let i = 0; i < 9900; i++) last = step();
    const after = { bytes: k.memory.buffer.byteLength, ...k.arena.stats() };
    expect(after.bytes).toBe(warm.bytes);
    expect(after.liveBlocks).toBe(warm.liveBlocks);
    expect(after.inUse).toBe(warm.inUse);
    expect(after.reserved).toBe(warm.reserved);
    // ...and it learned something on the way.
    expect(last).toBeLessThan(first * 0.8);
  });

  it('trains a bidirectional 2-layer LSTM with padded batches, an embedding, a linear head and Adam in flat memory', () => {
    nn.manualSeed(5);
    const g = new nn.Generator(6);
    const emb = new nn.Embedding(20, 8);
    const lstm = new nn.LSTM(8, 12, { numLayers: 2, bidirectional: true, dropout: 0.1 });
    const head = new nn.Linear(24, 20);
    const params = [...emb.parameters(), ...lstm.parameters(), ...head.parameters()];
    const opt = new nn.Adam(params, { lr: 1e-2 });
    const T = 9, B = 5;
    const ids = Int32Array.from({ length: T * B }, () => g.int(20));
    const targets = Int32Array.from(ids, (v) => (v + 1) % 20);
    const lengths = [9, 7, 9, 3, 1];
    const step = (): number =>
      nn.tidy(() => {
        opt.zeroGrad();
        const out = lstm.run(emb.forward({ indices: ids, shape: [T, B] }), { lengths }).output;
        const loss = nn.sequenceCrossEntropy(head.forward(out), targets, { lengths });
        loss.backward();
        nn.clipGradNorm_(params, 1);
        opt.step();
        return loss.item();
      });
    const first = step();
    for (let i = 0; i < 50; i++) step();
    const warm = { bytes: k.memory.buffer.byteLength, ...k.arena.stats() };
    let last = 0;
    for (let i = 0; i < 500; i++) last = step();
    const after = { bytes: k.memory.buffer.byteLength, ...k.arena.stats() };
    expect(after.bytes).toBe(warm.bytes);
    expect(after.liveBlocks).toBe(warm.liveBlocks);
    expect(after.inUse).toBe(warm.inUse);
    expect(after.reserved).toBe(warm.reserved);
    expect(last).toBeLessThan(first * 0.5);
    opt.dispose();
  });
});
