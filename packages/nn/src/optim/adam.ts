/** torch.optim.Adam (L2 weight decay, AMSGrad) and torch.optim.AdamW (decoupled weight decay). */
import { adamUpdate, adamUpdateMulti, type AdamTensor } from '@deepwasm/kernels';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/scope.js';
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

  /**
   * One update of every parameter that has a gradient: the parameters of a group that share a step
   * count (all of them, unless some had no gradient at some step) in one kernel call, as torch's
   * foreach implementation (the default on its GPUs) does; the same values as one call each.
   */
  override step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        const byStep = new Map<number, AdamTensor[]>();
        // Every gradient is checked before any state changes.
        const states = group.params.map((p) => (p.grad === null ? null : this.stateOf(p)));
        group.params.forEach((p, i) => {
          const st = states[i];
          if (st === null || st === undefined || p.grad === null) return;
          st.step++;
          const m = this.buffer(p, st, 'exp_avg');
          const v = this.buffer(p, st, 'exp_avg_sq');
          const vmax = group.amsgrad ? this.buffer(p, st, 'max_exp_avg_sq') : null;
          let list = byStep.get(st.step);
          if (list === undefined) byStep.set(st.step, (list = []));
          list.push({ p: p.ptr, g: p.grad.ptr, m: m.ptr, v: v.ptr, vmax: vmax?.ptr ?? 0, n: p.size });
          p.version++;
        });
        const k = group.params[0]?.k;
        for (const [step, tensors] of byStep) adamUpdateMulti(k!, tensors, this.args(group, step));
      }
    });
  }

  private args(o: ParamGroup<AdamOptions>, step: number) {
    return { lr: o.lr, beta1: o.betas[0], beta2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay, decoupled: this.decoupled, amsgrad: o.amsgrad, step };
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
