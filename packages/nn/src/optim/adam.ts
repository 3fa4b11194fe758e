/** torch.optim.Adam (L2 weight decay, AMSGrad) and torch.optim.AdamW (decoupled weight decay). */
import { adamUpdateMulti, type AdamTensor } from '@deepwasm/kernels';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptimizerOptions, optionKeys } from '../check/options.js';
import { Optimizer, checkBool, checkNonNegative, checkUnit, type DueParam, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

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
   * The parameters of a group that share a step count (all of them, unless some had no gradient at
   * some step) in one kernel call, as torch's foreach implementation (the default on its GPUs) does;
   * the same values as one call each.
   */
  protected override updateGroup(group: ParamGroup<AdamOptions>, due: readonly DueParam[]): void {
    if (due.length === 0) return;
    // The usual case, every parameter at the same step, needs no grouping.
    const step0 = due[0]!.st.step;
    const byStep = due.every((d) => d.st.step === step0) ? null : new Map<number, AdamTensor[]>();
    const all: AdamTensor[] = [];
    for (const { p, grad, st } of due) {
      const m = this.buffer(p, st, 'exp_avg');
      const v = this.buffer(p, st, 'exp_avg_sq');
      const vmax = group.amsgrad ? this.buffer(p, st, 'max_exp_avg_sq') : null;
      const t = { p: p.ptr, g: grad.ptr, m: m.ptr, v: v.ptr, vmax: vmax?.ptr ?? 0, n: p.size };
      if (byStep === null) {
        all.push(t);
        continue;
      }
      let list = byStep.get(st.step);
      if (list === undefined) byStep.set(st.step, (list = []));
      list.push(t);
    }
    const k = due[0]!.p.k;
    for (const [step, tensors] of byStep ?? [[step0, all] as const]) {
      adamUpdateMulti(k, tensors, {
        lr: group.lr, beta1: group.betas[0], beta2: group.betas[1], eps: group.eps, weightDecay: group.weightDecay,
        decoupled: this.decoupled, amsgrad: group.amsgrad, step,
      });
    }
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<AdamOptions>, st: ParamState): void {
    this.updateGroup(group, [{ p, grad, st }]);
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
