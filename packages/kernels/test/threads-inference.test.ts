/**
 * Convolution inference (conv2dInference with its batch norm, residual and ReLU, and the weights'
 * preparation) split over threads: the same bits at 1, 2, 3 and 4 threads on every form.
 */
import { describe, expect, it } from 'vitest';
import {
  conv2dInference, convInferenceForm, convOutputSize, convWeightsFloats, loadKernels, prepareConvWeights, type Conv2dGeometry, type ConvWeightsForm, type Isa,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

const base = { strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1, KH: 3, KW: 3 };
const CASES: Array<[string, ConvWeightsForm, Conv2dGeometry]> = [
  ['Winograd F(4x4), partial tiles (ResNet layer3 at 14x14)', 'winograd4', { ...base, N: 1, C: 16, H: 14, W: 14, OC: 20 }],
  ['Winograd F(4x4), two images, odd sizes', 'winograd4', { ...base, N: 2, C: 17, H: 9, W: 11, OC: 19 }],
  // One image: one job a chunk, the transforms' channel ranges and the 36 products claimed phase by phase.
  ['Winograd F(4x4), one image, odd channels, odd rows', 'winograd4', { ...base, N: 1, C: 19, H: 13, W: 15, OC: 17 }],
  ['Winograd F(4x4), one image, 8 x 7 tiles', 'winograd4', { ...base, N: 1, C: 16, H: 30, W: 26, OC: 33 }],
  ['Winograd F(4x4), two chunks of tile rows, the first spanning both images', 'winograd4', { ...base, N: 2, C: 512, H: 24, W: 24, OC: 16 }],
  ['Winograd F(2x2), packed filters (7x7 at batch 1)', 'winograd', { ...base, N: 1, C: 16, H: 7, W: 7, OC: 24 }],
  ['Winograd F(2x2), one image as one job, odd channels and columns', 'winograd', { ...base, N: 1, C: 19, H: 7, W: 9, OC: 17 }],
  ['1x1, the image as the GEMM operand', 'packed', { ...base, N: 2, C: 20, H: 7, W: 9, OC: 36, KH: 1, KW: 1, padH: 0, padW: 0 }],
  ['1x1 stride 2 (downsample)', 'packed', { ...base, N: 1, C: 24, H: 13, W: 14, OC: 40, KH: 1, KW: 1, padH: 0, padW: 0, strideH: 2, strideW: 2 }],
  ['3x3 stride 2 (pixels-major)', 'pixels', { ...base, N: 1, C: 16, H: 40, W: 40, OC: 12, strideH: 2, strideW: 2 }],
];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`convolution inference across threads (${isa})`, () => {
    for (const [name, form, g] of CASES) {
      it(`${name}: prepared weights and output`, async () => {
        const k = await loadKernels({ isa });
        expect(convInferenceForm(g)).toBe(form);
        const rand = rng(17);
        const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
        const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
        const nx = g.N * g.C * g.H * g.W;
        const ny = g.N * g.OC * OH * OW;
        const x = put(k, uniform(rand, nx, -1, 1));
        const w = put(k, uniform(rand, g.OC * g.C * g.KH * g.KW, -1, 1));
        const st = put(k, uniform(rand, 2 * g.OC, -1, 1));
        const r = put(k, uniform(rand, ny, -1, 1));
        const nw = convWeightsFloats(k, g, form);
        const prepared = k.arena.alloc(nw * 4);
        const y = k.arena.alloc(ny * 4);
        const poison = () => [[prepared, nw], [y, ny]].forEach(([p, n]) => k.arena.f32(p!, n!).fill(NaN));
        await splittingEverything(async () => {
          await expectSameBitsAcrossThreads(k, name, poison, () => {
            prepareConvWeights(k, g, form, w, prepared);
            conv2dInference(k, g, x, prepared, { scale: st, shift: st + g.OC * 4, residual: r, relu: true }, y);
          }, [[prepared, nw], [y, ny]]);
        });
      });
    }
  });
}
