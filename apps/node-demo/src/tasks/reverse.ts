/**
 * Sequence to sequence with attention: an LSTM encoder-decoder learns to reverse digit strings of
 * length 10, trained with teacher forcing and tested with greedy decoding (exact match of all 10
 * digits and EOS) on held-out strings.
 */
import * as nn from '@deepwasm/nn';
import { DIGIT_TOKENS, exactMatch, reverseDigits } from '@deepwasm/data';
import { Seq2Seq, tokens } from '@deepwasm/models';
import { lineChartSvg } from '../plot.js';
import { bar, trainStep, writeOut, type TaskOptions } from './common.js';

export interface ReverseOptions extends TaskOptions {
  length?: number;
  attention?: 'dot' | 'additive' | 'none';
  hidden?: number;
  batch?: number;
  lr?: number;
  evalEvery?: number;
  /** Stop once held-out exact match reaches this. */
  target?: number;
}

export interface ReverseResult {
  exactMatch: number;
  curve: number[];
  steps: number;
  seconds: number;
  model: Seq2Seq;
}

export async function runReverseTask(opts: ReverseOptions = {}): Promise<ReverseResult> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0, L = opts.length ?? 10, B = opts.batch ?? 64, lr = opts.lr ?? 3e-3;
  const maxSteps = opts.steps ?? 2000, evalEvery = opts.evalEvery ?? 100, target = opts.target ?? 0.99;
  const attention = opts.attention ?? 'dot';
  nn.manualSeed(seed);
  const model = new Seq2Seq({
    srcVocab: DIGIT_TOKENS.sourceVocab, tgtVocab: DIGIT_TOKENS.vocabSize, bos: DIGIT_TOKENS.BOS, eos: DIGIT_TOKENS.EOS,
    embedDim: 32, hiddenSize: opts.hidden ?? 64, attention,
  });
  const params = model.parameters();
  const opt = new nn.Adam(params, { lr });
  const test = reverseDigits(1000, L, new nn.Generator(seed + 1000));
  const data = new nn.Generator(seed);
  log(`seq2seq: reverse ${L}-digit strings; LSTM encoder-decoder, ${attention} attention, ${model.numParameters().toLocaleString('en-US')} parameters; teacher forcing, batch ${B}, Adam ${lr}`);
  const curve: number[] = [];
  const progress = bar(maxSteps, 'seq2seq', opts.progress ?? true);
  const started = performance.now();
  let step = 0;
  const score = () => exactMatch(model.decode(tokens(test.source, L, 1000), { maxLength: L + 1 }).tokens, test.target, L + 1, 1000);
  while (step < maxSteps) {
    const b = reverseDigits(B, L, data);
    const loss = trainStep(params, opt, 1, () =>
      nn.sequenceCrossEntropy(model.run(tokens(b.source, L, B), tokens(b.decoderInput, L + 1, B)), b.target),
    );
    step++;
    if (step % evalEvery === 0) {
      const acc = score();
      curve.push(acc);
      progress.update(step, `loss ${loss.toFixed(4)}, exact match ${(100 * acc).toFixed(1)}%`);
      if (acc >= target) break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const acc = curve[curve.length - 1] ?? score();
  progress.finish(`exact match ${(100 * acc).toFixed(1)}% after ${step} steps (${seconds.toFixed(0)} s)`);
  const first = Int32Array.from({ length: L }, (_, t) => test.source[t * 1000]!);
  const ex = model.decode(tokens(first, L, 1), { maxLength: L + 1 });
  const digits = (xs: ArrayLike<number>) => Array.from(xs, (d) => (d === DIGIT_TOKENS.EOS ? '<eos>' : String(d))).join('');
  log(`held-out exact match: ${(100 * acc).toFixed(1)}% of 1,000 strings; e.g. ${digits(first)} -> ${digits(ex.tokens)}`);
  const svg = await lineChartSvg({
    title: `Reversing ${L}-digit strings: ${(100 * acc).toFixed(1)}% exact match after ${step.toLocaleString('en-US')} steps`,
    subtitle: `LSTM encoder-decoder with ${attention} attention, greedy decoding of 1,000 held-out strings; batch ${B}, Adam lr ${lr}, seed ${seed}`,
    xTitle: 'training step',
    panels: [{ title: 'held-out exact match', percent: true, series: [{ name: `${attention} attention`, values: curve, x: curve.map((_, i) => (i + 1) * evalEvery) }] }],
  });
  const path = await writeOut(opts.out, 'seq2seq-reverse.svg', svg);
  if (path) log(`curve: ${path}`);
  return { exactMatch: acc, curve, steps: step, seconds, model };
}
