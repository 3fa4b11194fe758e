/**
 * Batch normalisation over the channels (axis 1) of [N, C, ...], like torch.nn.functional.batch_norm.
 * With the batch's statistics (training) it is one recorded op over fused kernels: the moments, one
 * normalising pass, and a backward pass that reads x and dy once for the sums and once for dx.
 * With fixed statistics it is one fused pass when no gradient is recorded, and otherwise a scale
 * and shift per channel built from ordinary ops (so the gradients reach x, weight and bias).
 */
import { batchNormBackward, batchNormInference, batchNormMoments } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { isGradEnabled } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import { add, div, mul, neg } from './elementwise.js';
import { sqrt } from './activations.js';
import { reshape } from './shape-ops.js';
import { defineOp } from '../check/operands.js';
import { bool, checkOptions, describe, num, optionKeys } from '../check/options.js';

export interface BatchNormArgs {
  /** Running estimates [C]; used in place of the batch's statistics when not training. */
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  /** Affine parameters [C]. */
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with the batch's statistics and update the running ones (default false). */
  training?: boolean;
  /** Weight of the new batch in the running estimates (default 0.1, as PyTorch). */
  momentum?: number;
  eps?: number;
  /** Name for error messages (the layer). */
  where?: string;
}
export const BATCH_NORM_ARGS = optionKeys<BatchNormArgs>({
  runningMean: true, runningVar: true, weight: true, bias: true, training: true, momentum: true, eps: true, where: true,
});

export const batchNorm = defineOp('batchNorm', 'x', function batchNorm(x: Tensor, a: BatchNormArgs = {}): Tensor {
  checkOptions('batchNorm', a, BATCH_NORM_ARGS);
  const where = a.where ?? 'batchNorm';
  for (const k of ['runningMean', 'runningVar', 'weight', 'bias'] as const) {
    if (a[k] != null && !(a[k] instanceof Tensor)) throw new TypeError(`${where}: ${k} must be a Tensor or null, got ${describe(a[k])}`);
  }
  if (a.training !== undefined) bool(where, 'training', a.training);
  if (a.momentum !== undefined) num(where, 'momentum', a.momentum, 0, 1);
  if (a.eps !== undefined) num(where, 'eps', a.eps, 0);
  if (x.ndim < 2) throw new Error(`${where}: expected input [N, C, ...], got ${formatShape(x.shape)}`);
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  const P = N * C === 0 ? 0 : x.size / (N * C);
  for (const [name, t] of [['runningMean', a.runningMean], ['runningVar', a.runningVar], ['weight', a.weight], ['bias', a.bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) {
      throw new Error(`${where}: ${name} has shape ${formatShape(t.shape)}, expected [${C}] for input ${formatShape(x.shape)}`);
    }
  }
  const eps = a.eps ?? 1e-5;
  const weight = a.weight ?? null;
  const bias = a.bias ?? null;
  const training = a.training ?? false;
  if (training || !a.runningMean || !a.runningVar) {
    return batchStatistics(x, N, C, P, weight, bias, eps, training ? a : null);
  }
  const needsGrad = isGradEnabled() && (x.requiresGrad || (weight?.requiresGrad ?? false) || (bias?.requiresGrad ?? false));
  if (!needsGrad) {
    const y = Tensor.empty(x.shape, x.k);
    batchNormInference(x.k, y.ptr, x.ptr, { N, C, P, mean: a.runningMean.ptr, variance: a.runningVar.ptr, weight: weight?.ptr ?? 0, bias: bias?.ptr ?? 0, eps });
    return y;
  }
  const statShape = [1, C, ...x.shape.slice(2).map(() => 1)];
  let scale = div(1, sqrt(add(a.runningVar, eps)));
  if (weight) scale = mul(scale, weight);
  let shift = neg(mul(a.runningMean, scale));
  if (bias) shift = add(shift, bias);
  return add(mul(x, reshape(scale, statShape)), reshape(shift, statShape));
});

/** Normalises with the batch's moments; `update` carries the running estimates to refresh, if any. */
function batchStatistics(
  x: Tensor, N: number, C: number, P: number, weight: Tensor | null, bias: Tensor | null, eps: number, update: BatchNormArgs | null,
): Tensor {
  const k = x.k;
  const mean = Tensor.empty([C], k);
  const variance = Tensor.empty([C], k);
  batchNormMoments(k, x.ptr, N, C, P, mean.ptr, variance.ptr);
  if (update?.runningMean && update.runningVar) {
    // PyTorch's rule: the running variance takes the unbiased batch variance.
    const m = update.momentum ?? 0.1;
    const count = N * P;
    const unbias = count > 1 ? count / (count - 1) : 1;
    const rm = update.runningMean.data;
    const rv = update.runningVar.data;
    const bm = mean.data;
    const bv = variance.data;
    for (let c = 0; c < C; c++) {
      rm[c] = (1 - m) * rm[c]! + m * bm[c]!;
      rv[c] = (1 - m) * rv[c]! + m * bv[c]! * unbias;
    }
    update.runningMean.version++;
    update.runningVar.version++;
  }
  const y = Tensor.empty(x.shape, k);
  batchNormInference(k, y.ptr, x.ptr, { N, C, P, mean: mean.ptr, variance: variance.ptr, weight: weight?.ptr ?? 0, bias: bias?.ptr ?? 0, eps });
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return recordOp(
    y,
    'batch_norm',
    inputs,
    (g) => {
      const dx = x.requiresGrad ? Tensor.empty(x.shape, k) : null;
      const dw = weight?.requiresGrad ? Tensor.empty([C], k) : null;
      const db = bias?.requiresGrad ? Tensor.empty([C], k) : null;
      batchNormBackward(k, x.ptr, g.ptr, {
        N, C, P, mean: mean.ptr, variance: variance.ptr, weight: weight?.ptr ?? 0, eps,
        dx: dx?.ptr ?? 0, dweight: dw?.ptr ?? 0, dbias: db?.ptr ?? 0,
      });
      return [dx, ...(weight ? [dw] : []), ...(bias ? [db] : [])];
    },
    [mean, variance],
  );
}
