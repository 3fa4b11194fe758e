/**
 * Every task's progress output fits an 80-column terminal (tasks/about.ts lists them): each task runs on a small budget with its
 * bars drawn on an 80-column terminal, and every line must fit in 79 columns without being cut (the
 * bar marks a cut with "…"). Real runs have wider counts, epochs and ETAs ("1100/3000 eta 1m05s"
 * against "20/20 eta 0s", up to 8 more characters), which the bar absorbs: so the bar must keep at
 * least 14 of its cells here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { recipes } from '../src/recipes.js';
import { trainMnist } from '../src/train-mnist.js';
import { runAddingTask, runAugmentTask, runCharLmTask, runDbnTask, runGanTask, runGcnTask, runGraphsTask, runRbmTask, runReverseTask, runVaeTask } from '../src/tasks/index.js';

const terminal = () => {
  const lines: string[] = [];
  const writer: nn.ProgressWriter = {
    // An 80-column terminal: every redraw (at most every 0.1 s) is kept as a line.
    isTTY: true,
    columns: 80,
    write: (s) => lines.push(...s.split(/[\r\n]/).map((l) => l.replace(/^\x1b\[2K/, '')).filter((l) => l !== '')),
  };
  return { writer, lines };
};

function expectFits(lines: string[], name: string): void {
  expect(lines.length, `${name} drew no progress`).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(79);
    expect(line.endsWith('…'), `${name} cut: ${line}`).toBe(false);
    const cells = (line.match(/[█░]/g) ?? []).length;
    if (cells > 0) expect(cells, `${name}: ${line}`).toBeGreaterThanOrEqual(14);
  }
}

const log = console.log;
beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
  console.log = () => undefined;
});
afterAll(() => {
  console.log = log;
});

describe('progress lines fit 80 columns', () => {
  it('mnist (fit: per-batch and per-epoch lines)', async () => {
    const { writer, lines } = terminal();
    await trainMnist(recipes.mlp!, { model: 'mlp', epochs: 1, batchSize: 64, seed: 0, out: mkdtempSync(join(tmpdir(), 'progress-')), bench: false, help: false, progress: writer });
    expectFits(lines, 'mnist');
  }, 120_000);

  it('adding, charlm, reverse', async () => {
    const quiet = () => undefined;
    for (const [name, run] of [
      ['adding', (w: nn.ProgressWriter) => runAddingTask({ progress: w, log: quiet, steps: 20, evalEvery: 10, length: 20, hidden: 16 })],
      ['charlm', (w: nn.ProgressWriter) => runCharLmTask({ progress: w, log: quiet, steps: 2, evalEvery: 1, hidden: 32, embed: 8, seqLen: 16, batch: 4, sampleLength: 10 })],
      ['reverse', (w: nn.ProgressWriter) => runReverseTask({ progress: w, log: quiet, steps: 20, evalEvery: 10, hidden: 16 })],
    ] as const) {
      const { writer, lines } = terminal();
      await run(writer);
      expectFits(lines, name);
    }
  }, 120_000);

  it('gcn, graphs', async () => {
    const quiet = () => undefined;
    const a = terminal();
    await runGcnTask({ progress: a.writer, log: quiet, epochs: 20 });
    expectFits(a.lines, 'gcn');
    const b = terminal();
    await runGraphsTask({ progress: b.writer, log: quiet, epochs: 2, trainGraphs: 64, testGraphs: 32 });
    expectFits(b.lines, 'graphs');
  }, 120_000);

  it('dbn (pretraining bars, then fit)', async () => {
    const { writer, lines } = terminal();
    await runDbnTask({ progress: writer, log: () => undefined, sizes: [784, 16, 16, 32], pretrainEpochs: 1, fineTuneEpochs: 1, train: 512, test: 128 });
    expectFits(lines, 'dbn');
  }, 180_000);

  it('vae, gan, augment', async () => {
    const quiet = () => undefined;
    for (const [name, run] of [
      ['vae', (w: nn.ProgressWriter) => runVaeTask({ progress: w, log: quiet, model: 'mlp', epochs: 1, train: 512, test: 128, importanceSamples: 0 })],
      ['gan', (w: nn.ProgressWriter) => runGanTask({ progress: w, log: quiet, model: 'mlp', epochs: 1, train: 512 })],
      ['augment', (w: nn.ProgressWriter) => runAugmentTask({ progress: w, log: quiet, seeds: 1, classifierSteps: 5, generatorEpochs: 2, pool: 10, test: 100 })],
    ] as const) {
      const { writer, lines } = terminal();
      await run(writer);
      expectFits(lines, name);
    }
  }, 180_000);

  it('rbm (a line per 5 epochs)', async () => {
    const rbmLines: string[] = [];
    await runRbmTask({ log: (l) => rbmLines.push(l), epochs: 1, betas: 50, recipes: ['cd1'] });
    expectFits(rbmLines.filter((l) => /epoch/.test(l)), 'rbm');
  }, 180_000);
});
