/**
 * Character-level language model: Embedding -> LSTM (or GRU) -> Linear over the vocabulary, trained
 * on next-character prediction; generate() samples text with a temperature, carrying the state.
 */
import * as nn from '@deepwasm/nn';
import { sampleFromLogits, type Tokens } from './tokens.js';

export interface CharLanguageModelOptions {
  vocabSize: number;
  embedDim?: number;
  hiddenSize?: number;
  numLayers?: number;
  dropout?: number;
  cell?: 'lstm' | 'gru';
  generator?: nn.Generator;
}
const CHAR_LM_OPTIONS = nn.check.optionKeys<CharLanguageModelOptions>({
  vocabSize: true, embedDim: true, hiddenSize: true, numLayers: true, dropout: true, cell: true, generator: true,
});

export interface RecurrentState {
  h: nn.Tensor;
  c: nn.Tensor | null;
}

export interface GenerateOptions {
  /** Ids that start the text (at least one). */
  prime: ArrayLike<number>;
  /** Characters to generate after the prime. */
  length: number;
  /** 0 = always the most likely character; 1 = the model's distribution; lower is more conservative. */
  temperature?: number;
  generator?: nn.Generator;
}
const GENERATE_OPTIONS = nn.check.optionKeys<GenerateOptions>({ prime: true, length: true, temperature: true, generator: true });

export class CharLanguageModel extends nn.Module {
  static override readonly typeName = 'CharLanguageModel';
  readonly embed: nn.Embedding;
  readonly rnn: nn.LSTM | nn.GRU;
  readonly head: nn.Linear;
  readonly drop: nn.Dropout;

  constructor(readonly options: CharLanguageModelOptions) {
    super();
    nn.check.checkOptions('CharLanguageModel', options, CHAR_LM_OPTIONS);
    if (options.cell !== undefined) nn.check.oneOf('CharLanguageModel', 'cell', options.cell, ['lstm', 'gru'] as const);
    const { vocabSize, embedDim = 64, hiddenSize = 256, numLayers = 1, dropout = 0, cell = 'lstm', generator } = options;
    this.embed = this.registerModule('embed', new nn.Embedding(vocabSize, embedDim, { generator }));
    const Rnn = cell === 'gru' ? nn.GRU : nn.LSTM;
    this.rnn = this.registerModule('rnn', new Rnn(embedDim, hiddenSize, { numLayers, dropout, generator }));
    this.drop = this.registerModule('drop', new nn.Dropout(dropout, generator));
    this.head = this.registerModule('head', new nn.Linear(hiddenSize, vocabSize, { generator }));
  }

  /** Logits [T, B, V] for ids [T, B] and the final state. */
  run(ids: Tokens | nn.Tensor, state: RecurrentState | null = null): { logits: nn.Tensor; state: RecurrentState } {
    const x = this.embed.forward(ids);
    const r = this.rnn.run(x, { h0: state?.h ?? null, c0: state?.c ?? null });
    return { logits: this.head.forward(this.drop.forward(r.output)), state: { h: r.h, c: r.c } };
  }

  forward(ids: Tokens | nn.Tensor): nn.Tensor {
    // A tensor of ids goes to the embedding as it is (so exportOnnx sees the graph read it).
    if (ids instanceof nn.Tensor && ids.ndim !== 2) throw new Error(`CharLanguageModel: ids must be [T, B], got [${ids.shape.join(', ')}]`);
    return this.run(ids).logits;
  }

  /** Mean cross-entropy (nats per character) of predicting targets [T, B] from ids [T, B]. */
  loss(ids: Tokens, targets: ArrayLike<number>): nn.Tensor {
    return nn.sequenceCrossEntropy(this.run(ids).logits, Int32Array.from(targets));
  }

  /**
   * Mean cross-entropy in bits per character of predicting each id of a stream from those before it
   * (no gradients; consecutive windows of seqLen, batchSize at a time; the tail that fills no batch
   * is left out). What a validation split is scored by.
   */
  bitsPerCharacter(ids: ArrayLike<number>, seqLen = 64, batchSize = 16): number {
    const per = seqLen * batchSize;
    const batches = Math.floor((ids.length - 1) / per);
    if (batches < 1) throw new Error(`bitsPerCharacter: ${ids.length} ids do not fill one batch of ${batchSize} x ${seqLen} (+1)`);
    const wasTraining = this.training;
    this.eval();
    let total = 0;
    try {
      for (let k = 0; k < batches; k++) {
        const input = new Int32Array(per);
        const target = new Int32Array(per);
        for (let b = 0; b < batchSize; b++) {
          const start = k * per + b * seqLen;
          for (let t = 0; t < seqLen; t++) {
            input[t * batchSize + b] = ids[start + t]!;
            target[t * batchSize + b] = ids[start + t + 1]!;
          }
        }
        total += nn.noGrad(() => nn.tidy(() => this.loss({ indices: input, shape: [seqLen, batchSize] }, target).item()));
      }
    } finally {
      this.train(wasTraining);
    }
    return total / batches / Math.LN2;
  }

  /** Samples `length` ids after the prime (eval mode, no gradients, state carried step to step). */
  generate(opts: GenerateOptions): Int32Array {
    nn.check.checkOptions('CharLanguageModel.generate', opts, GENERATE_OPTIONS);
    nn.check.int('CharLanguageModel.generate', 'length', opts.length, 0);
    if (opts.temperature !== undefined) nn.check.num('CharLanguageModel.generate', 'temperature', opts.temperature, 0);
    if (opts.prime.length === 0) throw new Error('CharLanguageModel.generate: the prime needs at least one id');
    const temperature = opts.temperature ?? 1;
    const gen = opts.generator ?? nn.defaultGenerator;
    const wasTraining = this.training;
    this.eval();
    const out = new Int32Array(opts.length);
    try {
      nn.noGrad(() =>
        nn.tidy(() => {
          const V = this.head.outFeatures;
          const primed = this.run({ indices: opts.prime, shape: [opts.prime.length, 1] });
          let state = primed.state;
          let last = primed.logits.data.slice((opts.prime.length - 1) * V);
          primed.logits.dispose();
          for (let i = 0; i < opts.length; i++) {
            const id = sampleFromLogits(last, temperature, gen);
            out[i] = id;
            if (i === opts.length - 1) break;
            const prev = state;
            const step = nn.tidy(() => this.run({ indices: [id], shape: [1, 1] }, prev));
            last = step.logits.data.slice();
            step.logits.dispose();
            prev.h.dispose();
            prev.c?.dispose();
            state = step.state;
          }
        }),
      );
    } finally {
      this.train(wasTraining);
    }
    return out;
  }

  override getConfig(): nn.ModuleConfig {
    const { generator: _g, ...config } = this.options;
    return { type: 'CharLanguageModel', config: { ...config } };
  }
}

const { int, num, bool, oneOf, optional } = nn.configFields;
nn.registerModuleType('CharLanguageModel', (c) => new CharLanguageModel(c), {
  vocabSize: int({ min: 1 }), embedDim: optional(int({ min: 1 })), hiddenSize: optional(int({ min: 1 })),
  numLayers: optional(int({ min: 1 })), dropout: optional(num({ min: 0, max: 1 })), cell: optional(oneOf(['lstm', 'gru'])),
});
