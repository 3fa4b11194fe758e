/** torch.optim.Adagrad: accumulated squared gradients, learning-rate decay, weight decay. */
import { adagradUpdate } from '@deepwasm/kernels';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptimizerOptions, optionKeys } from '../check/options.js';
import { Optimizer, checkNonNegative, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
}
export const ADAGRAD_OPTIONS = optionKeys<AdagradOptions>({ lr: true, lrDecay: true, weightDecay: true, initialAccumulatorValue: true, eps: true });

export class Adagrad extends Optimizer<AdagradOptions> {
  static override readonly typeName = 'Adagrad';
  constructor(params: readonly Tensor[] | ReadonlyArray<ParamGroupInput<AdagradOptions>>, options: Partial<AdagradOptions> = {}) {
    checkOptimizerOptions('Adagrad', params, options, ADAGRAD_OPTIONS);
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...options });
  }

  protected validate(o: AdagradOptions): void {
    for (const k of ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] as const) checkNonNegative('Adagrad', k, o[k]);
  }

  protected update(p: Tensor, g: Tensor, o: ParamGroup<AdagradOptions>, st: ParamState): void {
    const sum = this.buffer(p, st, 'sum', o.initialAccumulatorValue);
    adagradUpdate(p.k, p.ptr, g.ptr, sum.ptr, p.size, { lr: o.lr, lrDecay: o.lrDecay, eps: o.eps, weightDecay: o.weightDecay, step: st.step });
  }
}
