/** torch.optim.SGD: momentum, dampening, Nesterov, weight decay. lr has no default, as in PyTorch. */
import { sgdUpdate } from '@deepwasm/kernels';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptimizerOptions, num, optionKeys } from '../check/options.js';
import { Optimizer, checkBool, checkNonNegative, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}
export const SGD_OPTIONS = optionKeys<SGDOptions>({ lr: true, momentum: true, dampening: true, weightDecay: true, nesterov: true });

export class SGD extends Optimizer<SGDOptions> {
  static override readonly typeName = 'SGD';
  constructor(params: readonly Tensor[] | ReadonlyArray<ParamGroupInput<SGDOptions>>, options: Partial<SGDOptions> & { lr: number }) {
    checkOptimizerOptions('SGD', params, options, SGD_OPTIONS);
    if (options?.lr === undefined) throw new Error('SGD: lr is required (PyTorch has no default for SGD)');
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...options });
  }

  protected validate(o: SGDOptions): void {
    checkNonNegative('SGD', 'lr', o.lr);
    checkNonNegative('SGD', 'momentum', o.momentum);
    checkNonNegative('SGD', 'weightDecay', o.weightDecay);
    num('SGD', 'dampening', o.dampening);
    checkBool('SGD', 'nesterov', o.nesterov);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected update(p: Tensor, g: Tensor, o: ParamGroup<SGDOptions>, st: ParamState): void {
    const first = !st.buffers.has('momentum_buffer');
    const buf = o.momentum !== 0 ? this.buffer(p, st, 'momentum_buffer') : null;
    sgdUpdate(p.k, p.ptr, g.ptr, buf?.ptr ?? 0, p.size, {
      lr: o.lr,
      momentum: o.momentum,
      dampening: o.dampening,
      weightDecay: o.weightDecay,
      nesterov: o.nesterov,
      first,
    });
  }
}
