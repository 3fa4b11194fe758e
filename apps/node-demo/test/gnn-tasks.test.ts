/**
 * Graph tasks as the demo runs them, on the bit-reproducible plain SIMD build, with floors below the
 * 10-seed figures (GCN Cora 81.7%, Citeseer 70.6% in `demo --task gcn --seeds 10`, see the README;
 * GAT on Cora has its own file, gat-cora.test.ts): GCN on Cora (3 seeds) and Citeseer (2 seeds), each seed
 * above a floor and the mean above a higher one, and the best-validation-epoch figure reported; the
 * hidden-layer plot is written; a GIN learns the cycle-count graphs far above chance (1/3); a GCN
 * places the karate club's members in their clubs from the two leaders' labels.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { runGcnTask, runGraphsTask, runKarateTask } from '../src/tasks/index.js';

const quiet = { progress: false, log: () => undefined };

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

describe('graph tasks', () => {
  it('GCN on Cora: 3 seeds each above 80%, mean above 81%, and the PCA plot of the hidden layer', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gcn-'));
    const r = await runGcnTask({ ...quiet, model: 'gcn', dataset: 'cora', seeds: 3, out });
    for (const run of r.runs) expect(run.testAccuracy).toBeGreaterThan(0.8);
    expect(r.meanTest).toBeGreaterThan(0.81);
    expect(r.meanVal).toBeGreaterThan(0.76);
    const svg = readFileSync(r.plot!, 'utf8');
    expect(svg.match(/<path transform="translate\([^)]*\)" d="M[\d.]+,0A/g)!.length).toBe(2708 + 7); // every node, and the legend's 7 classes
    expect(svg).toContain(`test accuracy ${(100 * r.runs[0]!.testAccuracy).toFixed(1)}%`);
  }, 600_000);

  it('GCN on Citeseer: 2 seeds each above 68.5%, mean above 69.5%', async () => {
    const r = await runGcnTask({ ...quiet, model: 'gcn', dataset: 'citeseer', seeds: 2 });
    for (const run of r.runs) expect(run.testAccuracy).toBeGreaterThan(0.685);
    expect(r.meanTest).toBeGreaterThan(0.695);
  }, 600_000);

  it('a GIN with add pooling counts the cycles of unseen graphs far above chance', async () => {
    const r = await runGraphsTask({ ...quiet, seed: 0 });
    expect(r.testAccuracy).toBeGreaterThan(0.9);
    expect(r.losses[r.losses.length - 1]!).toBeLessThan(r.losses[0]! / 3);
  }, 600_000);

  it("a GCN places 30+ of the karate club's 32 unlabelled members in their club from the two leaders' labels, the same for the same seed", async () => {
    const out = mkdtempSync(join(tmpdir(), 'karate-'));
    const r = await runKarateTask({ ...quiet, seed: 0, out });
    expect(r.accuracy).toBeGreaterThanOrEqual(30 / 32);
    expect(r.losses[r.losses.length - 1]!).toBeLessThan(r.losses[0]! / 5);
    expect(r.embedding.length).toBe(68);
    expect(readFileSync(r.plot!, 'utf8').match(/<path transform="translate\([^)]*\)" d="M[\d.]+,0A/g)!.length).toBe(34 + 2); // every member, and the legend's 2 clubs
    const again = await runKarateTask({ ...quiet, seed: 0, epochs: 200 });
    expect(again.embedding).toEqual(r.embedding);
  }, 600_000);
});
