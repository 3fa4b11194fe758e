/**
 * MLP training throughput (784-256-128-10, ReLU, dropout 0.2, Adam 1e-3, batch 64): ours (both
 * builds) against tfjs-layers on the wasm backend, and PyTorch on one thread where installed.
 */
import * as nn from '@deepwasm/nn';
import { loadTfjsLayers, loadTfjsWasm, useBackend } from './tfjs-wasm.js';
import { runPytorch } from './pytorch.js';
import { time } from './stats.js';
import { benchThreads, builds, ourTrainingRate, variant } from './train-bench.js';
import type { Row, SuiteOptions } from './report.js';

const BATCH = 64;

const mlp = () =>
  new nn.Sequential(
    new nn.Linear(784, 256), new nn.ReLU(), new nn.Dropout(0.2),
    new nn.Linear(256, 128), new nn.ReLU(), new nn.Dropout(0.2),
    new nn.Linear(128, 10),
  );

async function tfjsRate(quick: boolean): Promise<number> {
  const { tf } = await loadTfjsWasm();
  await useBackend(tf, 'wasm');
  const tfl = loadTfjsLayers();
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: 128, activation: 'relu' }),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p) });
  const x = tf.randomNormal([BATCH, 784]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => (i * 7) % 10), 'int32'), 10);
  // trainOnBatch is async; time it with awaits outside the sync timer.
  for (let i = 0; i < 5; i++) await model.trainOnBatch(x, y);
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < (quick ? 10 : 20) || performance.now() - start < (quick ? 1000 : 3000)) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  x.dispose();
  y.dispose();
  model.dispose();
  return (BATCH * 1000) / samples[samples.length >> 1]!;
}

export async function runMlpSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  const theirs = await tfjsRate(quick);
  opts.log?.(`mlp: tfjs-layers 4.22 on the wasm backend (1 thread): ${theirs.toFixed(0)} samples/s`);
  const rows: Row[] = [];
  for (const threads of benchThreads()) {
    const torch = runPytorch<{ samples_per_sec: number }>('train_step.py', ['mlp', '--seconds', quick ? '1' : '3', '--threads', String(threads)], opts.log);
    for (const isa of builds()) {
      const ours = await ourTrainingRate(isa, mlp, [BATCH, 784], quick, threads);
      const base = { suite: 'mlp', case: 'train step, batch 64', ours: variant(isa, threads), threads, metric: 'samples/s', value: ours.rate };
      rows.push({ ...base, peer: 'tfjs-layers wasm', peerValue: theirs, ratio: ours.rate / theirs });
      if (torch) rows.push({ ...base, peer: `pytorch ${threads} thread${threads > 1 ? 's' : ''}`, peerValue: torch.samples_per_sec, ratio: ours.rate / torch.samples_per_sec });
    }
  }
  void time;
  return rows;
}
