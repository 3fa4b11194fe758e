/**
 * The peers of the recurrent benchmarks: tfjs-layers 4.22 (wasm backend, one thread; cpu for
 * reference) and PyTorch on one thread (tools/bench/python/rnn_step.py). Same shapes as ours:
 * LSTM/GRU(64, 128), batch 32, 50 steps, MSE over the whole output, Adam 1e-3; the char model is
 * Embedding(65, 64) -> LSTM(64, 256) -> Dense(65).
 */
import { loadTfjsLayers, loadTfjsWasm, useBackend } from './tfjs-wasm.js';
import { runPytorch } from './pytorch.js';
import { median } from './stats.js';

const T = 50, B = 32, I = 64, H = 128;

async function medianAsyncMs(fn: () => Promise<unknown>, warmup: number, minSamples: number, minMs: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const xs: number[] = [];
  const start = performance.now();
  while (xs.length < minSamples || performance.now() - start < minMs) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

/**
 * Median ms of one tfjs-layers training step (trainOnBatch: forward, backward, Adam). tfjs is
 * batch-major ([B, T, F]). tfjs-layers 4.22's GRU rejects resetAfter: true ("GRUCell does not support
 * reset_after"), so it applies the reset gate before the hidden product (Keras 1 style); the work is
 * the same size, the placement differs from PyTorch's and ours.
 * The recurrent kernels start Glorot-uniform: tfjs's default orthogonal initializer fails on these
 * backends in Node ("rMat.flatten is not a function"), and the starting values do not change the time.
 */
export async function tfjsRnnStepMs(cell: 'lstm' | 'gru', backend: 'wasm' | 'cpu', quick: boolean): Promise<number> {
  const { tf } = await loadTfjsWasm();
  await useBackend(tf, backend);
  const tfl = loadTfjsLayers();
  const layer = cell === 'lstm'
    ? tfl.layers.lstm({ units: H, returnSequences: true, inputShape: [T, I], recurrentInitializer: 'glorotUniform' })
    : tfl.layers.gru({ units: H, returnSequences: true, inputShape: [T, I], recurrentInitializer: 'glorotUniform' });
  const model = tfl.sequential({ layers: [layer] });
  // A passed-in optimizer is not owned by the model: model.dispose() leaves Adam's moments behind.
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const x = tf.randomNormal([B, T, I]);
  const y = tf.randomNormal([B, T, H]);
  const slow = backend === 'cpu';
  const ms = await medianAsyncMs(() => model.trainOnBatch(x, y), slow ? 1 : 2, quick || slow ? 3 : 5, quick || slow ? 0 : 3000);
  x.dispose();
  y.dispose();
  model.dispose();
  optimizer.dispose();
  await useBackend(tf, 'wasm');
  return ms;
}

/**
 * Tokens/s of the char model on tfjs-layers: "score" predicts [32, 100] ids in one call; "generate"
 * feeds one token at a time to a stateful copy (batchInputShape [1, 1]), taking the argmax.
 */
export async function tfjsCharLmTokensPerSec(backend: 'wasm', quick: boolean): Promise<{ generate: number; score: number }> {
  const { tf } = await loadTfjsWasm();
  await useBackend(tf, backend);
  const tfl = loadTfjsLayers();
  const build = (stateful: boolean) => {
    const lstm = tfl.layers.lstm({ units: 256, returnSequences: true, stateful, recurrentInitializer: 'glorotUniform' });
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 65, outputDim: 64, ...(stateful ? { batchInputShape: [1, 1] } : { inputLength: 100 }) }),
        lstm,
        tfl.layers.dense({ units: 65 }),
      ],
    });
    return { model, lstm };
  };
  const scorer = build(false).model;
  const ids = tf.randomUniform([32, 100], 0, 65, 'int32');
  const opts = [1, quick ? 3 : 5, quick ? 0 : 2000] as const;
  const scoreMs = await medianAsyncMs(async () => {
    const out = scorer.predict(ids) as import('@tensorflow/tfjs-core').Tensor;
    await out.data();
    out.dispose();
  }, ...opts);
  const { model: gen, lstm: genLstm } = build(true);
  const generate = async () => {
    gen.resetStates();
    let tok = 0;
    for (let i = 0; i < 200; i++) {
      const next = tf.tidy(() => tf.argMax(gen.predict(tf.tensor2d([[tok]], [1, 1], 'int32')) as import('@tensorflow/tfjs-core').Tensor, -1));
      tok = (await next.data())[0]!;
      next.dispose();
    }
  };
  const genMs = await medianAsyncMs(generate, ...opts);
  ids.dispose();
  scorer.dispose();
  // The stateful layer's (h, c) are kept tensors that Layer.dispose() does not free.
  tf.dispose(genLstm.getStates());
  gen.dispose();
  return { generate: (200 * 1000) / genMs, score: (3200 * 1000) / scoreMs };
}

export interface TorchRnnStep {
  median_step_ms: number;
}
export interface TorchCharLm {
  generate_tokens_per_sec: number;
  score_tokens_per_sec: number;
}

export function pytorchRnn(which: 'lstm' | 'gru', quick: boolean, log?: (l: string) => void, threads?: number): TorchRnnStep | null;
export function pytorchRnn(which: 'charlm', quick: boolean, log?: (l: string) => void, threads?: number): TorchCharLm | null;
export function pytorchRnn(which: 'lstm' | 'gru' | 'charlm', quick: boolean, log?: (l: string) => void, threads?: number): TorchRnnStep | TorchCharLm | null;
export function pytorchRnn(which: 'lstm' | 'gru' | 'charlm', quick: boolean, log?: (l: string) => void, threads = 1): TorchRnnStep | TorchCharLm | null {
  return runPytorch<TorchRnnStep | TorchCharLm>('rnn_step.py', [which, '--seconds', quick ? '1' : '3', '--threads', String(threads)], log);
}
