/**
 * LeNet-5 on real MNIST digits (8,000 train / 2,000 test, seed 0), trained exactly as the demo does,
 * on the bit-reproducible plain SIMD build: the floor is 97.5%.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { recipes } from '../src/recipes.js';
import { trainMnist } from '../src/train-mnist.js';

describe('LeNet-5 on MNIST', () => {
  it('reaches at least 97.5% test accuracy with the demo recipe', async () => {
    await nn.ready({ isa: 'simd128' });
    const out = await mkdtemp(join(tmpdir(), 'deepwasm-lenet-'));
    const log = console.log;
    console.log = () => undefined;
    try {
      const { testAccuracy } = await trainMnist(recipes.lenet5!, {
        model: 'lenet5', batchSize: 64, seed: 0, out, bench: false, help: false, progress: false,
      });
      expect(testAccuracy).toBeGreaterThanOrEqual(0.975);
    } finally {
      console.log = log;
    }
  }, 900_000);
});
