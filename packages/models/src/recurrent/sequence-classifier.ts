/**
 * Many-to-one: a recurrent encoder reads a (padded) batch and a linear head classifies its final
 * state (both directions concatenated when bidirectional). Inputs are feature vectors [T, B, F] or,
 * with `vocabSize`, token ids [T, B] through an embedding.
 */
import * as nn from '@deepwasm/nn';
import type { Tokens } from './tokens.js';

export interface SequenceClassifierOptions {
  numClasses: number;
  hiddenSize?: number;
  /** Feature inputs [T, B, inputSize] ... */
  inputSize?: number;
  /** ... or token inputs through an Embedding(vocabSize, embedDim). */
  vocabSize?: number;
  embedDim?: number;
  numLayers?: number;
  bidirectional?: boolean;
  dropout?: number;
  cell?: 'lstm' | 'gru' | 'rnn';
  generator?: nn.Generator;
}
const SEQUENCE_CLASSIFIER_OPTIONS = nn.check.optionKeys<SequenceClassifierOptions>({
  numClasses: true, hiddenSize: true, inputSize: true, vocabSize: true, embedDim: true, numLayers: true, bidirectional: true, dropout: true,
  cell: true, generator: true,
});

export class SequenceClassifier extends nn.Module {
  static override readonly typeName = 'SequenceClassifier';
  readonly embed: nn.Embedding | null;
  readonly rnn: nn.LSTM | nn.GRU | nn.RNN;
  readonly head: nn.Linear;

  constructor(readonly options: SequenceClassifierOptions) {
    super();
    nn.check.checkOptions('SequenceClassifier', options, SEQUENCE_CLASSIFIER_OPTIONS);
    if (options.cell !== undefined) nn.check.oneOf('SequenceClassifier', 'cell', options.cell, ['lstm', 'gru', 'rnn'] as const);
    const { numClasses, hiddenSize = 64, vocabSize, embedDim = 32, numLayers = 1, bidirectional = false, dropout = 0, cell = 'lstm', generator } = options;
    if ((options.inputSize === undefined) === (vocabSize === undefined)) {
      throw new Error('SequenceClassifier: give exactly one of inputSize (feature inputs) or vocabSize (token inputs)');
    }
    this.embed = vocabSize !== undefined ? this.registerModule('embed', new nn.Embedding(vocabSize, embedDim, { generator })) : null;
    const inF = vocabSize !== undefined ? embedDim : options.inputSize!;
    const Rnn = cell === 'gru' ? nn.GRU : cell === 'rnn' ? nn.RNN : nn.LSTM;
    this.rnn = this.registerModule('rnn', new Rnn(inF, hiddenSize, { numLayers, bidirectional, dropout, generator }));
    this.head = this.registerModule('head', new nn.Linear(hiddenSize * (bidirectional ? 2 : 1), numClasses, { generator }));
  }

  /** Logits [B, classes]; `lengths` marks the real length of each padded sequence. */
  classify(x: nn.Tensor | Tokens, lengths?: ArrayLike<number>): nn.Tensor {
    const input = this.embed ? this.embed.forward(x as Tokens) : (x as nn.Tensor);
    const { h } = this.rnn.run(input, { lengths });
    const D = this.rnn.directions;
    const L = this.rnn.numLayers;
    const [, B, H] = h.shape as [number, number, number];
    // The last layer's final states, directions side by side: [B, D*H].
    const last = nn.narrow(h, 0, (L - 1) * D, D);
    const features = D === 1 ? nn.reshape(last, [B, H]) : nn.reshape(nn.permute(last, [1, 0, 2]), [B, D * H]);
    return this.head.forward(features);
  }

  forward(x: nn.Tensor): nn.Tensor {
    return this.classify(x);
  }

  override getConfig(): nn.ModuleConfig {
    const { generator: _g, ...config } = this.options;
    return { type: 'SequenceClassifier', config: { ...config } };
  }
}

const { int, num, bool, oneOf, optional } = nn.configFields;
nn.registerModuleType('SequenceClassifier', (c) => new SequenceClassifier(c), {
  numClasses: int({ min: 1 }), hiddenSize: optional(int({ min: 1 })), inputSize: optional(int({ min: 1 })),
  vocabSize: optional(int({ min: 1 })), embedDim: optional(int({ min: 1 })), numLayers: optional(int({ min: 1 })),
  bidirectional: optional(bool()), dropout: optional(num({ min: 0, max: 1 })), cell: optional(oneOf(['lstm', 'gru', 'rnn'])),
});
