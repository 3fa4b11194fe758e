/** Every activation as a module (the functions live in functional/activations.ts and softmax.ts). */
import { Module, moduleTypeName, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import * as A from '../functional/activations.js';
import { softmax, logSoftmax } from '../functional/softmax.js';
import { int, num } from '../check/options.js';

abstract class Activation extends Module {
  override getConfig(): ModuleConfig {
    return { type: moduleTypeName(this), config: {} };
  }
}

export class Identity extends Activation {
  static override readonly typeName = 'Identity';
  forward(x: Tensor): Tensor {
    return x;
  }
}
export class Step extends Activation {
  static override readonly typeName = 'Step';
  forward(x: Tensor): Tensor {
    return A.step(x);
  }
}
export class Sigmoid extends Activation {
  static override readonly typeName = 'Sigmoid';
  forward(x: Tensor): Tensor {
    return A.sigmoid(x);
  }
}
export class Tanh extends Activation {
  static override readonly typeName = 'Tanh';
  forward(x: Tensor): Tensor {
    return A.tanh(x);
  }
}
export class ReLU extends Activation {
  static override readonly typeName = 'ReLU';
  forward(x: Tensor): Tensor {
    return A.relu(x);
  }
}
export class Gaussian extends Activation {
  static override readonly typeName = 'Gaussian';
  forward(x: Tensor): Tensor {
    return A.gaussian(x);
  }
}
export class LeakyReLU extends Module {
  static override readonly typeName = 'LeakyReLU';
  constructor(readonly negativeSlope = 0.01) {
    super();
    num('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  forward(x: Tensor): Tensor {
    return A.leakyRelu(x, this.negativeSlope);
  }
  override getConfig(): ModuleConfig {
    return { type: 'LeakyReLU', config: { negativeSlope: this.negativeSlope } };
  }
}
export class ELU extends Module {
  static override readonly typeName = 'ELU';
  constructor(readonly alpha = 1) {
    super();
    num('ELU', 'alpha', alpha);
  }
  forward(x: Tensor): Tensor {
    return A.elu(x, this.alpha);
  }
  override getConfig(): ModuleConfig {
    return { type: 'ELU', config: { alpha: this.alpha } };
  }
}
export class Softmax extends Module {
  static override readonly typeName = 'Softmax';
  constructor(readonly dim = -1) {
    super();
    int('Softmax', 'dim', dim, -Infinity);
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override getConfig(): ModuleConfig {
    return { type: 'Softmax', config: { dim: this.dim } };
  }
}
export class LogSoftmax extends Module {
  static override readonly typeName = 'LogSoftmax';
  constructor(readonly dim = -1) {
    super();
    int('LogSoftmax', 'dim', dim, -Infinity);
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override getConfig(): ModuleConfig {
    return { type: 'LogSoftmax', config: { dim: this.dim } };
  }
}
