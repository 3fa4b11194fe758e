/** A chain of modules; state-dict keys are the positions ("0.weight", "2.bias"), as in PyTorch. */
import { Module, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';

export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      try {
        y = layer.forward(y);
      } catch (e) {
        if (e instanceof Error && !e.message.startsWith('Sequential')) {
          e.message = `Sequential layer ${i} (${layer.constructor.name}): ${e.message}`;
        }
        throw e;
      }
    }
    return y;
  }

  override getConfig(): ModuleConfig {
    const children: Record<string, ModuleConfig> = {};
    this.layers.forEach((m, i) => (children[String(i)] = m.getConfig()));
    return { type: 'Sequential', config: {}, children };
  }
}
