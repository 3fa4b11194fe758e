/** Shape layers: Flatten (PyTorch's nn.Flatten, from dim 1) and Reshape (batch dimension kept). */
import { Module, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import { flatten, reshape } from '../functional/shape-ops.js';
import { describe, int } from '../check/options.js';
import { tensorArg } from '../check/operands.js';

export class Flatten extends Module {
  static override readonly typeName = 'Flatten';
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
    int('Flatten', 'startDim', startDim, -Infinity);
    int('Flatten', 'endDim', endDim, -Infinity);
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
  static override readonly typeName = 'Reshape';
  constructor(readonly shape: readonly number[]) {
    super();
    if (!Array.isArray(shape)) throw new TypeError(`Reshape: shape must be an array of sizes, got ${describe(shape)}`);
    shape.forEach((d, i) => int('Reshape', `shape[${i}]`, d, -1));
    if (shape.filter((d) => d === -1).length > 1) throw new RangeError(`Reshape: only one size can be -1, got [${shape.join(', ')}]`);
  }
  forward(x: Tensor): Tensor {
    tensorArg('Reshape', 'input', x);
    return reshape(x, [x.shape[0] ?? 1, ...this.shape]);
  }
  override getConfig(): ModuleConfig {
    return { type: 'Reshape', config: { shape: [...this.shape] } };
  }
}
