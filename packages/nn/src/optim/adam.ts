/** torch.optim.Adam (L2 weight decay, AMSGrad) and torch.optim.AdamW (decoupled weight decay). */
import { adamUpdate } from '@deepwasm/kernels';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptimizerOptions, optionKeys } from '../check/options.js';
import { Optimizer, checkBool, checkNonNegative, checkUnit, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}
export const ADAM_OPTIONS = optionKeys<AdamOptions>({ lr: true, betas: true, eps: true, weightDecay: true, amsgrad: true });

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  protected validate(o: AdamOptions): void {
    const name = (this.constructor as typeof Optimizer).typeName;
    checkNonNegative(name, 'lr', o.lr);
    checkNonNegative(name, 'eps', o.eps);
    checkNonNegative(name, 'weightDecay', o.weightDecay);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new Error(`${name}: betas must be a pair [beta1, beta2]`);
    checkUnit(name, 'beta1', o.betas[0]);
    checkUnit(name, 'beta2', o.betas[1]);
    checkBool(name, 'amsgrad', o.amsgrad);
  }

  protected update(p: Tensor, g: Tensor, o: ParamGroup<AdamOptions>, st: ParamState): void {
    const m = this.buffer(p, st, 'exp_avg');
    const v = this.buffer(p, st, 'exp_avg_sq');
    const vmax = o.amsgrad ? this.buffer(p, st, 'max_exp_avg_sq') : null;
    adamUpdate(p.k, p.ptr, g.ptr, m.ptr, v.ptr, vmax?.ptr ?? 0, p.size, {
      lr: o.lr,
      beta1: o.betas[0],
      beta2: o.betas[1],
      eps: o.eps,
      weightDecay: o.weightDecay,
      decoupled: this.decoupled,
      amsgrad: o.amsgrad,
      step: st.step,
    });
  }
}

export class Adam extends AdamBase {
  static override readonly typeName = 'Adam';
  protected readonly decoupled = false;
  constructor(params: readonly Tensor[] | ReadonlyArray<ParamGroupInput<AdamOptions>>, options: Partial<AdamOptions> = {}) {
    checkOptimizerOptions('Adam', params, options, ADAM_OPTIONS);
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...options });
  }
}

export class AdamW extends AdamBase {
  static override readonly typeName = 'AdamW';
  protected readonly decoupled = true;
  constructor(params: readonly Tensor[] | ReadonlyArray<ParamGroupInput<AdamOptions>>, options: Partial<AdamOptions> = {}) {
    checkOptimizerOptions('AdamW', params, options, ADAM_OPTIONS);
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, ...options });
  }
}
