/**
 * AlexNet and VGG-16 (with batch norm) exported with nn.exportOnnx and run in ONNX Runtime: apart from
 * onnx-presets.test.ts because their classifiers hold 57 and 134 million weights whatever the input
 * size (a 230 MB and a 540 MB file), so each is exported once and its session used at two batch sizes.
 */
import { beforeAll, describe, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { alexnet, vgg } from '../src/index.js';
import { expectClose, openOnnx } from '../../nn/test/onnx-runtime.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

const gen = new nn.Generator(4);
const randn = (shape: number[]) => nn.randn(shape, { generator: gen });

const CASES: Array<{ name: string; model: () => nn.Module; size: number }> = [
  { name: 'AlexNet at 64x64 (adaptive pooling from 1x1 to 6x6)', model: () => alexnet({ numClasses: 10 }), size: 64 },
  {
    name: 'VGG-16 with batch norm at 32x32 (adaptive pooling from 1x1 to 7x7)',
    model: () => {
      const m = vgg(16, { batchNorm: true, numClasses: 10 });
      for (const [name, t] of m.namedBuffers()) {
        if (name.endsWith('running_mean')) t.copy_(nn.mul(randn([...t.shape]), 0.1));
        if (name.endsWith('running_var')) t.copy_(nn.add(nn.rand([...t.shape], { generator: gen }), 0.5));
      }
      return m;
    },
    size: 32,
  },
];

describe('large presets exported to ONNX run in ONNX Runtime with our outputs', () => {
  it.each(CASES)('$name', async (c) => {
    const model = c.model().eval();
    const session = await openOnnx(nn.exportOnnx(model, randn([2, 3, c.size, c.size])));
    try {
      for (const batch of [1, 3]) {
        const x = randn([batch, 3, c.size, c.size]);
        const y = nn.noGrad(() => model.forward(x));
        expectClose(`${c.name} at batch ${batch}`, { data: y.toArray(), shape: y.shape }, await session.run({ input: { data: x.toArray(), shape: x.shape } }));
      }
    } finally {
      await session.release();
      model.dispose();
    }
  });
});
