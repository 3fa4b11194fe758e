/**
 * Losses with PyTorch's semantics and defaults (reduction 'mean'). Cross-entropy takes logits, and
 * integer class labels or per-class probability targets; log-sum-exp keeps it stable.
 */
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { add, affine, div, mul, neg, sub, clamp } from '../functional/elementwise.js';
import { abs, log, square } from '../functional/activations.js';
import { logSoftmax } from '../functional/softmax.js';
import { sum } from '../functional/reduce.js';
import { pickRows } from '../functional/pick.js';
import { fromArray } from '../functional/creation.js';
import { checkReduction, reduceLoss, type Reduction } from './reduction.js';
import { classCrossEntropy } from './class-cross-entropy.js';
import { bceWithLogits, bceWithLogitsBackward, binary, unary } from '@deepwasm/kernels';
import { defineOp } from '../check/operands.js';
import { readIndices, type IndexArray } from '../check/indices.js';
import { checkOptions, int, num, optionKeys } from '../check/options.js';

export type { Reduction };

function sameShapeOrThrow(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
}

/** Mean squared error. */
export const mseLoss = defineOp('mseLoss', 'input target', function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapeOrThrow('mseLoss', input, target);
  return reduceLoss(square(sub(input, target)), reduction, 'mseLoss');
});

/** Mean absolute error. */
export const l1Loss = defineOp('l1Loss', 'input target', function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapeOrThrow('l1Loss', input, target);
  return reduceLoss(abs(sub(input, target)), reduction, 'l1Loss');
});

/** Class labels: one integer in [0, C) per row, as a number[], a typed array or a Tensor of whole numbers. */
export type ClassTarget = IndexArray | readonly number[];

/** PyTorch's default ignore_index: targets equal to it add nothing to the loss or to the mean's count. */
export const DEFAULT_IGNORE_INDEX = -100;

export interface NllLossOptions {
  reduction?: Reduction;
  /** Targets equal to this value are ignored (default -100, as in PyTorch). */
  ignoreIndex?: number;
}
export const NLL_LOSS_OPTIONS = optionKeys<NllLossOptions>({ reduction: true, ignoreIndex: true });

export interface CrossEntropyOptions extends NllLossOptions {
  /** PyTorch's label_smoothing: mixes the target with the uniform distribution. */
  labelSmoothing?: number;
}
export const CROSS_ENTROPY_OPTIONS = optionKeys<CrossEntropyOptions>({ reduction: true, ignoreIndex: true, labelSmoothing: true });

/**
 * -logp[i, target[i]] per row (mixed with the row's mean for label smoothing eps), reduced: the
 * mean is over the rows whose target is not ignoreIndex, as in PyTorch.
 */
function classLoss(op: string, logp: Tensor, target: unknown, eps: number, reduction: Reduction, ignoreIndex: number, explicitIgnore: boolean): Tensor {
  const [N, C] = logp.shape as [number, number];
  if (target instanceof Tensor && target.ndim !== 1) {
    throw new Error(`${op}: target ${formatShape(target.shape)} must be class indices [${N}] or probabilities shaped like the input ${formatShape(logp.shape)}`);
  }
  const { values, ignored } = readIndices(op, target, { classes: C, ignoreIndex, mentionIgnore: explicitIgnore, context: `for input ${formatShape(logp.shape)}` });
  if (values.length !== N) throw new Error(`${op}: ${values.length} labels for a batch of ${N} rows (input ${formatShape(logp.shape)})`);
  const idx = ignored === 0 ? values : values.map((v) => (v === ignoreIndex ? 0 : v));
  const nll = neg(pickRows(logp, idx, op));
  let perSample = eps > 0 ? add(affine(nll, 1 - eps), affine(sum(logp, 1), -eps / C)) : nll;
  if (ignored === 0) return reduceLoss(perSample, reduction, op);
  const keep = Float32Array.from(values, (v) => (v === ignoreIndex ? 0 : 1));
  perSample = mul(perSample, fromArray(keep, [N]));
  if (reduction === 'none') return perSample;
  const total = sum(perSample);
  return reduction === 'sum' ? total : div(total, N - ignored);
}

function ignoreOf(op: string, v: unknown): number {
  return v === undefined ? DEFAULT_IGNORE_INDEX : int(op, 'ignoreIndex', v, -(2 ** 31));
}

/** Negative log-likelihood of class labels given log-probabilities [N, C]; the third argument is a reduction or options. */
export const nllLoss = defineOp('nllLoss', 'logProbs target:any', function nllLoss(logProbs: Tensor, target: ClassTarget, options: Reduction | NllLossOptions = 'mean'): Tensor {
  const opts: NllLossOptions = typeof options === 'string' ? { reduction: options } : options;
  checkOptions('nllLoss', opts, NLL_LOSS_OPTIONS);
  const reduction = checkReduction('nllLoss', opts.reduction ?? 'mean');
  if (logProbs.ndim !== 2) throw new Error(`nllLoss: expected log-probabilities [N, C], got ${formatShape(logProbs.shape)}`);
  return classLoss('nllLoss', logProbs, target, 0, reduction, ignoreOf('nllLoss', opts.ignoreIndex), opts.ignoreIndex !== undefined);
});

/**
 * Cross-entropy from logits [N, C] (the class axis is the last), against class indices (one per
 * row: number[], typed array or a Tensor [N]) or against a tensor of target probabilities (one-hot
 * or soft) shaped like the logits.
 */
export const crossEntropy = defineOp('crossEntropy', 'logits target:any', function crossEntropy(logits: Tensor, target: ClassTarget, opts: CrossEntropyOptions = {}): Tensor {
  checkOptions('crossEntropy', opts, CROSS_ENTROPY_OPTIONS);
  const reduction = checkReduction('crossEntropy', opts.reduction ?? 'mean');
  const eps = num('crossEntropy', 'labelSmoothing', opts.labelSmoothing ?? 0, 0, 1);
  if (logits.ndim !== 2) throw new Error(`crossEntropy: expected logits [N, C], got ${formatShape(logits.shape)}`);
  const C = logits.shape[1]!;
  const probabilities = target instanceof Tensor && target.ndim === 2;
  if (!probabilities && eps === 0 && logits.shape[0]! > 0 && C > 0) {
    // Class labels: one fused op (the same values as the chain below).
    const N = logits.shape[0]!;
    const ignoreIndex = ignoreOf('crossEntropy', opts.ignoreIndex);
    if (target instanceof Tensor && target.ndim !== 1) {
      throw new Error(`crossEntropy: target ${formatShape(target.shape)} must be class indices [${N}] or probabilities shaped like the input ${formatShape(logits.shape)}`);
    }
    const { values, ignored } = readIndices('crossEntropy', target, {
      classes: C, ignoreIndex, mentionIgnore: opts.ignoreIndex !== undefined, context: `for input ${formatShape(logits.shape)}`,
    });
    if (values.length !== N) throw new Error(`crossEntropy: ${values.length} labels for a batch of ${N} rows (input ${formatShape(logits.shape)})`);
    return classCrossEntropy(logits, values, ignored, ignoreIndex, reduction);
  }
  const logp = logSoftmax(logits, 1);
  if (probabilities) {
    sameShapeOrThrow('crossEntropy', logits, target);
    const t = eps > 0 ? affine(target, 1 - eps, eps / C) : target;
    return reduceLoss(neg(sum(mul(logp, t), 1)), reduction, 'crossEntropy');
  }
  return classLoss('crossEntropy', logp, target, eps, reduction, ignoreOf('crossEntropy', opts.ignoreIndex), opts.ignoreIndex !== undefined);
});

/**
 * Binary cross-entropy from logits: max(x, 0) - x*t + log(1 + exp(-|x|)), stable for any x. The
 * gradient (sigmoid(x) - t) is computed directly, so it is right at x = 0 too.
 */
export const binaryCrossEntropyWithLogits = defineOp('binaryCrossEntropyWithLogits', 'logits target', function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapeOrThrow('binaryCrossEntropyWithLogits', logits, target);
  const k = logits.k;
  // One fused pass each way (the same arithmetic as the single ops, bit for bit).
  const perElement = Tensor.empty(logits.shape);
  bceWithLogits(k, perElement.ptr, logits.ptr, target.ptr, logits.size);
  const recorded = recordOp(
    perElement,
    'binaryCrossEntropyWithLogits',
    [logits, target],
    (g) => {
      const s = Tensor.empty(logits.shape);
      bceWithLogitsBackward(k, s.ptr, g.ptr, logits.ptr, target.ptr, logits.size);
      let gt: Tensor | null = null;
      if (target.requiresGrad) {
        gt = Tensor.empty(target.shape);
        binary(k, 'mul', gt.ptr, logits.ptr, logits.shape, g.ptr, g.shape);
        unary(k, 'neg', gt.ptr, gt.ptr, gt.size);
      }
      return [s, gt];
    },
    [logits, target],
  );
  return reduceLoss(recorded, reduction, 'binaryCrossEntropyWithLogits');
});

/**
 * Binary cross-entropy from probabilities, with log clamped at -100 as PyTorch does (so p = 0 or 1
 * gives a finite loss).
 */
export const binaryCrossEntropy = defineOp('binaryCrossEntropy', 'probs target', function binaryCrossEntropy(probs: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapeOrThrow('binaryCrossEntropy', probs, target);
  const logP = clamp(log(probs), -100, Infinity);
  const log1mP = clamp(log(affine(probs, -1, 1)), -100, Infinity);
  const perElement = neg(add(mul(target, logP), mul(affine(target, -1, 1), log1mP)));
  return reduceLoss(perElement, reduction, 'binaryCrossEntropy');
});

/** Sum of |w| over the given parameters (add lambda * l1Penalty(params) to a loss). */
export const l1Penalty = defineOp('l1Penalty', 'params:tensors', function l1Penalty(params: readonly Tensor[]): Tensor {
  if (params.length === 0) throw new Error('l1Penalty: no parameters given');
  return params.map((p) => sum(abs(p))).reduce((a, b) => add(a, b));
});

/** Sum of w^2 over the given parameters (add lambda/2 * l2Penalty(params) for weight decay lambda). */
export const l2Penalty = defineOp('l2Penalty', 'params:tensors', function l2Penalty(params: readonly Tensor[]): Tensor {
  if (params.length === 0) throw new Error('l2Penalty: no parameters given');
  return params.map((p) => sum(square(p))).reduce((a, b) => add(a, b));
});

