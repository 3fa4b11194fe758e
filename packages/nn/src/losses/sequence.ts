/**
 * Losses over sequences with padding: per-step losses weighted by a 0/1 mask (from lengths, a mask,
 * or an ignored target value) and averaged over the real steps only, so padding neither adds to the
 * loss nor dilutes it.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { mul, div } from '../functional/elementwise.js';
import { sum } from '../functional/reduce.js';
import { reshape } from '../functional/shape-ops.js';
import { fromArray } from '../functional/creation.js';
import { crossEntropy, mseLoss, DEFAULT_IGNORE_INDEX, type ClassTarget } from './losses.js';
import { checkReduction, type Reduction } from './reduction.js';
import { readIndices } from '../check/indices.js';
import { checkMask, checkOptions, int, optionKeys, show } from '../check/options.js';
import { defineOp } from '../check/operands.js';

export interface SequenceLossOptions {
  /** Real length of each sequence (time-major [T, B, ...]: one entry per batch column). */
  lengths?: ArrayLike<number>;
  /** Or a 0/1 mask shaped like the leading (time, batch) axes, 0 for padding. */
  mask?: ArrayLike<number> | Tensor;
  /** Targets equal to this value are ignored (PyTorch's ignore_index, default -100; class targets only). */
  ignoreIndex?: number;
  /** 'mean' over real steps (default), 'sum', or 'none' (masked per-step losses, shaped like the steps). */
  reduction?: Reduction;
  /** The leading axes are [B, T] instead of [T, B] (affects how lengths are read). */
  batchFirst?: boolean;
}

export const SEQUENCE_LOSS_OPTIONS = optionKeys<SequenceLossOptions>({ lengths: true, mask: true, ignoreIndex: true, reduction: true, batchFirst: true });
const SEQUENCE_MSE_OPTIONS = optionKeys<Omit<SequenceLossOptions, 'ignoreIndex'>>({ lengths: true, mask: true, reduction: true, batchFirst: true });

/** 0/1 weights of the steps from lengths or a mask (null when every step counts), with `ignored` steps zeroed. */
function stepWeights(where: string, steps: number[], opts: SequenceLossOptions, ignored: ((i: number) => boolean) | null): Float32Array | null {
  const n = steps.reduce((a, b) => a * b, 1);
  let w: Float32Array | null = null;
  if (opts.lengths !== undefined) {
    if (steps.length !== 2) throw new Error(`${where}: lengths need [T, B] (or [B, T]) leading axes, got ${formatShape(steps)}`);
    const [T, B] = opts.batchFirst ? [steps[1]!, steps[0]!] : [steps[0]!, steps[1]!];
    if (opts.lengths.length !== B) throw new Error(`${where}: ${opts.lengths.length} lengths for a batch of ${B}`);
    w = new Float32Array(n);
    for (let b = 0; b < B; b++) {
      const len = opts.lengths[b]!;
      if (!(Number.isInteger(len) && len >= 0 && len <= T)) throw new RangeError(`${where}: lengths[${b}] = ${show(len)} is not an integer in [0, ${T}]`);
      for (let t = 0; t < len; t++) w[opts.batchFirst ? b * T + t : t * B + b] = 1;
    }
  } else if (opts.mask !== undefined) {
    const m = opts.mask instanceof Tensor ? opts.mask.data : opts.mask;
    if (m.length !== n) throw new Error(`${where}: mask has ${m.length} entries for ${formatShape(steps)} steps`);
    checkMask(where, 'mask', m);
    w = Float32Array.from(m);
  }
  if (ignored !== null) {
    w ??= new Float32Array(n).fill(1);
    for (let i = 0; i < n; i++) if (ignored(i)) w[i] = 0;
  }
  return w;
}

function reduceMasked(where: string, perStep: Tensor, w: Float32Array | null, steps: number[], reduction: Reduction): Tensor {
  const weighted = w ? mul(perStep, fromArray(w, [w.length])) : perStep;
  if (reduction === 'none') return reshape(weighted, steps);
  const total = sum(weighted);
  if (reduction === 'sum') return total;
  const count = w ? w.reduce((a, b) => a + b, 0) : perStep.size;
  if (count === 0) throw new Error(`${where}: every step is masked out; there is nothing to average`);
  return div(total, count);
}

/**
 * Cross-entropy of logits [..., V] (leading axes are the steps) against class targets, one per step
 * (number[], typed array or a Tensor of indices); targets equal to ignoreIndex (default -100, as in
 * PyTorch) count as padding.
 */
export const sequenceCrossEntropy = defineOp('sequenceCrossEntropy', 'logits targets:any', function sequenceCrossEntropy(logits: Tensor, targets: ClassTarget, opts: SequenceLossOptions = {}): Tensor {
  const where = 'sequenceCrossEntropy';
  checkOptions(where, opts, SEQUENCE_LOSS_OPTIONS);
  const reduction = checkReduction(where, opts.reduction ?? 'mean');
  if (logits.ndim < 2) throw new Error(`${where}: logits must be [..., classes], got ${formatShape(logits.shape)}`);
  const steps = logits.shape.slice(0, -1);
  const V = logits.shape[logits.ndim - 1]!;
  const n = logits.size / V;
  const ignore = opts.ignoreIndex === undefined ? DEFAULT_IGNORE_INDEX : int(where, 'ignoreIndex', opts.ignoreIndex, -(2 ** 31));
  const { values, ignored } = readIndices(where, targets, { classes: V, ignoreIndex: ignore, item: 'target', context: `for logits ${formatShape(logits.shape)}`, mentionIgnore: opts.ignoreIndex !== undefined });
  if (values.length !== n) throw new Error(`${where}: ${values.length} targets for logits ${formatShape(logits.shape)} (${n} steps)`);
  const w = stepWeights(where, steps, opts, ignored > 0 ? (i) => values[i] === ignore : null);
  // Ignored targets may be out of range (PyTorch's -100): any valid class works, its weight is 0.
  const safe = ignored === 0 ? values : values.map((t) => (t === ignore ? 0 : t));
  const perStep = crossEntropy(reshape(logits, [n, V]), safe, { reduction: 'none' });
  return reduceMasked(where, perStep, w, steps, reduction);
});

/** Mean squared error over steps of [..., F] predictions, averaged over real steps and features. */
export const sequenceMseLoss = defineOp('sequenceMseLoss', 'input target', function sequenceMseLoss(input: Tensor, target: Tensor, opts: Omit<SequenceLossOptions, 'ignoreIndex'> = {}): Tensor {
  const where = 'sequenceMseLoss';
  checkOptions(where, opts, SEQUENCE_MSE_OPTIONS);
  const reduction = checkReduction(where, opts.reduction ?? 'mean');
  if (input.ndim < 2) throw new Error(`${where}: input must be [..., features], got ${formatShape(input.shape)}`);
  const steps = input.shape.slice(0, -1);
  const F = input.shape[input.ndim - 1]!;
  const n = input.size / F;
  const perStep = div(sum(reshape(mseLoss(input, target, 'none'), [n, F]), 1), F);
  return reduceMasked(where, perStep, stepWeights(where, steps, opts, null), steps, reduction);
});
