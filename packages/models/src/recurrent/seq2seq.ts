/**
 * Encoder–decoder with attention (Luong et al. 2015, with input feeding), as the seeds describe for
 * translation: an LSTM/GRU encoder reads the source; the decoder cell reads the previous target
 * token and the previous attentional vector, attends over the encoder states, and predicts the next
 * token from tanh(W_c [h; context]). Training uses teacher forcing (optionally mixed with the
 * model's own predictions); decoding is greedy or sampled with a temperature.
 */
import * as nn from '@deepwasm/nn';
import { sampleFromLogits, stepIds, type Tokens } from './tokens.js';

export interface Seq2SeqOptions {
  srcVocab: number;
  tgtVocab: number;
  /** Start-of-sequence token that begins decoding. */
  bos: number;
  /** End-of-sequence token (decoding of a row stops emitting after it); optional. */
  eos?: number;
  embedDim?: number;
  hiddenSize?: number;
  cell?: 'lstm' | 'gru';
  /** 'dot' (Luong general when the encoder is bidirectional), 'additive' (Bahdanau), or 'none'. */
  attention?: 'dot' | 'additive' | 'none';
  bidirectionalEncoder?: boolean;
  generator?: nn.Generator;
}
const SEQ2SEQ_OPTIONS = nn.check.optionKeys<Seq2SeqOptions>({
  srcVocab: true, tgtVocab: true, bos: true, eos: true, embedDim: true, hiddenSize: true, cell: true, attention: true, bidirectionalEncoder: true, generator: true,
});

export interface DecodeOptions {
  maxLength: number;
  /** 0 (default) = greedy. */
  temperature?: number;
  generator?: nn.Generator;
  srcLengths?: ArrayLike<number>;
}
const DECODE_OPTIONS = nn.check.optionKeys<DecodeOptions>({ maxLength: true, temperature: true, generator: true, srcLengths: true });
const RUN_OPTIONS = new Set(['srcLengths', 'teacherForcing', 'generator']);

export interface DecodeResult {
  /** Time-major [maxLength, B]; after EOS a row repeats EOS. */
  tokens: Int32Array;
  /** Attention weights per step [maxLength, B, Ts] (empty without attention). */
  attention: Float32Array;
}

interface DecoderState {
  h: nn.Tensor;
  c: nn.Tensor | null;
  /** The previous attentional vector (input feeding). */
  feed: nn.Tensor;
}

export class Seq2Seq extends nn.Module {
  static override readonly typeName = 'Seq2Seq';
  readonly srcEmbed: nn.Embedding;
  readonly tgtEmbed: nn.Embedding;
  readonly encoder: nn.LSTM | nn.GRU;
  readonly decoder: nn.LSTMCell | nn.GRUCell;
  readonly attention: nn.Attention | null;
  readonly bridgeH: nn.Linear | null;
  readonly bridgeC: nn.Linear | null;
  readonly combine: nn.Linear;
  readonly out: nn.Linear;
  readonly hidden: number;

  constructor(readonly options: Seq2SeqOptions) {
    super();
    nn.check.checkOptions('Seq2Seq', options, SEQ2SEQ_OPTIONS);
    if (options.cell !== undefined) nn.check.oneOf('Seq2Seq', 'cell', options.cell, ['lstm', 'gru'] as const);
    if (options.attention !== undefined) nn.check.oneOf('Seq2Seq', 'attention', options.attention, ['dot', 'additive', 'none'] as const);
    const { srcVocab, tgtVocab, embedDim = 32, hiddenSize = 64, cell = 'lstm', attention = 'dot', bidirectionalEncoder = false, generator } = options;
    this.hidden = hiddenSize;
    this.srcEmbed = this.registerModule('src_embed', new nn.Embedding(srcVocab, embedDim, { generator }));
    this.tgtEmbed = this.registerModule('tgt_embed', new nn.Embedding(tgtVocab, embedDim, { generator }));
    const Enc = cell === 'gru' ? nn.GRU : nn.LSTM;
    this.encoder = this.registerModule('encoder', new Enc(embedDim, hiddenSize, { bidirectional: bidirectionalEncoder, generator }));
    const Cell = cell === 'gru' ? nn.GRUCell : nn.LSTMCell;
    this.decoder = this.registerModule('decoder', new Cell(embedDim + hiddenSize, hiddenSize, { generator }));
    const keyDim = hiddenSize * (bidirectionalEncoder ? 2 : 1);
    this.attention =
      attention === 'none'
        ? null
        : this.registerModule(
            'attention',
            attention === 'additive'
              ? new nn.AdditiveAttention(hiddenSize, keyDim, hiddenSize, generator)
              : new nn.DotAttention(hiddenSize, keyDim, { general: bidirectionalEncoder, generator }),
          );
    this.bridgeH = bidirectionalEncoder ? this.registerModule('bridge_h', new nn.Linear(keyDim, hiddenSize, { generator })) : null;
    this.bridgeC = bidirectionalEncoder && cell === 'lstm' ? this.registerModule('bridge_c', new nn.Linear(keyDim, hiddenSize, { generator })) : null;
    this.combine = this.registerModule('combine', new nn.Linear(hiddenSize + (this.attention ? keyDim : 0), hiddenSize, { generator }));
    this.out = this.registerModule('out', new nn.Linear(hiddenSize, tgtVocab, { generator }));
  }

  private encode(src: Tokens, srcLengths?: ArrayLike<number>): { memory: nn.AttentionMemory | null; state: DecoderState } {
    const [, B] = src.shape;
    const r = this.encoder.run(this.srcEmbed.forward(src), { lengths: srcLengths });
    const bothDirections = (s: nn.Tensor) => nn.reshape(nn.permute(s, [1, 0, 2]), [B, 2 * this.hidden]);
    const h = this.bridgeH ? this.bridgeH.forward(bothDirections(r.h)).tanh() : nn.reshape(r.h, [B, this.hidden]);
    let c: nn.Tensor | null = null;
    if (r.c) c = this.bridgeC ? this.bridgeC.forward(bothDirections(r.c)).tanh() : nn.reshape(r.c, [B, this.hidden]);
    const memory = this.attention ? this.attention.memory(nn.permute(r.output, [1, 0, 2]), { lengths: srcLengths }) : null;
    return { memory, state: { h, c, feed: nn.zeros([B, this.hidden]) } };
  }

  /** One decoder step from token ids [B]: logits [B, V], the new state, attention weights [B, Ts]. */
  private step(ids: { indices: ArrayLike<number>; shape: readonly number[] }, s: DecoderState, memory: nn.AttentionMemory | null) {
    const input = nn.concat([this.tgtEmbed.forward(ids), s.feed], 1);
    const { h, c } = this.decoder.step(input, s.h, s.c);
    let features = h;
    let weights: nn.Tensor | null = null;
    if (this.attention && memory) {
      const a = this.attention.attend(h, memory);
      features = nn.concat([h, a.context], 1);
      weights = a.weights;
    }
    const feed = this.combine.forward(features).tanh();
    return { logits: this.out.forward(feed), state: { h, c, feed }, weights };
  }

  /**
   * Teacher forcing: logits [Tt, B, V] for decoder inputs tgtIn [Tt, B] (BOS then the target without
   * its last token). With teacherForcing < 1, each step uses the model's own previous argmax instead
   * of the given token with probability 1 - teacherForcing.
   */
  run(src: Tokens, tgtIn: Tokens, opts: { srcLengths?: ArrayLike<number>; teacherForcing?: number; generator?: nn.Generator } = {}): nn.Tensor {
    const [Tt, B] = tgtIn.shape;
    if (src.shape[1] !== B) throw new Error(`Seq2Seq: source batch ${src.shape[1]} and target batch ${B} differ`);
    nn.check.checkOptions('Seq2Seq.run', opts, RUN_OPTIONS);
    const tf = nn.check.num('Seq2Seq.run', 'teacherForcing', opts.teacherForcing ?? 1, 0, 1);
    const gen = opts.generator ?? nn.defaultGenerator;
    const { memory, state } = this.encode(src, opts.srcLengths);
    let s = state;
    const logits: nn.Tensor[] = [];
    let own: Int32Array | null = null;
    for (let t = 0; t < Tt; t++) {
      const given = stepIds(tgtIn, t);
      const ids = t > 0 && own && tf < 1 && gen.uniform() >= tf ? { indices: own, shape: [B] } : given;
      const r = this.step(ids, s, memory);
      logits.push(r.logits);
      s = r.state;
      if (tf < 1) own = argmaxRows(r.logits);
    }
    return nn.stack(logits, 0);
  }

  forward(src: nn.Tensor, tgtIn?: nn.Tensor): nn.Tensor {
    if (!tgtIn) throw new Error('Seq2Seq.forward(src, tgtIn): the decoder input is required (use decode() to generate)');
    return this.run(idsOf(src), idsOf(tgtIn));
  }

  /** Generates up to maxLength tokens per source (eval mode, no gradients). */
  decode(src: Tokens, opts: DecodeOptions): DecodeResult {
    const [Ts, B] = src.shape;
    nn.check.checkOptions('Seq2Seq.decode', opts, DECODE_OPTIONS);
    nn.check.int('Seq2Seq.decode', 'maxLength', opts.maxLength);
    const temperature = nn.check.num('Seq2Seq.decode', 'temperature', opts.temperature ?? 0, 0);
    const gen = opts.generator ?? nn.defaultGenerator;
    const tokens = new Int32Array(opts.maxLength * B);
    const attention = new Float32Array(this.attention ? opts.maxLength * B * Ts : 0);
    const wasTraining = this.training;
    this.eval();
    try {
      nn.noGrad(() =>
        nn.tidy(() => {
          const { memory, state } = this.encode(src, opts.srcLengths);
          let s = state;
          let prev = new Int32Array(B).fill(this.options.bos);
          const done = new Uint8Array(B);
          const V = this.options.tgtVocab;
          for (let t = 0; t < opts.maxLength; t++) {
            const r = nn.tidy(() => {
              const o = this.step({ indices: prev, shape: [B] }, s, memory);
              return { logits: o.logits, state: o.state, weights: o.weights };
            });
            const lg = r.logits.data;
            const next = new Int32Array(B);
            for (let b = 0; b < B; b++) {
              next[b] = done[b] ? this.options.eos! : sampleFromLogits(lg.subarray(b * V, (b + 1) * V), temperature, gen);
              if (this.options.eos !== undefined && next[b] === this.options.eos) done[b] = 1;
            }
            tokens.set(next, t * B);
            if (r.weights) attention.set(r.weights.data, t * B * Ts);
            // No graph under noGrad: the previous state and this step's outputs can go now.
            for (const x of [s.h, s.c, s.feed, r.logits, r.weights]) x?.dispose();
            s = r.state;
            prev = next;
          }
        }),
      );
    } finally {
      this.train(wasTraining);
    }
    return { tokens, attention };
  }

  override getConfig(): nn.ModuleConfig {
    const { generator: _g, ...config } = this.options;
    return { type: 'Seq2Seq', config: { ...config } };
  }
}

function argmaxRows(logits: nn.Tensor): Int32Array {
  return nn.argmax(logits, 1);
}

function idsOf(t: nn.Tensor): Tokens {
  if (t.ndim !== 2) throw new Error(`Seq2Seq: ids must be [T, B], got [${t.shape.join(', ')}]`);
  return { indices: Int32Array.from(t.data, Math.round), shape: [t.shape[0]!, t.shape[1]!] };
}

const { int, bool, oneOf, optional } = nn.configFields;
nn.registerModuleType('Seq2Seq', (c) => new Seq2Seq(c), {
  srcVocab: int({ min: 1 }), tgtVocab: int({ min: 1 }), bos: int({ min: 0 }), eos: optional(int({ min: 0 })),
  embedDim: optional(int({ min: 1 })), hiddenSize: optional(int({ min: 1 })), cell: optional(oneOf(['lstm', 'gru'])),
  attention: optional(oneOf(['dot', 'additive', 'none'])), bidirectionalEncoder: optional(bool()),
});
