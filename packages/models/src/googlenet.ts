/**
 * GoogLeNet (Inception v1) without the auxiliary heads. `variant: 'torchvision'` (default) follows
 * torchvision, whose "5x5" branch uses a 3x3 kernel (6,624,904 parameters at 1000 classes);
 * `variant: 'paper'` uses the paper's true 5x5 kernel (7,005,832). Convolutions are conv (no bias) +
 * batch norm (eps 0.001) + ReLU, as in torchvision.
 */
import * as nn from '@deepwasm/nn';
import { CLASSIFIER_OPTIONS, type ClassifierOptions } from './alexnet.js';

export class BasicConv2d extends nn.Module {
  static override readonly typeName = 'BasicConv2d';
  readonly conv: nn.Conv2d;
  readonly bn: nn.BatchNorm2d;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, readonly stride = 1, readonly padding = 0) {
    super();
    this.conv = this.registerModule('conv', new nn.Conv2d(inChannels, outChannels, kernelSize, { stride, padding, bias: false }));
    this.bn = this.registerModule('bn', new nn.BatchNorm2d(outChannels, { eps: 0.001 }));
  }
  forward(x: nn.Tensor): nn.Tensor {
    return nn.relu(this.bn.forward(this.conv.forward(x)));
  }
  override getConfig(): nn.ModuleConfig {
    return { type: 'BasicConv2d', config: { inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding } };
  }
}

/** The four branches (1x1; 1x1→3x3; 1x1→"5x5"; 3x3 max pool→1x1), concatenated along channels. */
export class Inception extends nn.Module {
  static override readonly typeName = 'Inception';
  readonly branch1: BasicConv2d;
  readonly branch2: nn.Sequential;
  readonly branch3: nn.Sequential;
  readonly branch4: nn.Sequential;
  constructor(
    readonly inChannels: number,
    readonly ch1x1: number,
    readonly ch3x3red: number,
    readonly ch3x3: number,
    readonly ch5x5red: number,
    readonly ch5x5: number,
    readonly poolProj: number,
    readonly true5x5 = false,
  ) {
    super();
    this.branch1 = this.registerModule('branch1', new BasicConv2d(inChannels, ch1x1, 1));
    this.branch2 = this.registerModule('branch2', new nn.Sequential(new BasicConv2d(inChannels, ch3x3red, 1), new BasicConv2d(ch3x3red, ch3x3, 3, 1, 1)));
    const k = true5x5 ? 5 : 3;
    this.branch3 = this.registerModule('branch3', new nn.Sequential(new BasicConv2d(inChannels, ch5x5red, 1), new BasicConv2d(ch5x5red, ch5x5, k, 1, (k - 1) / 2)));
    this.branch4 = this.registerModule(
      'branch4',
      new nn.Sequential(new nn.MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inChannels, poolProj, 1)),
    );
  }
  forward(x: nn.Tensor): nn.Tensor {
    return nn.concat([this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)], 1);
  }
  override getConfig(): nn.ModuleConfig {
    const { inChannels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj, true5x5 } = this;
    return { type: 'Inception', config: { inChannels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj, true5x5 } };
  }
}

const { int, bool } = nn.configFields;
const channels = int({ min: 1 });

nn.registerModuleType(
  'BasicConv2d',
  (c) => new BasicConv2d(c.inChannels, c.outChannels, c.kernelSize, c.stride, c.padding),
  { inChannels: channels, outChannels: channels, kernelSize: int({ min: 1 }), stride: int({ min: 1, default: 1 }), padding: int({ min: 0, default: 0 }) },
);
nn.registerModuleType(
  'Inception',
  (c) => new Inception(c.inChannels, c.ch1x1, c.ch3x3red, c.ch3x3, c.ch5x5red, c.ch5x5, c.poolProj, c.true5x5),
  {
    inChannels: channels, ch1x1: channels, ch3x3red: channels, ch3x3: channels, ch5x5red: channels, ch5x5: channels,
    poolProj: channels, true5x5: bool(false),
  },
);

export interface GoogLeNetOptions extends ClassifierOptions {
  variant?: 'torchvision' | 'paper';
}

export function googlenet(opts: GoogLeNetOptions = {}): nn.Sequential {
  nn.check.checkOptions('googlenet', opts, nn.check.joinKeys(CLASSIFIER_OPTIONS, new Set(['variant'])));
  if (opts.variant !== undefined) nn.check.oneOf('googlenet', 'variant', opts.variant, ['torchvision', 'paper'] as const);
  const t5 = opts.variant === 'paper';
  const inc = (...a: [number, number, number, number, number, number, number]) => new Inception(...a, t5);
  const pool = (k: number) => new nn.MaxPool2d(k, { stride: 2, ceilMode: true });
  return new nn.Sequential({
    conv1: new BasicConv2d(opts.inChannels ?? 3, 64, 7, 2, 3),
    maxpool1: pool(3),
    conv2: new BasicConv2d(64, 64, 1),
    conv3: new BasicConv2d(64, 192, 3, 1, 1),
    maxpool2: pool(3),
    inception3a: inc(192, 64, 96, 128, 16, 32, 32),
    inception3b: inc(256, 128, 128, 192, 32, 96, 64),
    maxpool3: pool(3),
    inception4a: inc(480, 192, 96, 208, 16, 48, 64),
    inception4b: inc(512, 160, 112, 224, 24, 64, 64),
    inception4c: inc(512, 128, 128, 256, 24, 64, 64),
    inception4d: inc(512, 112, 144, 288, 32, 64, 64),
    inception4e: inc(528, 256, 160, 320, 32, 128, 128),
    maxpool4: pool(2),
    inception5a: inc(832, 256, 160, 320, 32, 128, 128),
    inception5b: inc(832, 384, 192, 384, 48, 128, 128),
    avgpool: new nn.AdaptiveAvgPool2d(1),
    flatten: new nn.Flatten(),
    dropout: new nn.Dropout(opts.dropout ?? 0.2),
    fc: new nn.Linear(1024, opts.numClasses ?? 1000),
  });
}
