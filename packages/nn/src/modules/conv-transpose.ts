/** PyTorch's nn.ConvTranspose2d: weight [in, out/groups, kh, kw], the adjoint of Conv2d with the same weight. */
import { Module, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import type { Pair } from '../functional/conv.js';
import { convTranspose2d, readConvTransposeOptions, CONV_TRANSPOSE2D_OPTIONS, type ConvTranspose2dOptions } from '../functional/conv-transpose.js';
import { bool, checkGenerator, checkOptions, int, intPair, joinKeys, optionKeys } from '../check/options.js';
import { tensorArg } from '../check/operands.js';
import { kaimingUniform_, uniform_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';

export interface ConvTranspose2dLayerOptions extends Omit<ConvTranspose2dOptions, 'outputSize'> {
  bias?: boolean;
  generator?: Generator;
}
const LAYER_OPTIONS = joinKeys(
  new Set([...CONV_TRANSPOSE2D_OPTIONS].filter((k) => k !== 'outputSize')),
  optionKeys<Pick<ConvTranspose2dLayerOptions, 'bias' | 'generator'>>({ bias: true, generator: true }),
);

export class ConvTranspose2d extends Module {
  static override readonly typeName = 'ConvTranspose2d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    opts: ConvTranspose2dLayerOptions = {},
  ) {
    super();
    checkOptions('ConvTranspose2d', opts, LAYER_OPTIONS);
    int('ConvTranspose2d', 'inChannels', inChannels);
    int('ConvTranspose2d', 'outChannels', outChannels);
    this.kernelSize = intPair('ConvTranspose2d', 'kernelSize', kernelSize);
    const { bias, generator, ...geometry } = opts;
    ({ stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups } =
      readConvTransposeOptions('ConvTranspose2d', geometry));
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new RangeError(`ConvTranspose2d(${inChannels}, ${outChannels}): channels must be divisible by groups ${this.groups}`);
    }
    if (bias !== undefined) bool('ConvTranspose2d', 'bias', bias);
    if (generator !== undefined) checkGenerator('ConvTranspose2d', generator);
    const g = generator ?? defaultGenerator;
    const w = Tensor.empty([inChannels, outChannels / this.groups, ...this.kernelSize]);
    // torch: kaiming_uniform_(a=sqrt(5)) with fan_in = weight.size(1) * kh * kw = out/groups * kh * kw; bias the same bound.
    this.weight = this.registerParameter('weight', kaimingUniform_(w, { a: Math.sqrt(5), generator: g }));
    const fanIn = (outChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
    const bound = 1 / Math.sqrt(fanIn);
    this.bias = bias === false ? this.registerParameter('bias', null) : this.registerParameter('bias', uniform_(Tensor.empty([outChannels]), -bound, bound, g));
  }

  /** `outputSize` ([H, W] or [N, C, H, W]) picks the output padding, as PyTorch's forward(input, output_size). */
  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    const name = () => `ConvTranspose2d(${this.inChannels}, ${this.outChannels})`;
    tensorArg(name, 'input', x);
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new Error(`${name()}: expected input [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)} (weight ${formatShape(this.weight.shape)})`);
    }
    const opts: ConvTranspose2dOptions = {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    };
    if (outputSize !== undefined) opts.outputSize = outputSize;
    return convTranspose2d(x, this.weight, this.bias, opts);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'ConvTranspose2d',
      config: {
        inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding,
        outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups, bias: this.bias !== null,
      },
    };
  }
}
