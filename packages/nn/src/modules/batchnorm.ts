/**
 * BatchNorm1d over [N, C] or [N, C, L]: batch statistics while training (biased variance to
 * normalise, unbiased variance into the running estimate, as PyTorch), running statistics in eval.
 */
import { Module, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { full } from '../functional/creation.js';
import { batchNorm } from '../functional/normalization.js';
import { bool, checkOptions, int, num, optionKeys } from '../check/options.js';
import { tensorArg } from '../check/operands.js';

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}
export const BATCH_NORM_OPTIONS = optionKeys<BatchNormOptions>({ eps: true, momentum: true, affine: true, trackRunningStats: true });

export class BatchNorm1d extends Module {
  static override readonly typeName: string = 'BatchNorm1d';
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
    const name = new.target.name;
    checkOptions(name, opts, BATCH_NORM_OPTIONS);
    int(name, 'numFeatures', numFeatures);
    this.eps = num(name, 'eps', opts.eps ?? 1e-5, 0);
    this.momentum = num(name, 'momentum', opts.momentum ?? 0.1, 0, 1);
    this.affine = bool(name, 'affine', opts.affine ?? true);
    this.trackRunningStats = bool(name, 'trackRunningStats', opts.trackRunningStats ?? true);
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
    tensorArg(() => `BatchNorm1d(${C})`, 'input', x);
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== C) {
      throw new Error(`BatchNorm1d(${C}): expected input [N, ${C}] or [N, ${C}, L], got ${formatShape(x.shape)}`);
    }
    return this.normalize(x, 'BatchNorm1d');
  }

  /** The shared body of BatchNorm1d and BatchNorm2d once the input's shape is checked. */
  protected normalize(x: Tensor, layer: string): Tensor {
    const C = this.numFeatures;
    if (this.training && x.size / C <= 1) {
      throw new Error(`${layer}(${C}): expected more than 1 value per channel when training, got input ${formatShape(x.shape)}`);
    }
    const y = batchNorm(x, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      training: this.training || !this.trackRunningStats, momentum: this.momentum, eps: this.eps, where: `${layer}(${C})`,
    });
    if (this.training && this.trackRunningStats) this.numBatchesTracked!.data[0]! += 1;
    return y;
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'BatchNorm1d',
      config: { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats },
    };
  }
}
