/**
 * Issue 14's GAT floor as it is stated: GAT on Cora, the standard split, test accuracy after 200 epochs,
 * mean over seeds 0-9 at least 82.0%, with the demo's recipe (PyG's examples/gat.py evaluated with
 * GAT_AVERAGE, an EMA of the weights), on the bit-reproducible plain SIMD build and one thread (the
 * same bits as on more; about 35 s of CPU). The unaveraged figure of the same runs (PyG's recipe
 * alone) and the best-validation-epoch figure are reported beside it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { runGcnTask } from '../src/tasks/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

describe('GAT on Cora', () => {
  it('seeds 0-9: mean test accuracy after 200 epochs at least 82.0%, each seed above 81%', async () => {
    const r = await runGcnTask({ progress: false, log: () => undefined, model: 'gat', dataset: 'cora', seed: 0, seeds: 10 });
    const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
    console.log(
      `GAT on Cora, seeds 0-9: ${pct(r.meanTest)} ± ${pct(r.sdTest)} after 200 epochs (without the weight average ${pct(r.meanUnaveragedTest!)}), ` +
        `${pct(r.meanBestValTest)} at the best-validation epoch; per seed ${r.runs.map((x) => (100 * x.testAccuracy).toFixed(1)).join(' ')}`,
    );
    expect(r.runs.map((x) => x.seed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.meanTest).toBeGreaterThanOrEqual(0.82);
    for (const run of r.runs) expect(run.testAccuracy).toBeGreaterThan(0.81);
    // The same runs without the average (the last epoch's own weights): PyG's recipe, about 81.8%.
    expect(r.meanUnaveragedTest).toBeGreaterThan(0.81);
    expect(r.meanUnaveragedTest).toBeLessThan(r.meanTest);
    for (const run of r.runs) {
      expect(run.bestEpoch).toBeGreaterThanOrEqual(1);
      expect(run.bestEpoch).toBeLessThanOrEqual(200);
      expect(run.bestValTestAccuracy).toBeGreaterThan(0.79);
    }
  }, 900_000);
});
