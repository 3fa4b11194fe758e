/**
 * Losses with PyTorch's semantics and defaults (reduction 'mean'). Cross-entropy takes logits, and
 * integer class labels or per-class probability targets; log-sum-exp keeps it stable.
 */
import { Tensor, recordOp } from '../tensor/tensor.js';
import { noGrad } from '../tensor/scope.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { add, affine, mul, neg, sub, clamp } from '../functional/elementwise.js';
import { abs, exp, log, relu, square } from '../functional/activations.js';
import { logSoftmax } from '../functional/softmax.js';
import { sum } from '../functional/reduce.js';
import { pickPerRow } from '../functional/pick.js';
import { reduceLoss, type Reduction } from './reduction.js';
import { binary, unary } from '@deepwasm/kernels';

export type { Reduction };

function sameShapeOrThrow(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
}

/** Mean squared error. */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapeOrThrow('mseLoss', input, target);
  return reduceLoss(square(sub(input, target)), reduction);
}

/** Mean absolute error. */
export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapeOrThrow('l1Loss', input, target);
  return reduceLoss(abs(sub(input, target)), reduction);
}

export type ClassTarget = Int32Array | Uint8Array | Uint16Array | readonly number[];

/** Negative log-likelihood of class labels given log-probabilities [N, C]. */
export function nllLoss(logProbs: Tensor, target: ClassTarget, reduction: Reduction = 'mean'): Tensor {
  return reduceLoss(neg(pickPerRow(logProbs, target, 'nllLoss')), reduction);
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** PyTorch's label_smoothing: mixes the target with the uniform distribution. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy from logits [N, C] (the class axis is the last), against integer labels or against
 * a tensor of target probabilities (one-hot or soft) of the same shape.
 */
export function crossEntropy(logits: Tensor, target: ClassTarget | Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  if (logits.ndim !== 2) throw new Error(`crossEntropy: expected logits [N, C], got ${formatShape(logits.shape)}`);
  const C = logits.shape[1]!;
  const logp = logSoftmax(logits, 1);
  let perSample: Tensor;
  if (target instanceof Tensor) {
    sameShapeOrThrow('crossEntropy', logits, target);
    const t = eps > 0 ? affine(target, 1 - eps, eps / C) : target;
    perSample = neg(sum(mul(logp, t), 1));
  } else {
    const nll = neg(pickPerRow(logp, target, 'crossEntropy'));
    perSample = eps > 0 ? add(affine(nll, 1 - eps), affine(sum(logp, 1), -eps / C)) : nll;
  }
  return reduceLoss(perSample, reduction);
}

/**
 * Binary cross-entropy from logits: max(x, 0) - x*t + log(1 + exp(-|x|)), stable for any x. The
 * gradient (sigmoid(x) - t) is computed directly, so it is right at x = 0 too.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapeOrThrow('binaryCrossEntropyWithLogits', logits, target);
  const perElement = noGrad(() => add(sub(relu(logits), mul(logits, target)), log(add(exp(neg(abs(logits))), 1))));
  const k = logits.k;
  const recorded = recordOp(
    perElement,
    'binaryCrossEntropyWithLogits',
    [logits, target],
    (g) => {
      const s = Tensor.empty(logits.shape);
      unary(k, 'sigmoid', s.ptr, logits.ptr, logits.size);
      binary(k, 'sub', s.ptr, s.ptr, s.shape, target.ptr, target.shape);
      binary(k, 'mul', s.ptr, s.ptr, s.shape, g.ptr, g.shape);
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
  return reduceLoss(recorded, reduction);
}

/**
 * Binary cross-entropy from probabilities, with log clamped at -100 as PyTorch does (so p = 0 or 1
 * gives a finite loss).
 */
export function binaryCrossEntropy(probs: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapeOrThrow('binaryCrossEntropy', probs, target);
  const logP = clamp(log(probs), -100, Infinity);
  const log1mP = clamp(log(affine(probs, -1, 1)), -100, Infinity);
  const perElement = neg(add(mul(target, logP), mul(affine(target, -1, 1), log1mP)));
  return reduceLoss(perElement, reduction);
}

/** Sum of |w| over the given parameters (add lambda * l1Penalty(params) to a loss). */
export function l1Penalty(params: readonly Tensor[]): Tensor {
  if (params.length === 0) throw new Error('l1Penalty: no parameters given');
  return params.map((p) => sum(abs(p))).reduce((a, b) => add(a, b));
}

/** Sum of w^2 over the given parameters (add lambda/2 * l2Penalty(params) for weight decay lambda). */
export function l2Penalty(params: readonly Tensor[]): Tensor {
  if (params.length === 0) throw new Error('l2Penalty: no parameters given');
  return params.map((p) => sum(square(p))).reduce((a, b) => add(a, b));
}

