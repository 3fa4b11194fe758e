/**
 * Tensor lifetime without tidy(): module calls own their intermediates, backward() frees what only
 * the graph held, and steps (zeroGrad, DataLoader batches) free what the loop body left behind. The
 * rule the README states is tested here: a tensor made outside tidy() is freed when the second step
 * after its last use begins; tensors made before the first step are left alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { Kernels } from '@deepwasm/kernels';
import { use } from './setup.js';

let k: Kernels;
beforeAll(async () => {
  k = await use('simd128');
});

function snapshot(): { bytes: number; inUse: number; liveBlocks: number; reserved: number } {
  const s = k.arena.stats();
  return { bytes: k.memory.buffer.byteLength, inUse: s.inUse, liveBlocks: s.liveBlocks, reserved: s.reserved };
}

function digits(count: number, seed: number): nn.Dataset {
  const g = new nn.Generator(seed);
  const x = new Float32Array(count * 64);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = g.int(4);
    // Four classes of 8x8 "images": a bright quadrant per class, plus noise.
    for (let p = 0; p < 64; p++) {
      const q = ((p >> 5) << 1) | ((p & 7) >> 2);
      x[i * 64 + p] = (q === y[i] ? 1 : 0) + 0.3 * g.normal();
    }
  }
  return { x, y, count, sampleShape: [1, 8, 8] };
}

describe('before the first step', () => {
  // Runs first in this file: no step has begun yet.
  it('never frees the tensors made before the first step (data, a validation set) by the step rule', () => {
    expect(nn.currentStep()).toBe(0);
    const validation = nn.tensor([1, 2, 3, 4], [2, 2]);
    const derived = nn.mul(validation, 2);
    const w = nn.tensor([1], [1], { requiresGrad: true });
    const opt = new nn.SGD([w], { lr: 0.1 });
    for (let i = 0; i < 10; i++) opt.zeroGrad();
    expect(nn.currentStep()).toBe(10);
    expect(Array.from(validation.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(derived.data)).toEqual([2, 4, 6, 8]);
  });
});

describe('a PyTorch-style loop without tidy, dispose or await', () => {
  it('trains an MLP for 3,000 steps on one fixed batch in flat WASM memory, reading the loss after step()', () => {
    nn.manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(32, 4));
    const optimizer = new nn.Adam(model.parameters(), { lr: 1e-2 });
    const data = digits(64, 2);
    const x = nn.tensor(data.x, [64, 64]);
    const labels = data.y as Int32Array;
    const losses: number[] = [];
    let warm = snapshot();
    for (let step = 1; step <= 3000; step++) {
      optimizer.zeroGrad();
      const loss = nn.crossEntropy(model.forward(x), labels);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
      if (step === 300) warm = snapshot();
    }
    expect(snapshot()).toEqual(warm);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.1);
    model.dispose();
    optimizer.dispose();
  });

  it('trains a small CNN on DataLoader batches, with a tensor made in the loop and used every step, in flat memory', () => {
    nn.manualSeed(3);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(64, 4),
    );
    const optimizer = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const loader = new nn.DataLoader(digits(200, 4), { batchSize: 16, shuffle: true, seed: 5 });
    let warm = snapshot();
    let step = 0;
    let scale: nn.Tensor | null = null;
    let last = Infinity;
    for (let epoch = 0; epoch < 30; epoch++) {
      for (const { x, y } of loader) {
        step++;
        // Made at step 3 and used by every step after it: never freed.
        if (step === 3) scale = nn.full([1], 1);
        optimizer.zeroGrad();
        const logits = model.forward(scale === null ? x : nn.mul(x, scale));
        const loss = nn.crossEntropy(logits, y);
        loss.backward();
        optimizer.step();
        last = loss.item();
        if (epoch === 5 && step % loader.length === 0) warm = snapshot();
      }
    }
    expect(step).toBe(30 * 13);
    expect(snapshot()).toEqual(warm);
    expect(last).toBeLessThan(0.3);
    model.dispose();
    optimizer.dispose();
    loader.dispose();
  });

  it('runs a noGrad inference loop over DataLoader batches in flat memory, and a module call leaves only its result', () => {
    nn.manualSeed(6);
    const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 32), new nn.Tanh(), new nn.Linear(32, 4)).eval();
    const loader = new nn.DataLoader(digits(96, 7), { batchSize: 8 });
    const x = nn.randn([8, 1, 8, 8]);
    const before = k.arena.stats().liveBlocks;
    const out = nn.noGrad(() => model.forward(x));
    expect(k.arena.stats().liveBlocks).toBe(before + 1);
    expect(out.shape).toEqual([8, 4]);
    let warm = snapshot();
    let n = 0;
    let counted = 0;
    nn.noGrad(() => {
      for (let pass = 0; pass < 50; pass++) {
        for (const { x: xb, y } of loader) {
          const predicted = nn.argmax(nn.softmax(model.forward(xb), 1), 1);
          expect(predicted.length).toBe((y as Int32Array).length);
          counted += predicted.length;
          if (++n === 120) warm = snapshot();
        }
      }
    });
    expect(counted).toBe(50 * 96);
    expect(snapshot()).toEqual(warm);
    model.dispose();
    loader.dispose();
  });
});

describe('the lifetime rule', () => {
  it('frees a tensor when the second step after its last use begins, and says which, when, why and how to keep it', () => {
    const w = nn.tensor([1, 2, 3], [3], { requiresGrad: true });
    const opt = new nn.SGD([w], { lr: 0.1 });
    opt.zeroGrad();
    const made = nn.mul(w, 2); // an op result, made outside tidy in this step
    const s = nn.currentStep();
    const held = nn.mul(w, 3).keep();
    opt.zeroGrad(); // one step later: still alive
    expect(Array.from(made.data)).toEqual([2, 4, 6]); // and this use counts
    opt.zeroGrad();
    expect(made.sum().item()).toBe(12);
    opt.zeroGrad();
    opt.zeroGrad(); // two steps without a use: freed
    let message = '';
    try {
      made.toArray();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^Tensor #${made.id} \\[3\\] \\(made in step ${s}\\)`));
    expect(message).toMatch(/when step \d+ began \(SGD\.zeroGrad\(\)\)/);
    expect(message).toMatch(/two steps .* pass without an op using it/);
    expect(message).toMatch(/keep\(\)/);
    expect(message).toMatch(/item\(\) or toArray\(\)/);
    expect(() => nn.add(made, 1)).toThrow(/used after it was freed/);
    expect(made.isDisposed).toBe(true);
    // keep() holds it until dispose().
    expect(Array.from(held.data)).toEqual([3, 6, 9]);
    held.dispose();
    expect(() => held.toArray()).toThrow(/freed by dispose\(\)/);
  });

  it('counts one step per loop iteration whatever the number of optimizers, and none inside tidy()', () => {
    const w = nn.tensor([1], [1], { requiresGrad: true });
    const v = nn.tensor([1], [1], { requiresGrad: true });
    const enc = new nn.SGD([w], { lr: 0.1 });
    const dec = new nn.SGD([v], { lr: 0.1 });
    enc.zeroGrad(); // joins the step in progress (enc has not marked it yet)
    dec.zeroGrad();
    const before = nn.currentStep();
    for (let i = 0; i < 5; i++) {
      enc.zeroGrad();
      dec.zeroGrad();
    }
    expect(nn.currentStep()).toBe(before + 5);
    nn.tidy(() => {
      enc.zeroGrad();
      enc.zeroGrad();
    });
    expect(nn.currentStep()).toBe(before + 5);
    nn.nextStep();
    expect(nn.currentStep()).toBe(before + 6);
  });

  it('keeps a GAN-style value made after one optimizer zeroGrad usable after the other one', () => {
    nn.manualSeed(8);
    const G = new nn.Linear(2, 3);
    const D = new nn.Linear(3, 1);
    const optG = new nn.Adam(G.parameters(), { lr: 1e-3 });
    const optD = new nn.Adam(D.parameters(), { lr: 1e-3 });
    const real = nn.randn([4, 3]);
    for (let i = 0; i < 20; i++) {
      optD.zeroGrad();
      const fake = G.forward(nn.randn([4, 2]));
      const lossD = nn.sub(nn.mean(D.forward(fake.detach())), nn.mean(D.forward(real)));
      lossD.backward();
      optD.step();
      optG.zeroGrad();
      const lossG = nn.mean(D.forward(fake).neg());
      lossG.backward();
      optG.step();
      expect(Number.isFinite(lossG.item())).toBe(true);
    }
  });

  it('frees a module\'s saved activations at backward(), and a second backward through the released graph throws', () => {
    nn.manualSeed(9);
    const model = new nn.Sequential(new nn.Linear(5, 7), new nn.Tanh(), new nn.Linear(7, 2));
    const x = nn.randn([3, 5]);
    const before = k.arena.stats().liveBlocks;
    const out = model.forward(x);
    const loss = nn.sum(nn.square(out));
    const duringGraph = k.arena.stats().liveBlocks;
    loss.backward();
    // What is left: out, the loss and its own square (made outside any module), and the four .grad.
    expect(k.arena.stats().liveBlocks).toBe(before + 3 + 4);
    expect(duringGraph).toBeGreaterThan(before + 3);
    expect(() => loss.backward()).toThrow(/already freed by an earlier backward\(\).*retainGraph: true/);
    // The output and the loss stay readable after backward, as in PyTorch.
    expect(out.shape).toEqual([3, 2]);
    expect(Number.isFinite(loss.item())).toBe(true);
    model.dispose();
  });

  it('goes through a graph twice with retainGraph, accumulating gradients as PyTorch does', () => {
    const w = nn.tensor([1, -2], [2], { requiresGrad: true });
    const lin = new nn.Linear(2, 1);
    const y = nn.sum(nn.square(lin.forward(nn.reshape(w, [1, 2]))));
    y.backward({ retainGraph: true });
    const once = w.grad!.toArray();
    y.backward();
    expect(Array.from(w.grad!.data)).toEqual(Array.from(once, (v) => 2 * v));
    expect(() => y.backward()).toThrow(/retainGraph/);
    lin.dispose();
  });

  it('names the module call and the rule when a freed intermediate is read', () => {
    class Stash extends nn.Module {
      hidden: nn.Tensor | null = null;
      readonly lin = this.registerModule('lin', new nn.Linear(3, 3));
      forward(x: nn.Tensor): nn.Tensor {
        this.hidden = nn.tanh(this.lin.forward(x)); // in the graph of the result: lives until backward()
        const scratch = nn.mul(x, 2); // in nobody's graph: freed when forward returns
        void scratch;
        return nn.sum(this.hidden);
      }
    }
    const m = new Stash();
    const x = nn.randn([2, 3]);
    const loss = m.forward(x);
    expect(m.hidden!.shape).toEqual([2, 3]);
    loss.backward();
    expect(() => m.hidden!.toArray()).toThrow(/freed by backward\(\).*retainGraph: true.*keep\(\)/);
    const out = nn.noGrad(() => m.forward(x));
    expect(() => m.hidden!.toArray()).toThrow(/when Stash\.forward\(\) returned/);
    expect(Number.isFinite(out.item())).toBe(true);
  });

  it('frees what tidy() made and says so', () => {
    let inside: nn.Tensor | null = null;
    nn.tidy(() => {
      inside = nn.ones([2]);
    });
    expect(() => inside!.toArray()).toThrow(/when the tidy\(\) it was made in returned/);
  });
});
