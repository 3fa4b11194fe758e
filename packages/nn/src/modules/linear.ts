/** Fully connected layer, PyTorch layout and default initialisation. */
import { Module, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { linear, linearRelu } from '../functional/matmul.js';
import { kaimingUniform_, uniform_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { formatShape } from '../tensor/shape.js';
import { bool, checkGenerator, checkOptions, optionKeys } from '../check/options.js';
import { tensorArg } from '../check/operands.js';

export interface LinearOptions {
  bias?: boolean;
  generator?: Generator;
}
export const LINEAR_OPTIONS = optionKeys<LinearOptions>({ bias: true, generator: true });

export class Linear extends Module {
  static override readonly typeName = 'Linear';
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    checkOptions('Linear', opts, LINEAR_OPTIONS);
    if (opts.bias !== undefined) bool('Linear', 'bias', opts.bias);
    if (opts.generator !== undefined) checkGenerator('Linear', opts.generator);
    if (!Number.isInteger(inFeatures) || !Number.isInteger(outFeatures) || inFeatures <= 0 || outFeatures <= 0) {
      throw new Error(`Linear(${inFeatures}, ${outFeatures}): feature counts must be positive integers`);
    }
    const g = opts.generator ?? defaultGenerator;
    // torch: kaiming_uniform_(w, a=sqrt(5)) => U(-1/sqrt(in), 1/sqrt(in)); bias U(-1/sqrt(in), 1/sqrt(in)).
    this.weight = this.registerParameter('weight', kaimingUniform_(Tensor.empty([outFeatures, inFeatures]), { a: Math.sqrt(5), generator: g }));
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias =
      opts.bias === false ? this.registerParameter('bias', null) : this.registerParameter('bias', uniform_(Tensor.empty([outFeatures]), -bound, bound, g));
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return linear(x, this.weight, this.bias);
  }

  /** relu(forward(x)) as one op (linearRelu), for a ReLU just after this layer. */
  forwardThenRelu(x: Tensor): Tensor {
    this.checkInput(x);
    return linearRelu(x, this.weight, this.bias);
  }

  private checkInput(x: Tensor): void {
    tensorArg(() => `Linear(${this.inFeatures}, ${this.outFeatures})`, 'input', x);
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(
        `Linear(${this.inFeatures}, ${this.outFeatures}): input ${formatShape(x.shape)} does not match weight ` +
          `${formatShape(this.weight.shape)}: expected the last input dimension to be ${this.inFeatures}`,
      );
    }
  }

  override getConfig(): ModuleConfig {
    return { type: 'Linear', config: { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null } };
  }
}
