/** Shape layers: Flatten (PyTorch's nn.Flatten, from dim 1) and Reshape (batch dimension kept). */
import { Module, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import { flatten, reshape } from '../functional/shape-ops.js';

export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
  override getConfig(): ModuleConfig {
    return { type: 'Flatten', config: { startDim: this.startDim, endDim: this.endDim } };
  }
}

/** Reshapes each sample to `shape` (the batch dimension is kept as the first axis). */
export class Reshape extends Module {
  constructor(readonly shape: readonly number[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0] ?? 1, ...this.shape]);
  }
  override getConfig(): ModuleConfig {
    return { type: 'Reshape', config: { shape: [...this.shape] } };
  }
}
