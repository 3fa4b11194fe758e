/**
 * Weight averaging, as torch.optim.swa_utils.AveragedModel: a copy of a model whose parameters are the
 * running average of the model's after each updateParameters(model) call, either equal-weight (SWA,
 * Izmailov et al., 2018: avg += (p - avg) / (n + 1)) or exponential (EMA, `decay`: avg = decay * avg +
 * (1 - decay) * p, PyTorch's get_ema_multi_avg_fn without foreach). The first call copies the
 * parameters, as PyTorch's does. Buffers are not averaged: the copy takes the model's current buffers
 * at each call (PyTorch's use_buffers=False keeps the copy's own; recompute batch-norm statistics
 * for the averaged weights if the model has any).
 *
 * The copy is built from the model's architecture (getConfig), so the model's type must be registered;
 * building it draws no numbers from the default generator (its state is put back), so training with
 * and without an AveragedModel sees the same random stream. It is not itself a Module: run the
 * averaged weights through `averaged.module`.
 */
import { moduleTypeName, type Module } from '../modules/module.js';
import { moduleFromConfig } from '../modules/registry.js';
import { defaultGenerator } from '../random/generator.js';
import { noGrad } from '../tensor/scope.js';
import { addScaled_, copy_, scale_ } from '../tensor/inplace.js';
import { checkOptions, num, optionKeys } from '../check/options.js';

export interface AveragedModelOptions {
  /** Exponential moving average with this decay in [0, 1) (default: none, the equal-weight SWA mean). */
  decay?: number;
}
const AVERAGED_MODEL_OPTIONS = optionKeys<AveragedModelOptions>({ decay: true });

export class AveragedModel<M extends Module = Module> {
  /** The averaged copy (eval mode); its forward is the averaged model's. */
  readonly module: M;
  readonly decay: number | null;
  /** Updates so far (PyTorch's n_averaged). */
  nAveraged = 0;

  constructor(model: M, opts: AveragedModelOptions = {}) {
    checkOptions('AveragedModel', opts, AVERAGED_MODEL_OPTIONS);
    this.decay = opts.decay === undefined ? null : num('AveragedModel', 'decay', opts.decay, 0, 1, { hi: true });
    const state = defaultGenerator.getState();
    try {
      this.module = moduleFromConfig(model.getConfig()) as M;
    } finally {
      defaultGenerator.setState(state);
    }
    this.module.loadStateDict(model.stateDict());
    this.module.eval();
    for (const p of this.module.parameters()) p.requiresGrad_(false);
  }

  /** Folds the model's current parameters into the average (after an optimiser step). */
  updateParameters(model: M): void {
    const mine = this.module.namedParameters();
    const theirs = model.namedParameters();
    if (theirs.length !== mine.length || theirs.some(([n, p], i) => n !== mine[i]![0] || p.size !== mine[i]![1].size)) {
      throw new Error(`AveragedModel.updateParameters: ${moduleTypeName(model)} does not have the parameters of the averaged ${moduleTypeName(this.module)} (${mine.map(([n]) => n).join(', ')})`);
    }
    noGrad(() => {
      mine.forEach(([, avg], i) => {
        const p = theirs[i]![1];
        if (this.nAveraged === 0) copy_(avg, p);
        else if (this.decay !== null) addScaled_(scale_(avg, this.decay), p, 1 - this.decay);
        else addScaled_(scale_(avg, this.nAveraged / (this.nAveraged + 1)), p, 1 / (this.nAveraged + 1));
      });
      const buffers = new Map(model.namedBuffers());
      for (const [n, b] of this.module.namedBuffers()) {
        const src = buffers.get(n);
        if (src !== undefined && src.size === b.size) copy_(b, src);
      }
    });
    this.nAveraged++;
  }

  /** Frees the copy. */
  dispose(): void {
    this.module.dispose();
  }
}
