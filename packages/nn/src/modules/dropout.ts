import { Module, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import { dropout } from '../functional/dropout.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { checkGenerator, num } from '../check/options.js';

/** Inverted dropout, active only in training mode. */
export class Dropout extends Module {
  static override readonly typeName = 'Dropout';
  private readonly generator: Generator;
  constructor(
    readonly p = 0.5,
    generator?: Generator,
  ) {
    super();
    num('Dropout', 'p', p, 0, 1);
    if (generator !== undefined) checkGenerator('Dropout', generator);
    this.generator = generator ?? defaultGenerator;
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }
  override getConfig(): ModuleConfig {
    return { type: 'Dropout', config: { p: this.p } };
  }
}
