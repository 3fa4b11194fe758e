/**
 * Character language model on the bundled public-domain text (Moby-Dick, chapters 1-10): trains an
 * LSTM to predict the next character, reports validation cross-entropy in bits per character
 * against the unigram entropy of the text, and samples text with a temperature.
 */
import * as nn from '@deepwasm/nn';
import { CharVocab, charLmBatches, corpusText, splitStream, unigramEntropyBits } from '@deepwasm/data';
import { CharLanguageModel, tokens } from '@deepwasm/models';
import { lineChartSvg } from '../plot.js';
import { bar, trainStep, writeOut, type TaskOptions } from './common.js';

export interface CharLmOptions extends TaskOptions {
  hidden?: number;
  embed?: number;
  seqLen?: number;
  batch?: number;
  lr?: number;
  evalEvery?: number;
  temperature?: number;
  sampleLength?: number;
}

export interface CharLmResult {
  unigramBits: number;
  validationBits: number[];
  evalEvery: number;
  sample: string;
  seconds: number;
  tokensPerSecond: number;
  model: CharLanguageModel;
  vocab: CharVocab;
}

const LN2 = Math.log(2);

export async function runCharLmTask(opts: CharLmOptions = {}): Promise<CharLmResult> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0;
  const H = opts.hidden ?? 256, E = opts.embed ?? 64, T = opts.seqLen ?? 64, B = opts.batch ?? 32;
  const steps = opts.steps ?? 1500, evalEvery = opts.evalEvery ?? 100, lr = opts.lr ?? 3e-3;
  const text = corpusText();
  const vocab = CharVocab.fromText(text);
  const ids = vocab.encode(text);
  const { train, validation } = splitStream(ids, 0.1);
  const unigramBits = unigramEntropyBits(train, vocab.size);
  log(`char LM: Moby-Dick ch. 1-10, ${text.length.toLocaleString('en-US')} characters, ${vocab.size} symbols; unigram entropy ${unigramBits.toFixed(2)} bits/char`);
  nn.manualSeed(seed);
  const model = new CharLanguageModel({ vocabSize: vocab.size, embedDim: E, hiddenSize: H });
  const params = model.parameters();
  const opt = new nn.Adam(params, { lr });
  const sched = new nn.CosineAnnealingLR(opt, steps);
  log(`model: Embedding(${vocab.size}, ${E}) -> LSTM(${E}, ${H}) -> Linear(${H}, ${vocab.size}), ${model.numParameters().toLocaleString('en-US')} parameters; Adam ${lr} cosine, batch ${B} x ${T} characters`);
  const curve: number[] = [];
  const progress = bar(steps, 'char LM', opts.progress ?? true);
  const started = performance.now();
  let step = 0;
  for (const b of charLmBatches(train, { seqLen: T, batchSize: B, seed }, steps)) {
    const loss = trainStep(params, opt, 5, () => model.loss(tokens(b.input, T, B), b.target));
    sched.step();
    step++;
    if (step % evalEvery === 0 || step === steps) {
      const bits = model.bitsPerCharacter(validation, T, 16);
      curve.push(bits);
      progress.update(step, `train ${(loss / LN2).toFixed(2)}, validation ${bits.toFixed(2)} bits/char`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  progress.finish(`validation ${curve[curve.length - 1]!.toFixed(2)} bits/char in ${seconds.toFixed(0)} s`);
  const prime = vocab.encode('Call me ');
  const sample = vocab.decode(prime) + vocab.decode(model.generate({ prime, length: opts.sampleLength ?? 300, temperature: opts.temperature ?? 0.7, generator: new nn.Generator(seed) }));
  log(`validation: ${curve[curve.length - 1]!.toFixed(3)} bits/char (unigram ${unigramBits.toFixed(3)})`);
  log(`sample (temperature ${opts.temperature ?? 0.7}):\n${sample}\n`);
  const at = curve.map((_, i) => Math.min(steps, (i + 1) * evalEvery));
  const svg = await lineChartSvg({
    title: `Character LSTM on Moby-Dick: ${curve[curve.length - 1]!.toFixed(3)} bits/char on held-out text after ${steps.toLocaleString('en-US')} steps`,
    subtitle: `unigram entropy ${unigramBits.toFixed(2)} bits/char; hidden ${H}, batch ${B} x ${T} characters, Adam lr ${lr}, seed ${seed}`,
    xTitle: 'training step',
    panels: [{ title: 'validation bits per character', series: [
      { name: 'LSTM', values: curve, x: at },
      { name: 'unigram entropy', values: curve.map(() => unigramBits), x: at, dashed: true },
    ] }],
  });
  const path = await writeOut(opts.out, 'char-lm.svg', svg);
  if (path) {
    log(`curve: ${path}`);
    if (opts.out) {
      await nn.saveModel(model, `${opts.out}/char-lm`);
      await writeOut(opts.out, 'char-lm.vocab.json', JSON.stringify(vocab));
      await writeOut(opts.out, 'char-lm.sample.txt', sample + '\n');
    }
  }
  return { unigramBits, validationBits: curve, evalEvery, sample, seconds, tokensPerSecond: (steps * T * B) / seconds, model, vocab };
}
