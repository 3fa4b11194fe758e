/** Convolution and pooling layers (PyTorch's nn.Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm2d). */
import { Module, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import {
  adaptiveAvgPool2d, avgPool2d, conv2d, maxPool2d, reluMaxPool2d, readConvOptions, readPoolOptions, CONV2D_OPTIONS, AVG_POOL2D_OPTIONS,
  type AvgPool2dOptions, type Pair,
} from '../functional/conv.js';
import { bool, checkGenerator, checkOptions, int, intPair, joinKeys, optionKeys } from '../check/options.js';
import { tensorArg } from '../check/operands.js';
import { kaimingUniform_, uniform_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { BatchNorm1d, type BatchNormOptions } from './batchnorm.js';
import { releaseInferenceCache } from './conv-bn.js';
import { denseConv2dRelu, denseConvFits } from '../functional/matmul.js';
import { relu } from '../functional/activations.js';

export interface Conv2dLayerOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  generator?: Generator;
}
const CONV2D_LAYER_OPTIONS = joinKeys(CONV2D_OPTIONS, optionKeys<Pick<Conv2dLayerOptions, 'bias' | 'generator'>>({ bias: true, generator: true }));

export class Conv2d extends Module {
  static override readonly typeName = 'Conv2d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    opts: Conv2dLayerOptions = {},
  ) {
    super();
    checkOptions('Conv2d', opts, CONV2D_LAYER_OPTIONS);
    int('Conv2d', 'inChannels', inChannels);
    int('Conv2d', 'outChannels', outChannels);
    this.kernelSize = intPair('Conv2d', 'kernelSize', kernelSize);
    const { bias, generator, ...geometry } = opts;
    ({ stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups } = readConvOptions('Conv2d', geometry));
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new RangeError(`Conv2d(${inChannels}, ${outChannels}): channels must be divisible by groups ${this.groups}`);
    }
    if (bias !== undefined) bool('Conv2d', 'bias', bias);
    if (generator !== undefined) checkGenerator('Conv2d', generator);
    const g = opts.generator ?? defaultGenerator;
    const w = Tensor.empty([outChannels, inChannels / this.groups, ...this.kernelSize]);
    // torch: kaiming_uniform_(a=sqrt(5)) => U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias the same bound.
    this.weight = this.registerParameter('weight', kaimingUniform_(w, { a: Math.sqrt(5), generator: g }));
    const fanIn = (inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
    const bound = 1 / Math.sqrt(fanIn);
    this.bias = opts.bias === false ? this.registerParameter('bias', null) : this.registerParameter('bias', uniform_(Tensor.empty([outChannels]), -bound, bound, g));
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  /**
   * relu(forward(x)) for a ReLU just after this layer: one op (denseConv2dRelu) when the kernel
   * covers the whole unpadded input (a classifier written as a convolution: LeNet-5's C5), else the two.
   */
  forwardThenRelu(x: Tensor): Tensor {
    this.checkInput(x);
    const [[padH, padW], [dilationH, dilationW]] = [this.padding, this.dilation];
    if (denseConvFits(x, this.weight, this.groups, padH, padW, dilationH, dilationW)) return denseConv2dRelu(x, this.weight, this.bias);
    return relu(this.forward(x));
  }

  private checkInput(x: Tensor): void {
    tensorArg(() => `Conv2d(${this.inChannels}, ${this.outChannels})`, 'input', x);
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new Error(
        `Conv2d(${this.inChannels}, ${this.outChannels}): expected input [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)} ` +
          `(weight ${formatShape(this.weight.shape)})`,
      );
    }
  }

  /** Frees the weights fusedConvBn prepared, then the parameters. */
  override dispose(): void {
    releaseInferenceCache(this);
    super.dispose();
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'Conv2d',
      config: {
        inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride,
        padding: this.padding, dilation: this.dilation, groups: this.groups, bias: this.bias !== null,
      },
    };
  }
}

export interface PoolLayerOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

const AVG_POOL_LAYER_OPTIONS = new Set([...AVG_POOL2D_OPTIONS].filter((k) => k !== 'dilation'));

export class MaxPool2d extends Module {
  static override readonly typeName = 'MaxPool2d';
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;
  constructor(readonly kernelSize: Pair, opts: PoolLayerOptions = {}) {
    super();
    readPoolOptions('MaxPool2d', kernelSize, opts, false);
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
  /** forward(relu(x)) as one op (reluMaxPool2d), for a ReLU just before this layer. */
  forwardAfterRelu(x: Tensor): Tensor {
    return reluMaxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
  override getConfig(): ModuleConfig {
    return {
      type: 'MaxPool2d',
      config: { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode },
    };
  }
}

export class AvgPool2d extends Module {
  static override readonly typeName = 'AvgPool2d';
  readonly stride: Pair;
  readonly padding: Pair;
  readonly countIncludePad: boolean;
  readonly ceilMode: boolean;
  constructor(readonly kernelSize: Pair, opts: Omit<AvgPool2dOptions, 'dilation'> = {}) {
    super();
    checkOptions('AvgPool2d', opts, AVG_POOL_LAYER_OPTIONS);
    readPoolOptions('AvgPool2d', kernelSize, opts, true);
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.ceilMode = opts.ceilMode ?? false;
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad, ceilMode: this.ceilMode });
  }
  override getConfig(): ModuleConfig {
    return {
      type: 'AvgPool2d',
      config: { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad, ceilMode: this.ceilMode },
    };
  }
}

export class AdaptiveAvgPool2d extends Module {
  static override readonly typeName = 'AdaptiveAvgPool2d';
  constructor(readonly outputSize: Pair) {
    super();
    intPair('AdaptiveAvgPool2d', 'outputSize', outputSize);
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
  override getConfig(): ModuleConfig {
    return { type: 'AdaptiveAvgPool2d', config: { outputSize: this.outputSize } };
  }
}

/** BatchNorm over the channels of [N, C, H, W]: the statistics of BatchNorm1d over N, H and W. */
export class BatchNorm2d extends BatchNorm1d {
  static override readonly typeName = 'BatchNorm2d';
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }
  override forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    tensorArg(() => `BatchNorm2d(${C})`, 'input', x);
    if (x.ndim !== 4 || x.shape[1] !== C) {
      throw new Error(`BatchNorm2d(${C}): expected input [N, ${C}, H, W], got ${formatShape(x.shape)}`);
    }
    return this.normalize(x, 'BatchNorm2d');
  }
  override getConfig(): ModuleConfig {
    const c = super.getConfig();
    return { ...c, type: 'BatchNorm2d' };
  }
}
