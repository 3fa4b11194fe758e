/**
 * ConvTranspose2d: forward and every gradient against a plain scatter loop (PyTorch's definition) on
 * awkward shapes, finite differences, the adjoint identity with conv2d, the layer (init, outputSize,
 * architecture round trip), and values against PyTorch (test/fixtures/torch-conv-transpose.json,
 * written by tools/fixtures/conv_transpose_fixture.py).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { builds, use } from './setup.js';

const gen = new Generator(29);
const randn = (shape: number[]): Tensor => nn.randn(shape, { generator: gen });

interface Case {
  name: string;
  x: [number, number, number, number];
  /** [C_in, C_out/groups, KH, KW] */
  w: [number, number, number, number];
  stride?: [number, number];
  padding?: [number, number];
  outputPadding?: [number, number];
  dilation?: [number, number];
  groups?: number;
}

const cases: Case[] = [
  { name: 'DCGAN-like 4x4 stride 2 pad 1, batch 3', x: [3, 4, 3, 3], w: [4, 2, 4, 4], stride: [2, 2], padding: [1, 1] },
  { name: 'stride 2 with output padding 1, 3x3 pad 1', x: [2, 3, 4, 5], w: [3, 2, 3, 3], stride: [2, 2], padding: [1, 1], outputPadding: [1, 1] },
  { name: 'non-square kernel 2x3, strides 3x2, output padding [2, 1]', x: [2, 2, 3, 4], w: [2, 3, 2, 3], stride: [3, 2], padding: [0, 1], outputPadding: [2, 1] },
  { name: 'groups 2', x: [2, 4, 3, 4], w: [4, 3, 3, 2], stride: [2, 1], padding: [1, 0], groups: 2 },
  { name: 'depthwise (groups = channels)', x: [1, 3, 4, 4], w: [3, 1, 3, 3], stride: [1, 1], padding: [1, 1], groups: 3 },
  { name: 'dilation 2, stride 2, padding 2', x: [2, 2, 4, 3], w: [2, 3, 3, 3], stride: [2, 2], padding: [2, 1], dilation: [2, 2] },
  { name: 'output padding >= stride but < dilation', x: [2, 2, 3, 4], w: [2, 2, 3, 2], stride: [1, 1], padding: [1, 0], outputPadding: [1, 1], dilation: [2, 3] },
  { name: 'kernel covering the output (1x1 input: the dense path)', x: [5, 6, 1, 1], w: [6, 4, 4, 4] },
  { name: '3x3 stride 1 with 16+ channels (the Winograd path)', x: [2, 16, 9, 9], w: [16, 17, 3, 3], padding: [1, 1] },
  { name: '1x1 stride 2', x: [2, 3, 3, 2], w: [3, 4, 1, 1], stride: [2, 2] },
];

function options(c: Case): nn.ConvTranspose2dOptions {
  return { stride: c.stride ?? 1, padding: c.padding ?? 0, outputPadding: c.outputPadding ?? 0, dilation: c.dilation ?? 1, groups: c.groups ?? 1 };
}

/** out[n, g·og + o, ih·s - p + kh·d, …] += x[n, g·cg + c, ih, iw] · w[g·cg + c, o, kh, kw], in float64. */
function reference(c: Case, x: Float32Array, w: Float32Array, b: Float32Array | null) {
  const [N, C, H, W] = c.x;
  const [, og, KH, KW] = c.w;
  const [sh, sw] = c.stride ?? [1, 1];
  const [ph, pw] = c.padding ?? [0, 0];
  const [oph, opw] = c.outputPadding ?? [0, 0];
  const [dh, dw] = c.dilation ?? [1, 1];
  const groups = c.groups ?? 1;
  const cg = C / groups;
  const OC = og * groups;
  const OH = (H - 1) * sh - 2 * ph + dh * (KH - 1) + oph + 1;
  const OW = (W - 1) * sw - 2 * pw + dw * (KW - 1) + opw + 1;
  const y = new Float64Array(N * OC * OH * OW);
  const each = (fn: (xi: number, wi: number, yi: number) => void) => {
    for (let n = 0; n < N; n++) for (let ci = 0; ci < C; ci++) for (let o = 0; o < og; o++) {
      const oc = Math.floor(ci / cg) * og + o;
      for (let ih = 0; ih < H; ih++) for (let iw = 0; iw < W; iw++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
        const oh = ih * sh - ph + kh * dh;
        const ow = iw * sw - pw + kw * dw;
        if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
        fn(((n * C + ci) * H + ih) * W + iw, ((ci * og + o) * KH + kh) * KW + kw, ((n * OC + oc) * OH + oh) * OW + ow);
      }
    }
  };
  each((xi, wi, yi) => (y[yi] += x[xi]! * w[wi]!));
  if (b) for (let i = 0; i < y.length; i++) y[i] += b[Math.floor(i / (OH * OW)) % OC]!;
  const backward = (gy: Float32Array) => {
    const dx = new Float64Array(x.length);
    const dW = new Float64Array(w.length);
    const db = new Float64Array(OC);
    each((xi, wi, yi) => {
      dx[xi] += gy[yi]! * w[wi]!;
      dW[wi] += gy[yi]! * x[xi]!;
    });
    for (let i = 0; i < gy.length; i++) db[Math.floor(i / (OH * OW)) % OC] += gy[i]!;
    return { dx, dW, db };
  };
  return { y, shape: [N, OC, OH, OW], backward };
}

/** |a - b| within a tolerance that grows with the magnitude of the terms summed. */
function expectClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length, name).toBe(expected.length);
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol * scale)) {
      throw new Error(`${name}: at ${i} expected ${expected[i]}, got ${actual[i]} (tolerance ${tol * scale})`);
    }
  }
}

for (const { isa } of builds) {
  describe(`convTranspose2d (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });

    it.each(cases)('$name: forward and gradients of input, weight and bias match the plain loop', (c) => {
      nn.tidy(() => {
        const x = randn(c.x).requiresGrad_();
        const w = randn(c.w).requiresGrad_();
        const b = randn([c.w[1] * (c.groups ?? 1)]).requiresGrad_();
        const y = nn.convTranspose2d(x, w, b, options(c));
        const ref = reference(c, x.data, w.data, b.data);
        expect(y.shape).toEqual(ref.shape);
        expectClose('forward', y.data, ref.y);
        const gy = randn(ref.shape);
        nn.sum(nn.mul(y, gy)).backward();
        const { dx, dW, db } = ref.backward(gy.data);
        expectClose('input gradient', x.grad!.data, dx);
        expectClose('weight gradient', w.grad!.data, dW);
        expectClose('bias gradient', b.grad!.data, db);
      });
    });

    it.each(cases.filter((c) => c.x[1] < 16))('$name: finite differences', (c) => {
      nn.tidy(() => {
        const r = assertGradCheck((x, w, b) => nn.convTranspose2d(x, w, b, options(c)), [randn(c.x), randn(c.w), randn([c.w[1] * (c.groups ?? 1)])], {
          name: c.name, maxPerInput: 48, eps: 0.05,
        });
        expect(r.mismatches).toEqual([]);
      });
    });

    it.each(cases)('$name: the adjoint of conv2d, <conv2d(x, W), y> = <x, convTranspose2d(y, W)>', (c) => {
      nn.tidy(() => {
        const w = randn(c.w);
        const y = randn(c.x);
        const t = nn.convTranspose2d(y, w, null, options(c));
        const x = randn(t.shape as number[]);
        const { outputPadding: _, ...convOpts } = options(c);
        const cx = nn.conv2d(x, w, null, convOpts);
        // With outputPadding >= stride (allowed when < dilation), conv2d's output is larger than y: the
        // identity then holds with y zero-padded at the bottom and right.
        const [N, C, H, W] = c.x;
        const [HC, WC] = cx.shape.slice(2) as [number, number];
        expect(cx.shape.slice(0, 2)).toEqual([N, C]);
        expect(HC >= H && WC >= W && (HC > H || WC > W) === (c.name.startsWith('output padding >= stride'))).toBe(true);
        let lhs = 0;
        let rhs = 0;
        let scale = 0;
        for (let p = 0; p < N * C; p++) for (let h = 0; h < H; h++) for (let v = 0; v < W; v++) {
          const term = cx.data[(p * HC + h) * WC + v]! * y.data[(p * H + h) * W + v]!;
          lhs += term;
          scale += Math.abs(term);
        }
        for (let i = 0; i < x.size; i++) rhs += x.data[i]! * t.data[i]!;
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-5 * scale + 1e-6);
      });
    });
  });
}

describe('ConvTranspose2d layer', () => {
  beforeAll(async () => {
    await use('simd128');
  });

  it('has PyTorch\'s weight layout [in, out/groups, kh, kw] and init bounds 1/sqrt(out/groups·kh·kw)', () => {
    const m = new nn.ConvTranspose2d(8, 6, [4, 3], { groups: 2, generator: new Generator(1) });
    expect(m.weight.shape).toEqual([8, 3, 4, 3]);
    expect(m.bias!.shape).toEqual([6]);
    const bound = 1 / Math.sqrt(3 * 4 * 3);
    for (const v of m.weight.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    for (const v of m.bias!.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...m.weight.data.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    expect(new nn.ConvTranspose2d(2, 3, 2, { bias: false }).bias).toBeNull();
  });

  it('DCGAN generator shapes: 7x7 -> 14x14 -> 28x28, and 1x1 -> 4x4', () => {
    nn.tidy(() => {
      const up1 = new nn.ConvTranspose2d(8, 4, 4, { stride: 2, padding: 1, bias: false });
      const up2 = new nn.ConvTranspose2d(4, 1, 4, { stride: 2, padding: 1 });
      expect(up2.forward(up1.forward(nn.zeros([2, 8, 7, 7]))).shape).toEqual([2, 1, 28, 28]);
      expect(new nn.ConvTranspose2d(5, 3, 4).forward(nn.zeros([2, 5, 1, 1])).shape).toEqual([2, 3, 4, 4]);
    });
  });

  it('outputSize picks the output padding, as PyTorch\'s forward(input, output_size)', () => {
    nn.tidy(() => {
      const m = new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 });
      const x = randn([1, 2, 4, 4]);
      expect(m.forward(x).shape).toEqual([1, 3, 7, 7]);
      const y = m.forward(x, [8, 7]);
      expect(y.shape).toEqual([1, 3, 8, 7]);
      const same = nn.convTranspose2d(x, m.weight, m.bias, { stride: 2, padding: 1, outputPadding: [1, 0] });
      expect([...y.data]).toEqual([...same.data]);
      expect(m.forward(x, [1, 3, 7, 8]).shape).toEqual([1, 3, 7, 8]);
      expect(() => m.forward(x, [9, 7])).toThrow('convTranspose2d: requested an output size of 9x7, but valid sizes range from 7x7 to 8x8');
    });
  });

  it('an empty batch gives an empty output and zero gradients for the weight and bias', () => {
    nn.tidy(() => {
      const m = new nn.ConvTranspose2d(2, 3, 3, { stride: 2 });
      const y = m.forward(nn.zeros([0, 2, 4, 4]));
      expect(y.shape).toEqual([0, 3, 9, 9]);
      nn.sum(y).backward();
      expect([...m.weight.grad!.data].every((v) => v === 0)).toBe(true);
      expect([...m.bias!.grad!.data]).toEqual([0, 0, 0]);
    });
  });

  it('round-trips through the architecture JSON and the state dict', () => {
    const m = new nn.ConvTranspose2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], dilation: [1, 2], groups: 2, bias: false });
    const copy = nn.moduleFromJson(nn.architectureToJson(m));
    expect(copy).toBeInstanceOf(nn.ConvTranspose2d);
    expect(copy.getConfig()).toEqual(m.getConfig());
    expect([...copy.stateDict()].map(([k, t]) => [k, t.shape])).toEqual([['weight', [4, 3, 3, 2]]]);
  });
});

interface FixtureCase {
  name: string;
  x: number[];
  xShape: number[];
  weight: number[];
  weightShape: number[];
  bias: number[];
  options: nn.ConvTranspose2dOptions;
  y: number[];
  yShape: number[];
  /** Gradients of sum(y · gy). */
  gy: number[];
  dx: number[];
  dw: number[];
  db: number[];
}

describe('convTranspose2d against PyTorch (fixture)', () => {
  beforeAll(async () => {
    await use('simd128');
  });
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/torch-conv-transpose.json', import.meta.url), 'utf8')) as { cases: FixtureCase[] };

  it.each(fixture.cases)('$name', (c) => {
    nn.tidy(() => {
      const x = nn.tensor(c.x, c.xShape).requiresGrad_();
      const w = nn.tensor(c.weight, c.weightShape).requiresGrad_();
      const b = nn.tensor(c.bias).requiresGrad_();
      const y = nn.convTranspose2d(x, w, b, c.options);
      expect(y.shape).toEqual(c.yShape);
      expectClose('forward', y.data, c.y);
      nn.sum(nn.mul(y, nn.tensor(c.gy, c.yShape))).backward();
      expectClose('input gradient', x.grad!.data, c.dx);
      expectClose('weight gradient', w.grad!.data, c.dw);
      expectClose('bias gradient', b.grad!.data, c.db);
    });
  });
});
