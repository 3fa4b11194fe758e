/**
 * Recurrent benchmarks: one training step (forward, backward through time, Adam) of LSTM(64, 128)
 * and GRU(64, 128) on batch 32 x 50 steps, and inference tokens/s of a character LSTM language model
 * (Embedding(65, 64) -> LSTM(64, 256) -> Linear(256, 65)), ours on each kernel build against
 * tfjs-layers on the wasm backend (cpu for reference) and PyTorch on one thread where installed.
 */
import { loadKernels } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { CharLanguageModel, tokens } from '@deepwasm/models';
import { time } from './stats.js';
import { builds, type Isa } from './train-bench.js';
import { pytorchRnn, tfjsCharLmTokensPerSec, tfjsRnnStepMs } from './rnn-peers.js';
import type { Row, SuiteOptions } from './report.js';

const T = 50, B = 32, I = 64, H = 128;
const VOCAB = 65, GEN_TOKENS = 200, SCORE_T = 100, SCORE_B = 32;

/** Median ms of one training step: MSE of the whole output sequence against a fixed target. */
async function ourStepMs(isa: Isa, cell: 'lstm' | 'gru', quick: boolean): Promise<number> {
  nn.useKernels(await loadKernels({ isa }));
  nn.manualSeed(0);
  const layer = cell === 'lstm' ? new nn.LSTM(I, H) : new nn.GRU(I, H);
  const opt = new nn.Adam(layer.parameters(), { lr: 1e-3 });
  const x = nn.randn([T, B, I]).keep();
  const y = nn.randn([T, B, H]).keep();
  const t = time(
    () =>
      nn.tidy(() => {
        opt.zeroGrad();
        nn.mseLoss(layer.forward(x), y).backward();
        opt.step();
      }),
    { warmup: 3, minSamples: quick ? 5 : 15, minSeconds: quick ? 0.5 : 2 },
  );
  x.dispose();
  y.dispose();
  opt.dispose();
  layer.dispose();
  return t.medianMs;
}

/** Tokens/s of the char model: generating one token at a time (batch 1) and scoring [100, 32] at once. */
async function ourCharLm(isa: Isa, quick: boolean): Promise<{ generate: number; score: number }> {
  nn.useKernels(await loadKernels({ isa }));
  nn.manualSeed(0);
  const model = new CharLanguageModel({ vocabSize: VOCAB, embedDim: 64, hiddenSize: 256 });
  model.eval();
  const g = new nn.Generator(1);
  const batch = tokens(Int32Array.from({ length: SCORE_T * SCORE_B }, () => g.int(VOCAB)), SCORE_T, SCORE_B);
  const opts = { warmup: 2, minSamples: quick ? 3 : 7, minSeconds: quick ? 0.5 : 2 };
  const gen = time(() => void model.generate({ prime: [0], length: GEN_TOKENS, temperature: 0 }), opts);
  const score = time(() => nn.noGrad(() => nn.tidy(() => void model.run(batch))), opts);
  model.dispose();
  return { generate: (GEN_TOKENS * 1000) / gen.medianMs, score: (SCORE_T * SCORE_B * 1000) / score.medianMs };
}

export async function runRnnSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  const log = opts.log;
  const rows: Row[] = [];
  const stepCase = (cell: string) => `${cell.toUpperCase()} train step (B ${B}, T ${T}, ${I}->${H})`;
  for (const cell of ['lstm', 'gru'] as const) {
    const wasm = await tfjsRnnStepMs(cell, 'wasm', quick);
    log?.(`rnn: tfjs-layers ${cell} step on wasm: ${wasm.toFixed(0)} ms`);
    const cpu = cell === 'lstm' && !quick ? await tfjsRnnStepMs(cell, 'cpu', true) : null;
    if (cpu !== null) log?.(`rnn: tfjs-layers ${cell} step on cpu: ${cpu.toFixed(0)} ms`);
    const torch = pytorchRnn(cell, quick, log);
    for (const isa of builds()) {
      const ms = await ourStepMs(isa, cell, quick);
      const row = (peer: string, peerMs: number): Row => ({
        suite: 'rnn', case: stepCase(cell), ours: isa, metric: 'steps/s', value: 1000 / ms, peer, peerValue: 1000 / peerMs,
        ratio: peerMs / ms, medianMs: ms, peerMedianMs: peerMs,
      });
      rows.push(row('tfjs-layers wasm', wasm));
      if (cpu !== null) rows.push(row('tfjs-layers cpu', cpu));
      if (torch) rows.push(row('pytorch 1 thread', torch.median_step_ms));
    }
  }
  const tf = await tfjsCharLmTokensPerSec('wasm', quick);
  log?.(`rnn: tfjs-layers char model on wasm: generate ${tf.generate.toFixed(0)} tokens/s, score ${tf.score.toFixed(0)} tokens/s`);
  const torch = pytorchRnn('charlm', quick, log);
  for (const isa of builds()) {
    const ours = await ourCharLm(isa, quick);
    const gen = `char LSTM-256 generate (batch 1, ${GEN_TOKENS} tokens)`;
    const score = `char LSTM-256 score (${SCORE_B} x ${SCORE_T} tokens)`;
    rows.push({ suite: 'rnn', case: gen, ours: isa, metric: 'tokens/s', value: ours.generate, peer: 'tfjs-layers wasm', peerValue: tf.generate, ratio: ours.generate / tf.generate });
    rows.push({ suite: 'rnn', case: score, ours: isa, metric: 'tokens/s', value: ours.score, peer: 'tfjs-layers wasm', peerValue: tf.score, ratio: ours.score / tf.score });
    if (torch) {
      rows.push({ suite: 'rnn', case: gen, ours: isa, metric: 'tokens/s', value: ours.generate, peer: 'pytorch 1 thread', peerValue: torch.generate_tokens_per_sec, ratio: ours.generate / torch.generate_tokens_per_sec });
      rows.push({ suite: 'rnn', case: score, ours: isa, metric: 'tokens/s', value: ours.score, peer: 'pytorch 1 thread', peerValue: torch.score_tokens_per_sec, ratio: ours.score / torch.score_tokens_per_sec });
    }
  }
  return rows;
}
