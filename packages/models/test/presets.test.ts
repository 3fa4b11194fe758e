/** Presets: torchvision's parameter counts and state-dict names, output shapes, LeNet-5's table. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { alexnet, googlenet, lenet5, LeNetC3, resnet, summarize, summary, vgg } from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

// torchvision.models.<name>(num_classes=1000) parameter counts (sum of p.numel() for p in parameters()).
const COUNTS: Array<[string, () => nn.Module, number]> = [
  ['AlexNet', () => alexnet(), 61_100_840],
  ['VGG-11', () => vgg(11), 132_863_336],
  ['VGG-11 BN', () => vgg(11, { batchNorm: true }), 132_868_840],
  ['VGG-13', () => vgg(13), 133_047_848],
  ['VGG-13 BN', () => vgg(13, { batchNorm: true }), 133_053_736],
  ['VGG-16', () => vgg(16), 138_357_544],
  ['VGG-16 BN', () => vgg(16, { batchNorm: true }), 138_365_992],
  ['VGG-19', () => vgg(19), 143_667_240],
  ['VGG-19 BN', () => vgg(19, { batchNorm: true }), 143_678_248],
  ['ResNet-18', () => resnet(18), 11_689_512],
  ['ResNet-34', () => resnet(34), 21_797_672],
  ['ResNet-50', () => resnet(50), 25_557_032],
  ['ResNet-101', () => resnet(101), 44_549_160],
  ['ResNet-152', () => resnet(152), 60_192_808],
  ['GoogLeNet (torchvision, "5x5" = 3x3)', () => googlenet(), 6_624_904],
  ['GoogLeNet (paper, true 5x5)', () => googlenet({ variant: 'paper' }), 7_005_832],
];

describe('parameter counts at 224x224x3, 1000 classes', () => {
  it.each(COUNTS)('%s', (_name, make, count) => {
    const m = make();
    expect(m.numParameters()).toBe(count);
    m.dispose();
  });
});

describe('state-dict names follow torchvision', () => {
  it('ResNet-50, VGG-16 BN, AlexNet and GoogLeNet keys', () => {
    const keys = (m: nn.Module) => {
      const k = [...m.stateDict().keys()];
      m.dispose();
      return k;
    };
    const r = keys(resnet(50));
    for (const k of ['conv1.weight', 'bn1.running_var', 'layer1.0.conv3.weight', 'layer1.0.downsample.0.weight', 'layer1.0.downsample.1.bias', 'layer4.2.bn3.weight', 'fc.weight', 'fc.bias']) {
      expect(r).toContain(k);
    }
    const v = keys(vgg(16, { batchNorm: true }));
    for (const k of ['features.0.weight', 'features.1.running_mean', 'features.41.weight', 'classifier.0.weight', 'classifier.6.bias']) expect(v).toContain(k);
    const a = keys(alexnet());
    expect(a.filter((k) => k.endsWith('weight'))).toEqual([
      'features.0.weight', 'features.3.weight', 'features.6.weight', 'features.8.weight', 'features.10.weight',
      'classifier.1.weight', 'classifier.4.weight', 'classifier.6.weight',
    ]);
    const g = keys(googlenet());
    for (const k of ['conv1.conv.weight', 'conv1.bn.running_mean', 'inception3a.branch2.1.conv.weight', 'inception5b.branch4.1.bn.bias', 'fc.weight']) expect(g).toContain(k);
  });
});

describe('a forward pass on one image', () => {
  const SHAPES: Array<[string, () => nn.Module, number[], number[]]> = [
    ['LeNet-5 on 1x28x28', () => lenet5(), [1, 1, 28, 28], [1, 10]],
    ['LeNet-5 (tanh, average pooling, connection table) on 1x32x32', () => lenet5({ inputSize: 32, activation: 'tanh', pooling: 'avg', connectionTable: true }), [1, 1, 32, 32], [1, 10]],
    ['AlexNet', () => alexnet(), [1, 3, 224, 224], [1, 1000]],
    ['VGG-11 BN, 10 classes', () => vgg(11, { batchNorm: true, numClasses: 10 }), [1, 3, 224, 224], [1, 10]],
    ['VGG-16', () => vgg(16), [1, 3, 224, 224], [1, 1000]],
    ['ResNet-18', () => resnet(18), [1, 3, 224, 224], [1, 1000]],
    ['ResNet-50', () => resnet(50), [1, 3, 224, 224], [1, 1000]],
    ['ResNet-34 on a small 64x64 input', () => resnet(34, { numClasses: 7 }), [1, 3, 64, 64], [1, 7]],
    ['ResNet-101 on 64x64', () => resnet(101), [1, 3, 64, 64], [1, 1000]],
    ['ResNet-152 on 64x64', () => resnet(152), [1, 3, 64, 64], [1, 1000]],
    ['VGG-13 on 32x32 (CIFAR-sized: adaptive pooling repeats bins)', () => vgg(13, { numClasses: 10 }), [1, 3, 32, 32], [1, 10]],
    ['VGG-19 BN on 64x64', () => vgg(19, { batchNorm: true }), [1, 3, 64, 64], [1, 1000]],
    ['AlexNet on 3x100x100', () => alexnet({ numClasses: 3 }), [1, 3, 100, 100], [1, 3]],
    ['GoogLeNet', () => googlenet(), [1, 3, 224, 224], [1, 1000]],
    ['GoogLeNet (paper)', () => googlenet({ variant: 'paper', numClasses: 5 }), [1, 3, 224, 224], [1, 5]],
  ];
  it.each(SHAPES)('%s', (_name, make, input, output) => {
    const m = make().eval();
    const y = nn.noGrad(() => nn.tidy(() => m.forward(nn.randn(input)).toArray()));
    expect(y.length).toBe(output[1]);
    expect(y.every(Number.isFinite)).toBe(true);
    const s = summarize(m, input);
    expect(s.outputShape).toEqual(output);
    m.dispose();
  }, 120_000);

  it('summarises VGG-16 like the seeds\' walk-through', () => {
    const m = vgg(16);
    const { rows, totalParams } = summarize(m, [1, 3, 224, 224]);
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('features.0')!.outputShape).toEqual([1, 64, 224, 224]);
    expect(byName.get('features.0')!.params).toBe(1_792);
    expect(byName.get('features.4')!.outputShape).toEqual([1, 64, 112, 112]);
    expect(byName.get('features.30')!.outputShape).toEqual([1, 512, 7, 7]);
    expect(byName.get('classifier.0')!.params).toBe(102_764_544);
    expect(totalParams).toBe(138_357_544);
    expect(summary(m, [1, 3, 224, 224])).toContain('138,357,544 parameters');
    m.dispose();
  }, 120_000);
});

describe('LeNet-5 connection table', () => {
  it('lets each C3 map see only its S2 maps (1,516 trainable connections)', () => {
    const c3 = new LeNetC3();
    expect(c3.effectiveParameters()).toBe(1516);
    const x = nn.randn([1, 6, 14, 14], { requiresGrad: true });
    const y = c3.forward(x);
    // Output map 0 reads S2 maps 0, 1, 2 only.
    nn.sum(nn.narrow(y, 1, 0, 1)).backward();
    const g = x.grad!.toArray();
    const perMap = [0, 1, 2, 3, 4, 5].map((c) => g.subarray(c * 196, (c + 1) * 196).some((v) => v !== 0));
    expect(perMap).toEqual([true, true, true, false, false, false]);
    // Masked weights never receive gradient.
    const wg = c3.conv.weight.grad!.toArray();
    expect(wg.subarray(3 * 25, 6 * 25).every((v) => v === 0)).toBe(true);
  });
});

describe('ResNet inference fused (conv + batch norm + residual + ReLU as one op)', () => {
  it.each([[18], [50]] as const)('ResNet-%i: eval without gradients gives the modules\' logits within float32 rounding, in eval with gradients the modules run', (depth) => {
    const gen = new nn.Generator(depth);
    const m = resnet(depth, { numClasses: 10 });
    for (const [name, t] of m.namedBuffers()) {
      if (name.endsWith('running_mean')) t.copy_(nn.mul(nn.randn([...t.shape], { generator: gen }), 0.1));
      if (name.endsWith('running_var')) t.copy_(nn.add(nn.rand([...t.shape], { generator: gen }), 0.5));
    }
    m.eval();
    // Batch 3 at 64x64: the fused stride-1 3x3 layers run Winograd F(4x4, 3x3) down to 8x8 maps (the
    // modules F(2x2, 3x3)), the rest the same sums as the modules.
    const x = nn.randn([3, 3, 64, 64], { generator: gen });
    const fused = nn.noGrad(() => m.forward(x).toArray());
    // With gradients recorded the blocks call their modules one by one.
    const y = m.forward(x);
    expect(y.node).not.toBeNull();
    const want = y.toArray();
    const scale = Math.max(...Array.from(want, Math.abs));
    const worst = Math.max(...Array.from(want, (v, i) => Math.abs(v - fused[i]!)));
    // Measured 2-3e-7 of the logits' scale for both depths.
    expect(worst).toBeLessThanOrEqual(1e-5 * scale);
    m.dispose();
  }, 120_000);
});
