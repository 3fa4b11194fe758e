/** torch.optim.RMSprop: squared-gradient average, optional centering and momentum. */
import { rmspropUpdate } from '@deepwasm/kernels';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptimizerOptions, optionKeys } from '../check/options.js';
import { Optimizer, checkBool, checkNonNegative, checkUnit, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}
export const RMSPROP_OPTIONS = optionKeys<RMSpropOptions>({ lr: true, alpha: true, eps: true, weightDecay: true, momentum: true, centered: true });

export class RMSprop extends Optimizer<RMSpropOptions> {
  static override readonly typeName = 'RMSprop';
  constructor(params: readonly Tensor[] | ReadonlyArray<ParamGroupInput<RMSpropOptions>>, options: Partial<RMSpropOptions> = {}) {
    checkOptimizerOptions('RMSprop', params, options, RMSPROP_OPTIONS);
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...options });
  }

  protected validate(o: RMSpropOptions): void {
    for (const k of ['lr', 'eps', 'weightDecay', 'momentum'] as const) checkNonNegative('RMSprop', k, o[k]);
    checkUnit('RMSprop', 'alpha', o.alpha);
    checkBool('RMSprop', 'centered', o.centered);
  }

  protected update(p: Tensor, g: Tensor, o: ParamGroup<RMSpropOptions>, st: ParamState): void {
    const sq = this.buffer(p, st, 'square_avg');
    const gavg = o.centered ? this.buffer(p, st, 'grad_avg') : null;
    const buf = o.momentum > 0 ? this.buffer(p, st, 'momentum_buffer') : null;
    rmspropUpdate(p.k, p.ptr, g.ptr, sq.ptr, gavg?.ptr ?? 0, buf?.ptr ?? 0, p.size, o);
  }
}
