/** torch.optim.Adadelta: running averages of squared gradients and squared updates. */
import { adadeltaUpdate } from '@deepwasm/kernels';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptimizerOptions, optionKeys } from '../check/options.js';
import { Optimizer, checkNonNegative, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
}
export const ADADELTA_OPTIONS = optionKeys<AdadeltaOptions>({ lr: true, rho: true, eps: true, weightDecay: true });

export class Adadelta extends Optimizer<AdadeltaOptions> {
  static override readonly typeName = 'Adadelta';
  constructor(params: readonly Tensor[] | ReadonlyArray<ParamGroupInput<AdadeltaOptions>>, options: Partial<AdadeltaOptions> = {}) {
    checkOptimizerOptions('Adadelta', params, options, ADADELTA_OPTIONS);
    super(params, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, ...options });
  }

  protected validate(o: AdadeltaOptions): void {
    for (const k of ['lr', 'eps', 'weightDecay'] as const) checkNonNegative('Adadelta', k, o[k]);
    if (!(typeof o.rho === 'number' && o.rho >= 0 && o.rho <= 1)) throw new Error(`Adadelta: invalid rho ${o.rho} (must be in [0, 1])`);
  }

  protected update(p: Tensor, g: Tensor, o: ParamGroup<AdadeltaOptions>, st: ParamState): void {
    const sq = this.buffer(p, st, 'square_avg');
    const acc = this.buffer(p, st, 'acc_delta');
    adadeltaUpdate(p.k, p.ptr, g.ptr, sq.ptr, acc.ptr, p.size, o);
  }
}
