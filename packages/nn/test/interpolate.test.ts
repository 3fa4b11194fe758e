/**
 * interpolate / Upsample: values and gradients against PyTorch (test/fixtures/torch-interpolate.json,
 * written by tools/fixtures/interpolate_fixture.py), finite differences, the definitions on simple
 * cases, and the layer's architecture round trip.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { use } from './setup.js';

const gen = new Generator(31);
const randn = (shape: number[]): Tensor => nn.randn(shape, { generator: gen });

beforeAll(async () => {
  await use('simd128');
});

interface FixtureCase {
  name: string;
  x: number[];
  xShape: number[];
  options: nn.InterpolateOptions;
  y: number[];
  yShape: number[];
  gy: number[];
  dx: number[];
}

function expectClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-6): void {
  expect(actual.length, name).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const t = tol * Math.max(1, Math.abs(expected[i]!));
    if (!(Math.abs(actual[i]! - expected[i]!) <= t)) throw new Error(`${name}: at ${i} expected ${expected[i]}, got ${actual[i]}`);
  }
}

describe('interpolate against PyTorch (fixture)', () => {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/torch-interpolate.json', import.meta.url), 'utf8')) as { cases: FixtureCase[] };

  it.each(fixture.cases)('$name: values and input gradient', (c) => {
    nn.tidy(() => {
      const x = nn.tensor(c.x, c.xShape).requiresGrad_();
      const y = nn.interpolate(x, c.options);
      expect(y.shape).toEqual(c.yShape);
      expectClose('forward', y.data, c.y);
      nn.sum(nn.mul(y, nn.tensor(c.gy, c.yShape))).backward();
      expectClose('input gradient', x.grad!.data, c.dx, 1e-5);
    });
  });

  it.each(fixture.cases)('$name: the layer Upsample computes the same', (c) => {
    nn.tidy(() => {
      const y = new nn.Upsample(c.options).forward(nn.tensor(c.x, c.xShape));
      expectClose('forward', y.data, c.y);
    });
  });
});

describe('interpolate', () => {
  const settings: Array<[string, nn.InterpolateOptions, number[]]> = [
    ['nearest x2', { scaleFactor: 2 }, [2, 2, 3, 4]],
    ['nearest to 5x7', { size: [5, 7] }, [1, 2, 3, 4]],
    ['nearest down to 2x3', { size: [2, 3] }, [1, 1, 5, 7]],
    ['bilinear x2', { scaleFactor: 2, mode: 'bilinear' }, [2, 2, 3, 4]],
    ['bilinear x1.5, align corners', { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }, [1, 2, 4, 3]],
    ['bilinear down to 3x2', { size: [3, 2], mode: 'bilinear' }, [1, 1, 7, 5]],
  ];
  it.each(settings)('%s: finite differences', (name, opts, shape) => {
    nn.tidy(() => {
      const r = assertGradCheck((x) => nn.interpolate(x, opts), [randn(shape)], { name, maxPerInput: 64, eps: 0.05 });
      expect(r.mismatches).toEqual([]);
    });
  });

  it('nearest x2 repeats each pixel in a 2x2 block; bilinear with aligned corners keeps the corners and is exact on a ramp', () => {
    nn.tidy(() => {
      const x = randn([1, 1, 3, 4]);
      const y = nn.interpolate(x, { scaleFactor: 2 });
      for (let h = 0; h < 6; h++) for (let w = 0; w < 8; w++) expect(y.data[h * 8 + w]).toBe(x.data[(h >> 1) * 4 + (w >> 1)]);
      // f(h, w) = 2h - 3w + 1 is reproduced exactly at the aligned sample points h·2/4, w·3/6.
      const ramp = nn.tensor(Array.from({ length: 12 }, (_, i) => 2 * Math.floor(i / 4) - 3 * (i % 4) + 1), [1, 1, 3, 4]);
      const z = nn.interpolate(ramp, { size: [5, 7], mode: 'bilinear', alignCorners: true });
      for (let h = 0; h < 5; h++) for (let w = 0; w < 7; w++) expect(z.data[h * 7 + w]).toBeCloseTo(2 * (h * 0.5) - 3 * (w * 0.5) + 1, 5);
    });
  });

  it('an empty batch gives an empty output', () => {
    nn.tidy(() => {
      expect(nn.interpolate(nn.zeros([0, 3, 4, 4]), { scaleFactor: 2, mode: 'bilinear' }).shape).toEqual([0, 3, 8, 8]);
    });
  });

  it('Upsample round-trips through the architecture JSON', () => {
    for (const m of [new nn.Upsample({ scaleFactor: 2 }), new nn.Upsample({ size: [5, 6], mode: 'bilinear', alignCorners: true }), new nn.Upsample({ scaleFactor: [1.5, 2], mode: 'bilinear' })]) {
      const copy = nn.moduleFromJson(nn.architectureToJson(m));
      expect(copy).toBeInstanceOf(nn.Upsample);
      expect(copy.getConfig()).toEqual(m.getConfig());
    }
  });
});
