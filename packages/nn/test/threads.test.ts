/**
 * Threads from the library's side: nn.ready({ threads }), setNumThreads/getNumThreads, and a small
 * CNN trained for a few Adam steps gives the same parameters, bit for bit, on 1, 2 and 3 threads, and
 * so does a DCGAN-like generator (transposed convolutions, Upsample).
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';

async function trainedBits(threads: number): Promise<Uint32Array> {
  await nn.ready({ isa: 'simd128', threads });
  expect(nn.getNumThreads()).toBe(threads);
  nn.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(16 * 5 * 5, 10),
  );
  const opt = new nn.Adam(model.parameters(), { lr: 1e-2 });
  const x = nn.randn([32, 1, 28, 28]).keep();
  const labels = Int32Array.from({ length: 32 }, (_, i) => (i * 7) % 10);
  for (let step = 0; step < 3; step++) {
    nn.tidy(() => {
      opt.zeroGrad();
      nn.crossEntropy(model.forward(x), labels).backward();
      opt.step();
    });
  }
  const bits = model.parameters().flatMap((p) => Array.from(new Uint32Array(p.toArray().buffer)));
  x.dispose();
  return Uint32Array.from(bits);
}

/** A small DCGAN-like generator fitted to a fixed batch of images for a few Adam steps. */
async function generatorBits(threads: number): Promise<Uint32Array> {
  await nn.ready({ isa: 'simd128', threads });
  nn.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(16, 32 * 7 * 7, { bias: false }), new nn.Reshape([32, 7, 7]),
    new nn.ConvTranspose2d(32, 16, 4, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2d(16), new nn.ReLU(),
    new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }), new nn.ConvTranspose2d(16, 1, 3, { padding: 1 }), new nn.Tanh(),
  );
  const opt = new nn.Adam(model.parameters(), { lr: 1e-2 });
  const z = nn.randn([32, 16]).keep();
  const target = nn.tanh(nn.randn([32, 1, 28, 28])).keep();
  for (let step = 0; step < 3; step++) {
    nn.tidy(() => {
      opt.zeroGrad();
      nn.mseLoss(model.forward(z), target).backward();
      opt.step();
    });
  }
  const bits = model.parameters().flatMap((p) => Array.from(new Uint32Array(p.toArray().buffer)));
  z.dispose();
  target.dispose();
  return Uint32Array.from(bits);
}

describe('threads', () => {
  it('a transposed-convolution generator trains to the same bits on 1, 2 and 3 threads', async () => {
    const one = await generatorBits(1);
    for (const t of [2, 3]) {
      const many = await generatorBits(t);
      const i = one.findIndex((v, j) => v !== many[j]);
      expect(i, `parameter float ${i} differs at ${t} threads`).toBe(-1);
    }
  });

  it('trains to the same bits on 1, 2 and 3 threads', async () => {
    const one = await trainedBits(1);
    for (const t of [2, 3]) {
      const many = await trainedBits(t);
      const i = one.findIndex((v, j) => v !== many[j]);
      expect(i, `parameter float ${i} differs at ${t} threads`).toBe(-1);
    }
  });

  it('sets and reports the thread count', async () => {
    await nn.ready({ isa: 'simd128', threads: 1 });
    nn.setNumThreads(2);
    expect(nn.getNumThreads()).toBe(2);
    nn.setNumThreads(1);
    expect(nn.getNumThreads()).toBe(1);
    expect(() => nn.setNumThreads(0)).toThrow(/positive integer/);
  });
});
