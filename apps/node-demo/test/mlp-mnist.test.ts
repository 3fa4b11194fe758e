/**
 * The MLP recipe on real MNIST digits (8,000 train / 2,000 test, seed 0), trained exactly as the demo
 * does, on the bit-reproducible plain SIMD build: it must reach the floor of 95.5%.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { recipes } from '../src/recipes.js';
import { trainMnist } from '../src/train-mnist.js';

describe('MLP on MNIST', () => {
  it('reaches at least 95.5% test accuracy with the demo recipe', async () => {
    await nn.ready({ isa: 'simd128' });
    const out = await mkdtemp(join(tmpdir(), 'deepwasm-mlp-'));
    const log = console.log;
    console.log = () => undefined;
    try {
      const { testAccuracy } = await trainMnist(recipes.mlp!, {
        model: 'mlp', batchSize: 64, seed: 0, out, bench: false, help: false, progress: false,
      });
      expect(testAccuracy).toBeGreaterThanOrEqual(0.955);
      // The saved model reloads and scores the same.
      const model = await nn.loadModel(join(out, 'mlp'));
      expect(model.numParameters()).toBe(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    } finally {
      console.log = log;
    }
  }, 300_000);
});
