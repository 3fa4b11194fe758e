/**
 * A chain of modules. Given a list, state-dict keys are the positions ("0.weight", "2.bias"); given
 * a record (PyTorch's OrderedDict form), the names ("conv1.weight", "layer1.0.bn1.bias").
 * A ReLU followed by a MaxPool2d runs as one op (reluMaxPool2d: the same values and gradients, one
 * pass instead of three), a Linear followed by a ReLU as linearRelu (the same bits, one tensor and
 * one op fewer; a Conv2d whose kernel covers its whole input, followed by a ReLU, as denseConv2dRelu),
 * and a Conv2d followed by a BatchNorm2d in eval mode (and a ReLU, and a MaxPool2d) as
 * fusedConvBn (ResNet's stem), unless an ONNX export is tracing the modules.
 */
import { Module, moduleTypeName, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import { describe } from '../check/options.js';
import { activeTracer } from '../tensor/trace-hook.js';
import { ReLU } from './activations.js';
import { BatchNorm2d, Conv2d, MaxPool2d } from './conv.js';
import { fusedConvBn } from './conv-bn.js';
import { Linear } from './linear.js';

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
    const fuse = activeTracer() === null;
    for (let i = 0; i < this.layers.length; i++) {
      let layer = this.layers[i]!;
      try {
        const next = this.layers[i + 1];
        if (fuse && layer.constructor === Conv2d && next !== undefined && next.constructor === BatchNorm2d && !(next as BatchNorm2d).training) {
          const relu = this.layers[i + 2]?.constructor === ReLU;
          const after = this.layers[i + (relu ? 3 : 2)];
          const maxPool = after?.constructor === MaxPool2d ? (after as MaxPool2d) : null;
          y = fusedConvBn(layer as Conv2d, next as BatchNorm2d, y, { relu, maxPool });
          i += (relu ? 2 : 1) + (maxPool !== null ? 1 : 0);
        } else if (fuse && layer.constructor === ReLU && next !== undefined && next.constructor === MaxPool2d) {
          layer = next;
          i++;
          y = (next as MaxPool2d).forwardAfterRelu(y);
        } else if (fuse && layer.constructor === Linear && next !== undefined && next.constructor === ReLU) {
          y = (layer as Linear).forwardThenRelu(y);
          i++;
        } else if (fuse && layer.constructor === Conv2d && next !== undefined && next.constructor === ReLU && this.layers[i + 2]?.constructor !== MaxPool2d) {
          // A ReLU before a max pooling goes with the pooling (reluMaxPool2d) instead.
          y = (layer as Conv2d).forwardThenRelu(y);
          i++;
        } else y = layer.forward(y);
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
