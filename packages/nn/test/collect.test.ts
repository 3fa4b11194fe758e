/**
 * The garbage collector's share of tensor lifetime: a tensor that nothing of the library holds (made
 * outside every scope before the first step, or kept) is freed once the program drops it, and only
 * those are registered with the FinalizationRegistry (a scope's or a step's tensors are freed by
 * them). The test forces collections (V8's gc, exposed at run time) and reads the arena.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kernels } from '@deepwasm/kernels';
import * as nn from '../src/index.js';
import { use } from './setup.js';

let k: Kernels;
let gc: () => void;
beforeAll(async () => {
  k = await use('simd128');
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc') as () => void;
});

/** Collects until the finalizers have run (they are called from tasks after a collection). */
async function collect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

const inUse = () => k.arena.stats().inUse;
const BLOCK = 4096 * 4;

describe('tensors the program drops', () => {
  // Runs first in this file: no step has begun yet.
  it('frees tensors made outside every scope before the first step, views and scope results too', async () => {
    expect(nn.currentStep()).toBe(0);
    const kept = nn.randn([4096]).keep();
    await collect();
    const base = inUse();
    for (let i = 0; i < 300; i++) {
      const t = nn.randn([4096]);
      nn.mul(t, 2).reshape([64, 64]);
      nn.tidy(() => nn.add(nn.randn([4096]), 1));
    }
    expect(inUse()).toBeGreaterThan(base + 100 * BLOCK);
    await collect();
    expect(inUse()).toBeLessThanOrEqual(base + 2 * BLOCK);
    expect(kept.data.length).toBe(4096);
  });

  it('frees kept tensors once dropped, and never a tensor still referenced', async () => {
    const held = Array.from({ length: 50 }, (_, i) => nn.full([4096], i).keep());
    await collect();
    const base = inUse();
    for (let i = 0; i < 300; i++) nn.tidy(() => nn.mul(nn.randn([4096]), 3).keep());
    expect(inUse()).toBeGreaterThan(base + 100 * BLOCK);
    await collect();
    expect(inUse()).toBeLessThanOrEqual(base + 2 * BLOCK);
    held.forEach((t, i) => expect(t.data[4095]).toBe(i));
  });

  it('leaves the tensors of a tidy() and of a step to them: freed when they end, not by a collection', async () => {
    const w = nn.randn([64, 64], { requiresGrad: true });
    const opt = new nn.SGD([w], { lr: 0.01 });
    let last: nn.Tensor | null = null;
    const step = () => {
      opt.zeroGrad();
      const loss = nn.sum(nn.relu(nn.matmul(w, nn.randn([64, 64]))));
      loss.backward();
      opt.step();
      last = loss;
    };
    for (let i = 0; i < 5; i++) step();
    await collect();
    const base = inUse();
    for (let i = 0; i < 200; i++) step();
    await collect();
    // Flat, and the last steps' tensors are still held by the step rule (the last loss is readable).
    expect(Number.isFinite(last!.item())).toBe(true);
    expect(inUse()).toBe(base);
    const inTidy = nn.tidy(() => {
      const a = nn.randn([4096]);
      gc();
      return nn.mul(a, 2);
    });
    await collect();
    expect(inTidy.data.length).toBe(4096);
  });
});
