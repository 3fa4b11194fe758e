/**
 * ResNet-18/34 (basic blocks) and ResNet-50/101/152 (bottleneck blocks, stride on the 3x3 as in
 * torchvision), with a 1x1 projection shortcut (conv + batch norm) where the shape changes.
 * State-dict keys match torchvision's (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, fc, ...).
 */
import * as nn from '@deepwasm/nn';
import type { ClassifierOptions } from './alexnet.js';

const conv3x3 = (i: number, o: number, stride = 1) => new nn.Conv2d(i, o, 3, { stride, padding: 1, bias: false });
const conv1x1 = (i: number, o: number, stride = 1) => new nn.Conv2d(i, o, 1, { stride, bias: false });

function shortcut(inPlanes: number, outPlanes: number, stride: number): nn.Sequential | null {
  if (stride === 1 && inPlanes === outPlanes) return null;
  return new nn.Sequential(conv1x1(inPlanes, outPlanes, stride), new nn.BatchNorm2d(outPlanes));
}

/**
 * The shortcut of a block: x, or the projection (conv + batch norm, fused in inference).
 * relu(bn(conv(x)) + shortcut) runs as nn.fusedConvBn: in eval mode without gradients, one op per
 * convolution (the batch norm, the addition and the ReLU in the GEMM's store); otherwise the modules.
 */
function shortcutOf(d: nn.Sequential | null, x: nn.Tensor): nn.Tensor {
  if (d === null) return x;
  const [conv, bn] = [d.get(0), d.get(1)];
  if (!d.training && conv instanceof nn.Conv2d && bn instanceof nn.BatchNorm2d) return nn.fusedConvBn(conv, bn, x);
  return d.forward(x);
}

export class BasicBlock extends nn.Module {
  static override readonly typeName = 'BasicBlock';
  static readonly expansion = 1;
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly conv2: nn.Conv2d;
  readonly bn2: nn.BatchNorm2d;
  readonly downsample: nn.Sequential | null;

  constructor(readonly inPlanes: number, readonly planes: number, readonly stride = 1) {
    super();
    this.conv1 = this.registerModule('conv1', conv3x3(inPlanes, planes, stride));
    this.bn1 = this.registerModule('bn1', new nn.BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes));
    this.bn2 = this.registerModule('bn2', new nn.BatchNorm2d(planes));
    const d = shortcut(inPlanes, planes, stride);
    this.downsample = d === null ? null : this.registerModule('downsample', d);
  }

  forward(x: nn.Tensor): nn.Tensor {
    const out = nn.fusedConvBn(this.conv1, this.bn1, x, { relu: true });
    return nn.fusedConvBn(this.conv2, this.bn2, out, { residual: shortcutOf(this.downsample, x), relu: true });
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'BasicBlock', config: { inPlanes: this.inPlanes, planes: this.planes, stride: this.stride } };
  }
}

export class Bottleneck extends nn.Module {
  static override readonly typeName = 'Bottleneck';
  static readonly expansion = 4;
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly conv2: nn.Conv2d;
  readonly bn2: nn.BatchNorm2d;
  readonly conv3: nn.Conv2d;
  readonly bn3: nn.BatchNorm2d;
  readonly downsample: nn.Sequential | null;

  constructor(readonly inPlanes: number, readonly planes: number, readonly stride = 1) {
    super();
    const out = planes * Bottleneck.expansion;
    this.conv1 = this.registerModule('conv1', conv1x1(inPlanes, planes));
    this.bn1 = this.registerModule('bn1', new nn.BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes, stride));
    this.bn2 = this.registerModule('bn2', new nn.BatchNorm2d(planes));
    this.conv3 = this.registerModule('conv3', conv1x1(planes, out));
    this.bn3 = this.registerModule('bn3', new nn.BatchNorm2d(out));
    const d = shortcut(inPlanes, out, stride);
    this.downsample = d === null ? null : this.registerModule('downsample', d);
  }

  forward(x: nn.Tensor): nn.Tensor {
    let y = nn.fusedConvBn(this.conv1, this.bn1, x, { relu: true });
    y = nn.fusedConvBn(this.conv2, this.bn2, y, { relu: true });
    return nn.fusedConvBn(this.conv3, this.bn3, y, { residual: shortcutOf(this.downsample, x), relu: true });
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'Bottleneck', config: { inPlanes: this.inPlanes, planes: this.planes, stride: this.stride } };
  }
}

const block = { inPlanes: nn.configFields.int({ min: 1 }), planes: nn.configFields.int({ min: 1 }), stride: nn.configFields.int({ min: 1, default: 1 }) };
nn.registerModuleType('BasicBlock', (c) => new BasicBlock(c.inPlanes, c.planes, c.stride), block);
nn.registerModuleType('Bottleneck', (c) => new Bottleneck(c.inPlanes, c.planes, c.stride), block);

export type ResNetDepth = 18 | 34 | 50 | 101 | 152;

const LAYOUT: Record<ResNetDepth, { block: 'basic' | 'bottleneck'; counts: [number, number, number, number] }> = {
  18: { block: 'basic', counts: [2, 2, 2, 2] },
  34: { block: 'basic', counts: [3, 4, 6, 3] },
  50: { block: 'bottleneck', counts: [3, 4, 6, 3] },
  101: { block: 'bottleneck', counts: [3, 4, 23, 3] },
  152: { block: 'bottleneck', counts: [3, 8, 36, 3] },
};

export function resnet(depth: ResNetDepth, opts: Omit<ClassifierOptions, 'dropout'> = {}): nn.Sequential {
  nn.check.checkOptions('resnet', opts, new Set(['numClasses', 'inChannels']));
  const layout = LAYOUT[depth];
  if (layout === undefined) throw new Error(`resnet: depth must be 18, 34, 50, 101 or 152, got ${depth}`);
  const Block = layout.block === 'basic' ? BasicBlock : Bottleneck;
  const expansion = Block.expansion;
  let inPlanes = 64;
  const stage = (planes: number, count: number, stride: number) => {
    const blocks: nn.Module[] = [];
    for (let i = 0; i < count; i++) {
      blocks.push(new Block(inPlanes, planes, i === 0 ? stride : 1));
      inPlanes = planes * expansion;
    }
    return new nn.Sequential(...blocks);
  };
  return new nn.Sequential({
    conv1: new nn.Conv2d(opts.inChannels ?? 3, 64, 7, { stride: 2, padding: 3, bias: false }),
    bn1: new nn.BatchNorm2d(64),
    relu: new nn.ReLU(),
    maxpool: new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
    layer1: stage(64, layout.counts[0], 1),
    layer2: stage(128, layout.counts[1], 2),
    layer3: stage(256, layout.counts[2], 2),
    layer4: stage(512, layout.counts[3], 2),
    avgpool: new nn.AdaptiveAvgPool2d(1),
    flatten: new nn.Flatten(),
    fc: new nn.Linear(512 * expansion, opts.numClasses ?? 1000),
  });
}
