/**
 * BatchNorm1d over [N, C] or [N, C, L]: batch statistics while training (biased variance to
 * normalise, unbiased variance into the running estimate, as PyTorch), running statistics in eval.
 */
import { Module, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { batchNormInference } from '@deepwasm/kernels';
import { isGradEnabled, noGrad } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import { full } from '../functional/creation.js';
import { add, div, mul, neg, sub } from '../functional/elementwise.js';
import { mean } from '../functional/reduce.js';
import { sqrt, square } from '../functional/activations.js';
import { reshape } from '../functional/shape-ops.js';

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

export class BatchNorm1d extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? this.registerParameter('weight', full([numFeatures], 1)) : null;
    this.bias = this.affine ? this.registerParameter('bias', full([numFeatures], 0)) : null;
    if (this.trackRunningStats) {
      this.runningMean = this.registerBuffer('running_mean', full([numFeatures], 0));
      this.runningVar = this.registerBuffer('running_var', full([numFeatures], 1));
      this.numBatchesTracked = this.registerBuffer('num_batches_tracked', full([], 0));
    } else {
      this.runningMean = this.runningVar = this.numBatchesTracked = null;
    }
  }

  forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== C) {
      throw new Error(`BatchNorm1d(${C}): expected input [N, ${C}] or [N, ${C}, L], got ${formatShape(x.shape)}`);
    }
    const statShape = x.ndim === 2 ? [1, C] : [1, C, 1];
    const axes = x.ndim === 2 ? [0] : [0, 2];
    const useBatch = this.training || !this.trackRunningStats;
    let y: Tensor;
    if (useBatch) {
      const count = x.size / C;
      if (this.training && count <= 1) {
        throw new Error(`BatchNorm1d(${C}): expected more than 1 value per channel when training, got input ${formatShape(x.shape)}`);
      }
      const mu = mean(x, axes, true);
      const xc = sub(x, mu);
      const variance = mean(square(xc), axes, true);
      y = div(xc, sqrt(add(variance, this.eps)));
      if (this.training && this.trackRunningStats) {
        noGrad(() => {
          const m = this.momentum;
          const rm = this.runningMean!.data;
          const rv = this.runningVar!.data;
          const bm = mu.data;
          const bv = variance.data;
          const unbias = count / (count - 1);
          for (let c = 0; c < C; c++) {
            rm[c] = (1 - m) * rm[c]! + m * bm[c]!;
            rv[c] = (1 - m) * rv[c]! + m * bv[c]! * unbias;
          }
          this.numBatchesTracked!.data[0]! += 1;
          this.runningMean!.version++;
          this.runningVar!.version++;
        });
      }
    } else {
      // Eval: fold the running statistics and the affine parameters into one scale and shift per
      // channel. Without a gradient to record (inference) that is one fused pass; otherwise the
      // composite below, whose gradients reach x, weight and bias.
      const needsGrad = isGradEnabled() && (x.requiresGrad || (this.affine && (this.weight!.requiresGrad || this.bias!.requiresGrad)));
      if (!needsGrad) {
        const y = Tensor.empty(x.shape, x.k);
        batchNormInference(x.k, y.ptr, x.ptr, {
          N: x.shape[0]!, C, P: x.ndim === 3 ? x.shape[2]! : 1,
          mean: this.runningMean!.ptr, variance: this.runningVar!.ptr,
          weight: this.affine ? this.weight!.ptr : 0, bias: this.affine ? this.bias!.ptr : 0, eps: this.eps,
        });
        return y;
      }
      let scale = div(1, sqrt(add(this.runningVar!, this.eps)));
      if (this.affine) scale = mul(scale, this.weight!);
      let shift = neg(mul(this.runningMean!, scale));
      if (this.affine) shift = add(shift, this.bias!);
      return add(mul(x, reshape(scale, statShape)), reshape(shift, statShape));
    }
    if (this.affine) {
      y = add(mul(y, reshape(this.weight!, statShape)), reshape(this.bias!, statShape));
    }
    return y;
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'BatchNorm1d',
      config: { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats },
    };
  }
}
