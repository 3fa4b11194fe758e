/**
 * The MLP recipe on real MNIST digits (8,000 train / 2,000 test, seed 0), trained exactly as the demo
 * does, on the bit-reproducible plain SIMD build: it must reach the floor of 95.5%; the plots
 * it writes are checked too.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { recipes } from '../src/recipes.js';
import { trainMnist } from '../src/train-mnist.js';
import { decode } from 'fast-png';
import { legends, oneSignificantDigit, parseSvg, plotAreas, roundTicks, textsOf, tickValues } from './svg.js';

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
      // The plots: training curves titled with the final accuracy, round ticks, the legend beside the
      // plots; the misclassified digits as a PNG of 40 captioned digits (10 x 4, scale 3).
      const doc = parseSvg(await readFile(join(out, 'mlp-training.svg'), 'utf8'));
      expect(textsOf(doc)).toContain(`MLP 784-256-128-10 on MNIST: test accuracy ${(100 * testAccuracy).toFixed(2)}% after 15 epochs`);
      const [lossTicks, accuracyTicks] = tickValues(doc, 'Y-axis');
      expect(oneSignificantDigit(lossTicks!), lossTicks!.join(', ')).toBe(true); // a log axis
      for (const t of [...tickValues(doc, 'X-axis'), accuracyTicks!]) expect(roundTicks(t), t.join(', ')).toBe(true);
      const [legend] = legends(doc);
      for (const a of plotAreas(doc)) expect(legend!.x).toBeGreaterThanOrEqual(a.x + a.w);
      const png = await readFile(join(out, 'mlp-misclassified.png'));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const image = decode(png);
      expect([image.width, image.height, image.channels]).toEqual([10 * (28 * 3 + 2 + 6) + 6, 4 * (28 * 3 + 2 + 20 + 6) + 6, 1]);
      const captions = image.text.Description!.split(' ');
      expect(captions).toHaveLength(40);
      for (const c of captions) {
        const [truth, predicted] = c.split('->');
        expect(truth).not.toBe(predicted);
      }
      // The saved model reloads and scores the same.
      const model = await nn.loadModel(join(out, 'mlp'));
      expect(model.numParameters()).toBe(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    } finally {
      console.log = log;
    }
  }, 300_000);
});
