/**
 * The character LSTM in the worker (Embedding 32 -> LSTM -> vocabulary) on the bundled Moby-Dick
 * chapters: Adam with cosine annealing, batches of 32 x 64 characters, validation bits per character
 * about 20 times per run against the text's unigram entropy; generates text at a temperature.
 */
import * as nn from '@deepwasm/nn';
import { CharLanguageModel, tokens } from '@deepwasm/models';
import { CharVocab, charLmBatches, corpusText, splitStream, unigramEntropyBits } from '@deepwasm/data/sequences';
import { option, type Job, type JobContext } from './job.js';

const T = 64;
const B = 32;
const PRIME = 'Call me ';

export interface TextProgress {
  step: number;
  steps: number;
  /** Validation bits per character, when measured at this step. */
  bits?: number;
  unigram: number;
  characters: number;
  elapsed: number;
  done: number;
}

export class TextJob implements Job {
  private readonly text = corpusText();
  private readonly vocab = CharVocab.fromText(this.text);
  private readonly split = splitStream(this.vocab.encode(this.text), 0.1);
  private readonly unigram = unigramEntropyBits(this.split.train, this.vocab.size);
  private model: CharLanguageModel | null = null;

  async run(options: Record<string, unknown>, ctx: JobContext): Promise<{ bits: number | null; sample: string }> {
    const steps = option(options, 'steps', 600, 10, 100_000);
    const hidden = option(options, 'hidden', 128, 8, 1024);
    const lr = option(options, 'lr', 3e-3, 1e-6, 1, false);
    const evalEvery = Math.max(10, Math.round(steps / 20));
    this.model?.dispose();
    nn.manualSeed(0);
    const model = (this.model = new CharLanguageModel({ vocabSize: this.vocab.size, embedDim: 32, hiddenSize: hidden }));
    const params = model.parameters();
    const opt = new nn.Adam(params, { lr });
    const sched = new nn.CosineAnnealingLR(opt, steps);
    const ctl = ctx.control;
    let step = 0;
    let bits: number | null = null;
    const report = (measured?: number) =>
      ctx.progress({ step, steps, bits: measured, unigram: this.unigram, characters: step * T * B, elapsed: ctl.elapsed, done: step / steps } satisfies TextProgress);
    report();
    try {
      for (const b of charLmBatches(this.split.train, { seqLen: T, batchSize: B, seed: 0 }, steps)) {
        nn.tidy(() => {
          opt.zeroGrad();
          model.loss(tokens(b.input, T, B), b.target).backward();
          nn.clipGradNorm_(params, 5);
          opt.step();
        });
        sched.step();
        step++;
        if (step % evalEvery === 0 || step === steps) report((bits = model.bitsPerCharacter(this.split.validation, T, 16)));
        else if (step % 5 === 0) report();
        if (!(await ctl.between())) break;
      }
    } finally {
      opt.dispose();
    }
    if (step % evalEvery !== 0 && step !== steps && step > 0) report((bits = model.bitsPerCharacter(this.split.validation, T, 16)));
    return { bits, sample: this.generate(0.7, 400) };
  }

  private generate(temperature: number, length: number): string {
    if (this.model === null) throw new Error('no model yet: train one first');
    const prime = this.vocab.encode(PRIME);
    const ids = this.model.generate({ prime, length, temperature, generator: new nn.Generator(Date.now() % 1e9) });
    return PRIME + this.vocab.decode(ids);
  }

  call(method: string, args: unknown[]): unknown {
    if (method === 'generate') {
      const t = args[0];
      if (typeof t !== 'number' || !(t > 0 && t <= 5)) throw new RangeError(`temperature must be in (0, 5], got ${String(t)}`);
      return this.generate(t, 400);
    }
    if (method === 'info') return { unigram: this.unigram, vocab: this.vocab.size };
    throw new Error(`text: no method "${method}"`);
  }
}
