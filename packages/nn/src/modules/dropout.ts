import { Module, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import { dropout } from '../functional/dropout.js';
import { defaultGenerator, type Generator } from '../random/generator.js';

/** Inverted dropout, active only in training mode. */
export class Dropout extends Module {
  private readonly generator: Generator;
  constructor(
    readonly p = 0.5,
    generator?: Generator,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability must be in [0, 1], got ${p}`);
    this.generator = generator ?? defaultGenerator;
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }
  override getConfig(): ModuleConfig {
    return { type: 'Dropout', config: { p: this.p } };
  }
}
