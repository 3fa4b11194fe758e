/**
 * Convolution, batch norm, ReLU and max pooling in inference (conv2dInferenceMaxPool, ResNet's stem): the
 * fused pass over the pixels-major product has the bits of conv2dInference followed by maxPool2d, on
 * channel counts that are not a multiple of 4, output rows not a multiple of 4 pixels, padding on every
 * side, ceil mode, with and without the epilogue, NaN and signed zeros in the product; and the same bits
 * at 1, 2, 3 and 4 threads (more threads than output rows included).
 */
import { describe, expect, it } from 'vitest';
import {
  conv2dInference, conv2dInferenceMaxPool, convInferenceForm, convInferenceMaxPoolSize, convOutputSize, convWeightsFloats, loadKernels, maxPool2d,
  prepareConvWeights, type ChannelAffine, type Conv2dGeometry, type Isa, type MaxPoolWindow,
} from '../src/index.js';
import { get, put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

const conv = { strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, groups: 1 };
const pool: MaxPoolWindow = { KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 };
// [name, geometry, pooling, epilogue: scale+shift, relu]
const CASES: Array<[string, Conv2dGeometry, MaxPoolWindow, boolean, boolean]> = [
  ['a stem: 7x7 stride 2, 13 channels, 3x3 stride-2 pooling', { ...conv, N: 1, C: 3, H: 40, W: 38, OC: 13, KH: 7, KW: 7, padH: 3, padW: 3 }, pool, true, true],
  ['64 channels, ceil mode, 2x3 window', { ...conv, N: 1, C: 4, H: 35, W: 30, OC: 64, KH: 5, KW: 5, padH: 2, padW: 2 }, { KH: 2, KW: 3, strideH: 2, strideW: 3, padH: 1, padW: 1, ceilMode: true }, true, true],
  ['no ReLU', { ...conv, N: 1, C: 3, H: 36, W: 36, OC: 8, KH: 7, KW: 7, padH: 3, padW: 3 }, pool, true, false],
  ['no epilogue', { ...conv, N: 1, C: 3, H: 36, W: 36, OC: 8, KH: 7, KW: 7, padH: 3, padW: 3 }, { ...pool, strideH: 1, strideW: 1 }, false, false],
  ['ReLU alone', { ...conv, N: 1, C: 3, H: 36, W: 36, OC: 5, KH: 7, KW: 7, padH: 3, padW: 3 }, pool, false, true],
  ['two images (the unfused route)', { ...conv, N: 2, C: 3, H: 36, W: 36, OC: 6, KH: 7, KW: 7, padH: 3, padW: 3 }, pool, true, true],
];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`conv2dInferenceMaxPool (${isa})`, async () => {
    const k = await loadKernels({ isa });
    it.each(CASES)('%s: the bits of conv2dInference + maxPool2d, at 1-4 threads', async (_name, g, window, affine, relu) => {
      if (g.N === 1) expect(convInferenceForm(g)).toBe('pixels');
      const r = rng(g.OC * 7 + g.H);
      const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, 1);
      const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, 1);
      const { PH, PW } = convInferenceMaxPoolSize(g, window);
      const x = uniform(r, g.N * g.C * g.H * g.W, -1, 1);
      // Some exact zeros (negative zero in the product where the weights of a channel are all zero) and a NaN.
      for (let i = 0; i < x.length; i += 97) x[i] = 0;
      x[5 * g.W + 7] = NaN;
      const w = uniform(r, g.OC * g.C * g.KH * g.KW, -1, 1);
      w.fill(0, 0, g.C * g.KH * g.KW);
      const px = put(k, x), pw = put(k, w);
      const st = put(k, [...uniform(r, g.OC, 0.5, 2), ...uniform(r, g.OC, -0.5, 0.5)]);
      const form = convInferenceForm(g);
      const nw = convWeightsFloats(k, g, form);
      const prepared = nw === 0 ? pw : k.arena.alloc(nw * 4);
      if (nw !== 0) prepareConvWeights(k, g, form, pw, prepared);
      const e: ChannelAffine = { scale: affine ? st : 0, shift: affine ? st + g.OC * 4 : 0, residual: 0, relu };
      const ny = g.N * g.OC * PH * PW;
      const y = k.arena.alloc(ny * 4);
      conv2dInferenceMaxPool(k, g, px, prepared, e, window, y);
      const full = k.arena.alloc(g.N * g.OC * OH * OW * 4);
      const want = k.arena.alloc(ny * 4);
      const idx = k.arena.alloc(ny * 4);
      conv2dInference(k, g, px, prepared, e, full);
      maxPool2d(k, { ...window, planes: g.N * g.OC, H: OH, W: OW }, full, want, idx);
      const got = new Uint32Array(get(k, y, ny).buffer);
      const expected = new Uint32Array(get(k, want, ny).buffer);
      const bad = got.findIndex((v, i) => v !== expected[i]);
      if (bad >= 0) expect.fail(`output ${bad}: ${get(k, y, ny)[bad]}, conv2dInference + maxPool2d give ${get(k, want, ny)[bad]}`);
      expect(get(k, y, ny).some((v) => Number.isNaN(v))).toBe(true);
      await splittingEverything(() => expectSameBitsAcrossThreads(k, 'conv2dInferenceMaxPool', () => k.arena.f32(y, ny).fill(7),
        () => conv2dInferenceMaxPool(k, g, px, prepared, e, window, y), [[y, ny]]));
      for (const p of [px, pw, st, prepared === pw ? 0 : prepared, y, full, want, idx]) if (p !== 0) k.arena.free(p);
    });

    it('refuses a residual', () => {
      const g: Conv2dGeometry = { ...conv, N: 1, C: 3, H: 36, W: 36, OC: 4, KH: 7, KW: 7, padH: 3, padW: 3 };
      expect(() => conv2dInferenceMaxPool(k, g, 0, 0, { scale: 0, shift: 0, residual: 64, relu: true }, pool, 0)).toThrow(/no residual/);
    });
  });
}
