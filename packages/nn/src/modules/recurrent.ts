/**
 * RNN, LSTM and GRU layers with PyTorch's parameters (weight_ih_l{k}[_reverse], weight_hh_l{k},
 * bias_ih_l{k}, bias_hh_l{k}), gate order, initialisation U(-1/sqrt(H), 1/sqrt(H)) and options:
 * stacked layers, dropout between layers, bidirectional, batch-first or time-first input, initial
 * states in and final states out, and variable-length batches (lengths or a mask).
 */
import { Module, moduleTypeName, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { uniform_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { bool, checkGenerator, checkMask, checkOptions, describe, int, joinKeys, num, optionKeys } from '../check/options.js';
import { concat, narrow, permute, reshape } from '../functional/shape-ops.js';
import { dropout } from '../functional/dropout.js';
import {
  gateCount, lengthsToMask, recurrentSequence, splitRecurrentOutput, type RecurrentMode, type RecurrentWeights,
} from '../functional/recurrent.js';

export interface RecurrentOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are [B, T, F] instead of [T, B, F] (states stay [layers*dirs, B, H], as in PyTorch). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. */
  dropout?: number;
  bidirectional?: boolean;
  generator?: Generator;
}

export interface RnnOptions extends RecurrentOptions {
  nonlinearity?: 'tanh' | 'relu';
}
export const RECURRENT_OPTIONS = optionKeys<RecurrentOptions>({ numLayers: true, bias: true, batchFirst: true, dropout: true, bidirectional: true, generator: true });
const RNN_OPTIONS = joinKeys(RECURRENT_OPTIONS, new Set(['nonlinearity']));

export interface RecurrentRunOptions {
  /** Initial hidden state [numLayers * directions, B, H]. */
  h0?: Tensor | null;
  /** Initial cell state (LSTM), same shape as h0. */
  c0?: Tensor | null;
  /** Length of each sequence in the batch (1..T); steps past it are padding. */
  lengths?: ArrayLike<number>;
  /** Or a 0/1 mask shaped like the input's first two axes ([T, B], or [B, T] when batchFirst). */
  mask?: Tensor;
}
export const RECURRENT_RUN_OPTIONS = optionKeys<RecurrentRunOptions>({ h0: true, c0: true, lengths: true, mask: true });

export interface RecurrentResult {
  /** [T, B, D*H] (or [B, T, D*H] when batchFirst); zero at padded steps. */
  output: Tensor;
  /** Final hidden state per layer and direction [numLayers * D, B, H] (after each sequence's last real step). */
  h: Tensor;
  /** Final cell state (LSTM only). */
  c: Tensor | null;
}

abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropoutP: number;
  readonly bidirectional: boolean;
  private readonly generator: Generator;
  private readonly weights: RecurrentWeights[][] = [];

  protected constructor(
    readonly mode: RecurrentMode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: RecurrentOptions,
  ) {
    super();
    const name = moduleTypeName(this);
    checkOptions(name, opts, mode.startsWith('rnn') ? RNN_OPTIONS : RECURRENT_OPTIONS);
    for (const k of ['bias', 'batchFirst', 'bidirectional'] as const) if (opts[k] !== undefined) bool(name, k, opts[k]);
    if (opts.generator !== undefined) checkGenerator(name, opts.generator);
    for (const [what, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', opts.numLayers ?? 1]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: ${what} must be a positive integer, got ${v}`);
    }
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropoutP = opts.dropout ?? 0;
    num(name, 'dropout', this.dropoutP, 0, 1, { hi: true });
    this.bidirectional = opts.bidirectional ?? false;
    this.generator = opts.generator ?? defaultGenerator;
    const G = gateCount(mode);
    const bound = 1 / Math.sqrt(hiddenSize);
    const u = (shape: number[]) => uniform_(Tensor.empty(shape), -bound, bound, this.generator);
    for (let l = 0; l < this.numLayers; l++) {
      const layer: RecurrentWeights[] = [];
      const inF = l === 0 ? inputSize : hiddenSize * this.directions;
      for (let d = 0; d < this.directions; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        layer.push({
          weightIh: this.registerParameter(`weight_ih${sfx}`, u([G * hiddenSize, inF])),
          weightHh: this.registerParameter(`weight_hh${sfx}`, u([G * hiddenSize, hiddenSize])),
          biasIh: this.bias ? this.registerParameter(`bias_ih${sfx}`, u([G * hiddenSize])) : null,
          biasHh: this.bias ? this.registerParameter(`bias_hh${sfx}`, u([G * hiddenSize])) : null,
        });
      }
      this.weights.push(layer);
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The output sequence only (so the layer fits in a Sequential). */
  forward(x: Tensor): Tensor {
    return this.run(x).output;
  }

  /** Runs the layer: outputs, final hidden state and (LSTM) final cell state. */
  run(x: Tensor, opts: RecurrentRunOptions = {}): RecurrentResult {
    const name = moduleTypeName(this);
    checkOptions(`${name}.run`, opts, RECURRENT_RUN_OPTIONS);
    if (!(x instanceof Tensor)) throw new TypeError(`${name}: input must be a Tensor, got ${describe(x)}`);
    for (const k of ['h0', 'c0', 'mask'] as const) {
      if (opts[k] != null && !(opts[k] instanceof Tensor)) throw new TypeError(`${name}: ${k} must be a Tensor, got ${describe(opts[k])}`);
    }
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      throw new Error(
        `${name}(${this.inputSize}, ${this.hiddenSize}): input ${formatShape(x.shape)} does not match: expected ` +
          `${this.batchFirst ? '[B, T, ' : '[T, B, '}${this.inputSize}]`,
      );
    }
    let seq = this.batchFirst ? permute(x, [1, 0, 2]) : x;
    const [T, B] = seq.shape as [number, number, number];
    const L = this.numLayers * this.directions;
    const H = this.hiddenSize;
    const stateShape = [L, B, H];
    for (const [what, s] of [['h0', opts.h0], ['c0', opts.c0]] as const) {
      if (s && (s.ndim !== 3 || s.shape.some((d, i) => d !== stateShape[i]))) {
        throw new Error(`${name}: ${what} is ${formatShape(s.shape)}, expected ${formatShape(stateShape)} (layers*directions, batch, hidden)`);
      }
    }
    if (opts.c0 && this.mode !== 'lstm') throw new Error(`${name}: only an LSTM takes a cell state c0`);
    let mask: Tensor | null = null;
    if (opts.lengths) {
      if (opts.lengths.length !== B) throw new Error(`${name}: ${opts.lengths.length} lengths for a batch of ${B}`);
      mask = lengthsToMask(opts.lengths, T, name);
    } else if (opts.mask) {
      const want = this.batchFirst ? [B, T] : [T, B];
      if (opts.mask.ndim !== 2 || opts.mask.shape[0] !== want[0] || opts.mask.shape[1] !== want[1]) {
        throw new Error(`${name}: mask ${formatShape(opts.mask.shape)} does not match the input ${formatShape(x.shape)}: expected ${formatShape(want)}`);
      }
      checkMask(name, 'mask', opts.mask.data);
      mask = this.batchFirst ? permute(opts.mask, [1, 0]) : opts.mask;
    }
    const state = (s: Tensor | null | undefined, i: number) => (s ? reshape(narrow(s, 0, i, 1), [B, H]) : null);
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.directions; d++) {
        const i = l * this.directions + d;
        const packed = recurrentSequence(this.mode, seq, this.weights[l]![d]!, {
          h0: state(opts.h0, i), c0: state(opts.c0, i), mask, reverse: d === 1,
        });
        const r = splitRecurrentOutput(this.mode, packed);
        outs.push(r.output);
        hs.push(reshape(r.h, [1, B, H]));
        if (r.c) cs.push(reshape(r.c, [1, B, H]));
      }
      seq = outs.length === 1 ? outs[0]! : concat(outs, 2);
      if (l < this.numLayers - 1 && this.dropoutP > 0) seq = dropout(seq, this.dropoutP, this.training, this.generator);
    }
    const output = this.batchFirst ? permute(seq, [1, 0, 2]) : seq;
    return { output, h: hs.length === 1 ? hs[0]! : concat(hs, 0), c: cs.length === 0 ? null : cs.length === 1 ? cs[0]! : concat(cs, 0) };
  }

  override getConfig(): ModuleConfig {
    return {
      type: moduleTypeName(this),
      config: {
        inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias,
        batchFirst: this.batchFirst, dropout: this.dropoutP, bidirectional: this.bidirectional,
        ...(this.mode.startsWith('rnn') ? { nonlinearity: this.mode === 'rnn_relu' ? 'relu' : 'tanh' } : {}),
      },
    };
  }
}

function rnnMode(layer: string, nonlinearity: string | undefined): RecurrentMode {
  if (nonlinearity === undefined || nonlinearity === 'tanh') return 'rnn_tanh';
  if (nonlinearity === 'relu') return 'rnn_relu';
  throw new Error(`${layer}: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nonlinearity)}`);
}

/** Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh (default) or ReLU. */
export class RNN extends RecurrentBase {
  static override readonly typeName = 'RNN';
  constructor(inputSize: number, hiddenSize: number, opts: RnnOptions = {}) {
    super(rnnMode('RNN', opts?.nonlinearity), inputSize, hiddenSize, opts);
  }
}

/** LSTM with PyTorch's gate order (input, forget, cell, output). */
export class LSTM extends RecurrentBase {
  static override readonly typeName = 'LSTM';
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super('lstm', inputSize, hiddenSize, opts);
  }
}

/** GRU with PyTorch's gate order (reset, update, new) and reset applied after the hidden product. */
export class GRU extends RecurrentBase {
  static override readonly typeName = 'GRU';
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super('gru', inputSize, hiddenSize, opts);
  }
}

export interface CellOptions {
  bias?: boolean;
  generator?: Generator;
}
export const CELL_OPTIONS = optionKeys<CellOptions>({ bias: true, generator: true });

/** One step of a recurrent cell (PyTorch's RNNCell / LSTMCell / GRUCell), for hand-written loops such as decoders. */
abstract class CellBase extends Module {
  protected readonly w: RecurrentWeights;

  protected constructor(
    readonly mode: RecurrentMode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: CellOptions,
  ) {
    super();
    const name = new.target.name;
    checkOptions(name, opts, mode.startsWith('rnn') ? joinKeys(CELL_OPTIONS, new Set(['nonlinearity'])) : CELL_OPTIONS);
    int(name, 'inputSize', inputSize);
    int(name, 'hiddenSize', hiddenSize);
    if (opts.bias !== undefined) bool(name, 'bias', opts.bias);
    if (opts.generator !== undefined) checkGenerator(name, opts.generator);
    const g = opts.generator ?? defaultGenerator;
    const G = gateCount(mode);
    const bound = 1 / Math.sqrt(hiddenSize);
    const u = (shape: number[]) => uniform_(Tensor.empty(shape), -bound, bound, g);
    const bias = opts.bias ?? true;
    this.w = {
      weightIh: this.registerParameter('weight_ih', u([G * hiddenSize, inputSize])),
      weightHh: this.registerParameter('weight_hh', u([G * hiddenSize, hiddenSize])),
      biasIh: bias ? this.registerParameter('bias_ih', u([G * hiddenSize])) : null,
      biasHh: bias ? this.registerParameter('bias_hh', u([G * hiddenSize])) : null,
    };
  }

  /** x [B, I], states [B, H] (zeros when absent). Returns the new h (and c for LSTMCell). */
  step(x: Tensor, h?: Tensor | null, c?: Tensor | null): { h: Tensor; c: Tensor | null } {
    for (const [k, v, optional] of [['input', x, false], ['h', h, true], ['c', c, true]] as const) {
      if (!(v instanceof Tensor) && !(optional && v == null)) throw new TypeError(`${moduleTypeName(this)}: ${k} must be a Tensor, got ${describe(v)}`);
    }
    if (x.ndim !== 2 || x.shape[1] !== this.inputSize) {
      throw new Error(`${moduleTypeName(this)}(${this.inputSize}, ${this.hiddenSize}): input ${formatShape(x.shape)} does not match: expected [B, ${this.inputSize}]`);
    }
    const [B] = x.shape as [number, number];
    const packed = recurrentSequence(this.mode, reshape(x, [1, B, this.inputSize]), this.w, { h0: h ?? null, c0: c ?? null });
    const r = splitRecurrentOutput(this.mode, packed);
    return { h: r.h, c: r.c };
  }

  forward(x: Tensor, h?: Tensor, c?: Tensor): Tensor {
    return this.step(x, h, c).h;
  }

  override getConfig(): ModuleConfig {
    return {
      type: moduleTypeName(this),
      config: {
        inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.w.biasIh !== null,
        ...(this.mode.startsWith('rnn') ? { nonlinearity: this.mode === 'rnn_relu' ? 'relu' : 'tanh' } : {}),
      },
    };
  }
}

export class RNNCell extends CellBase {
  static override readonly typeName = 'RNNCell';
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    super(rnnMode('RNNCell', opts?.nonlinearity), inputSize, hiddenSize, opts);
  }
}

export class LSTMCell extends CellBase {
  static override readonly typeName = 'LSTMCell';
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    super('lstm', inputSize, hiddenSize, opts);
  }
}

export class GRUCell extends CellBase {
  static override readonly typeName = 'GRUCell';
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    super('gru', inputSize, hiddenSize, opts);
  }
}
