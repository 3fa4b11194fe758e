/**
 * `demo --task dbm` end to end at small settings (784-64-64 on 1,000 / 300 digits, 2 pretraining epochs
 * per RBM, 2 joint epochs, AIS 20 runs x 300 temperatures): the test bound per epoch, samples, the
 * classifier on the mean-field features.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { runDbmTask } from '../src/tasks/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

describe('demo --task dbm', () => {
  it('stacks, trains jointly, bounds the test log-likelihood, samples and classifies from its features', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dbm-'));
    const lines: string[] = [];
    const r = await runDbmTask({
      sizes: [784, 64, 64], train: 1000, test: 300, pretrainEpochs: 2, epochs: 2, epochRuns: 20, epochBetas: 300, finalRuns: 20, finalBetas: 300,
      classifierEpochs: 5, sampleSteps: 50, out, progress: false, log: (l) => lines.push(l),
    });
    console.log(lines.join('\n'));
    expect(r.bounds).toHaveLength(2);
    // A bound on log p(v): below 0, and far above the uniform distribution's -784 ln 2 = -543.4 nats.
    for (const b of [r.stackedBound, ...r.bounds, r.finalBound]) {
      expect(b).toBeLessThan(0);
      expect(b).toBeGreaterThan(-350);
    }
    // Four times chance: 53% when written (the pixels 84%). Features of 64 + 64 units after 2 + 2
    // epochs are weak; the full-size figures are in the README.
    expect(r.featureAccuracy).toBeGreaterThan(0.4);
    expect(readFileSync(join(out, 'dbm-samples.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});
