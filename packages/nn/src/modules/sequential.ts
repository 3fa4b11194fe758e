/**
 * A chain of modules. Given a list, state-dict keys are the positions ("0.weight", "2.bias"); given
 * a record (PyTorch's OrderedDict form), the names ("conv1.weight", "layer1.0.bn1.bias").
 */
import { Module, moduleTypeName, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import { describe } from '../check/options.js';

export class Sequential extends Module {
  static override readonly typeName = 'Sequential';
  readonly layers: readonly Module[];
  readonly names: readonly string[];
  private readonly named: boolean;

  constructor(...layers: Module[] | [Record<string, Module>]) {
    super();
    const first = layers[0];
    if (layers.length === 1 && first !== undefined && !(first instanceof Module)) {
      this.names = Object.keys(first);
      this.layers = Object.values(first);
      this.named = true;
    } else {
      this.layers = layers as Module[];
      this.names = this.layers.map((_, i) => String(i));
      this.named = false;
    }
    this.layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: layer ${this.named ? `"${this.names[i]}"` : i} must be a Module, got ${describe(m)}`);
      this.registerModule(this.names[i]!, m);
    });
  }

  /** A layer by name (named form) or position. */
  get(name: string | number): Module {
    const i = typeof name === 'number' ? name : this.names.indexOf(name);
    const m = this.layers[i];
    if (m === undefined) throw new Error(`Sequential has no layer ${JSON.stringify(name)}`);
    return m;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      try {
        y = layer.forward(y);
      } catch (e) {
        if (e instanceof Error && !e.message.startsWith('Sequential')) {
          e.message = `Sequential layer ${this.named ? `"${this.names[i]}"` : i} (${moduleTypeName(layer)}): ${e.message}`;
        }
        throw e;
      }
    }
    return y;
  }

  override getConfig(): ModuleConfig {
    const children: Record<string, ModuleConfig> = {};
    this.layers.forEach((m, i) => (children[this.names[i]!] = m.getConfig()));
    return { type: 'Sequential', config: this.named ? { names: [...this.names] } : {}, children };
  }
}
