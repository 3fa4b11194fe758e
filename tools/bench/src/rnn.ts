/**
 * Recurrent benchmarks: one training step (forward, backward through time, Adam) of LSTM(64, 128)
 * and GRU(64, 128) on batch 32 x 50 steps, and inference tokens/s of a character LSTM language model
 * (Embedding(65, 64) -> LSTM(64, 256) -> Linear(256, 65)), ours on each kernel build against
 * tfjs-layers on the wasm backend (cpu for reference) and PyTorch on one thread where installed.
 */
import { closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { CharLanguageModel, tokens } from '@deepwasm/models';
import { time } from './stats.js';
import { benchThreads, builds, loadOurs, variant, type Isa } from './train-bench.js';
import { pytorchRnn, tfjsCharLmTokensPerSec, tfjsRnnStepMs } from './rnn-peers.js';
import type { Row, SuiteOptions } from './report.js';

const T = 50, B = 32, I = 64, H = 128;
const VOCAB = 65, GEN_TOKENS = 200, SCORE_T = 100, SCORE_B = 32;

/** Median ms of one training step: MSE of the whole output sequence against a fixed target. */
export async function ourStepMs(isa: Isa, cell: 'lstm' | 'gru', quick: boolean, threads: number): Promise<number> {
  const k = await loadOurs(isa, threads);
  nn.useKernels(k);
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
  closeThreads(k);
  return t.medianMs;
}

/** Tokens/s of the char model: generating one token at a time (batch 1) and scoring [100, 32] at once. */
async function ourCharLm(isa: Isa, quick: boolean, threads: number): Promise<{ generate: number; score: number }> {
  const k = await loadOurs(isa, threads);
  nn.useKernels(k);
  nn.manualSeed(0);
  const model = new CharLanguageModel({ vocabSize: VOCAB, embedDim: 64, hiddenSize: 256 });
  model.eval();
  const g = new nn.Generator(1);
  const batch = tokens(Int32Array.from({ length: SCORE_T * SCORE_B }, () => g.int(VOCAB)), SCORE_T, SCORE_B);
  const opts = { warmup: 2, minSamples: quick ? 3 : 7, minSeconds: quick ? 0.5 : 2 };
  const gen = time(() => void model.generate({ prime: [0], length: GEN_TOKENS, temperature: 0 }), opts);
  const score = time(() => nn.noGrad(() => nn.tidy(() => void model.run(batch))), opts);
  model.dispose();
  closeThreads(k);
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
    let torch1: number | null = null;
    for (const threads of benchThreads()) {
      const torch = pytorchRnn(cell, quick, log, threads);
      if (threads === 1 && torch) torch1 = torch.median_step_ms;
      for (const isa of builds()) {
        const ms = await ourStepMs(isa, cell, quick, threads);
        const row = (peer: string, peerMs: number): Row => ({
          suite: 'rnn', case: stepCase(cell), ours: variant(isa, threads), threads, metric: 'steps/s', value: 1000 / ms, peer, peerValue: 1000 / peerMs,
          ratio: peerMs / ms, medianMs: ms, peerMedianMs: peerMs,
        });
        rows.push(row('tfjs-layers wasm', wasm));
        if (cpu !== null) rows.push(row('tfjs-layers cpu', cpu));
        if (torch) rows.push(row(`pytorch ${threads} thread${threads > 1 ? 's' : ''}`, torch.median_step_ms));
        // The library's default uses every core: our threads against PyTorch's one thread too.
        if (threads > 1 && torch1 !== null) rows.push(row('pytorch 1 thread', torch1));
      }
    }
  }
  const tf = await tfjsCharLmTokensPerSec('wasm', quick);
  log?.(`rnn: tfjs-layers char model on wasm: generate ${tf.generate.toFixed(0)} tokens/s, score ${tf.score.toFixed(0)} tokens/s`);
  for (const threads of benchThreads()) {
    const torch = pytorchRnn('charlm', quick, log, threads);
    const pt = `pytorch ${threads} thread${threads > 1 ? 's' : ''}`;
    for (const isa of builds()) {
      const ours = await ourCharLm(isa, quick, threads);
      const gen = `char LSTM-256 generate (batch 1, ${GEN_TOKENS} tokens)`;
      const score = `char LSTM-256 score (${SCORE_B} x ${SCORE_T} tokens)`;
      const base = { suite: 'rnn', ours: variant(isa, threads), threads, metric: 'tokens/s' };
      rows.push({ ...base, case: gen, value: ours.generate, peer: 'tfjs-layers wasm', peerValue: tf.generate, ratio: ours.generate / tf.generate });
      rows.push({ ...base, case: score, value: ours.score, peer: 'tfjs-layers wasm', peerValue: tf.score, ratio: ours.score / tf.score });
      if (torch) {
        rows.push({ ...base, case: gen, value: ours.generate, peer: pt, peerValue: torch.generate_tokens_per_sec, ratio: ours.generate / torch.generate_tokens_per_sec });
        rows.push({ ...base, case: score, value: ours.score, peer: pt, peerValue: torch.score_tokens_per_sec, ratio: ours.score / torch.score_tokens_per_sec });
      }
    }
  }
  return rows;
}
