/**
 * Convolution, pooling and their gradients split over threads: the same bits at 1, 2, 3 and 4
 * threads for every path (dense, Winograd, direct, pixels-major, im2col with and without kept columns).
 */
import { describe, it } from 'vitest';
import {
  avgPool2d, avgPool2dBackward, conv2dBackward, conv2dForward, convColsFloats, convOutputSize, denseApplies, directApplies, loadKernels,
  maxPool2d, maxPool2dBackward, winogradApplies, type Conv2dGeometry, type Isa, type Pool2dGeometry,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

const base = { strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1 };
const CASES: Array<[string, Conv2dGeometry]> = [
  ['dense (LeNet C5)', { ...base, N: 3, C: 16, H: 5, W: 5, OC: 7, KH: 5, KW: 5 }],
  ['Winograd', { ...base, N: 2, C: 16, H: 9, W: 11, OC: 17, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['Winograd, one image, odd rows', { ...base, N: 1, C: 17, H: 15, W: 13, OC: 16, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['Winograd, 144 tiles (each GEMM cut into panels: ResNet layer1 at 96x96)', { ...base, N: 1, C: 16, H: 24, W: 24, OC: 16, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['Winograd, fused tasks of 3 tile rows (2 x 40 x 40: 20 tile rows in 7 ranges)', { ...base, N: 2, C: 16, H: 40, W: 40, OC: 16, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['Winograd, tile rows in two chunks (the backward pass by chunks)', { ...base, N: 2, C: 16, H: 92, W: 91, OC: 16, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['direct (LeNet C1)', { ...base, N: 3, C: 1, H: 28, W: 28, OC: 6, KH: 5, KW: 5, padH: 2, padW: 2 }],
  ['direct, filter gradient in 8 runs of images (LeNet C1 at batch 11)', { ...base, N: 11, C: 1, H: 28, W: 28, OC: 6, KH: 5, KW: 5, padH: 2, padW: 2 }],
  ['direct, 2x16 tiles: 5 outputs, rows of 13', { ...base, N: 3, C: 2, H: 13, W: 13, OC: 5, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['direct, odd channels', { ...base, N: 1, C: 3, H: 9, W: 17, OC: 5, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['direct, one image by rows in bands of 2 rows (wide rows, VGG conv1-like)', { ...base, N: 1, C: 3, H: 9, W: 300, OC: 6, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['direct, filter gradient by 6 bands of rows an image (3 images of 13 rows)', { ...base, N: 3, C: 2, H: 13, W: 10, OC: 5, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['direct, two images of 3 rows (more pieces than rows)', { ...base, N: 2, C: 2, H: 3, W: 12, OC: 9, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['pixels-major (LeNet C3)', { ...base, N: 3, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 }],
  ['pixels-major, groups', { ...base, N: 5, C: 8, H: 9, W: 9, OC: 6, KH: 3, KW: 3, groups: 2, padH: 1, padW: 1 }],
  ['pixels-major packed, 4x4 stride 2 pad 1, 576 taps in two blocks (DCGAN-like)', { ...base, N: 16, C: 36, H: 8, W: 8, OC: 20, KH: 4, KW: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
  ['pixels-major, 8 outputs, 640 taps in two blocks (bias preset), 4 images', { ...base, N: 4, C: 40, H: 12, W: 12, OC: 8, KH: 4, KW: 4 }],
  ['pixels-major packed, one image (row ranges of the padded input)', { ...base, N: 1, C: 8, H: 20, W: 18, OC: 24, KH: 3, KW: 3, padH: 1, padW: 1 }],
  ['im2col, stride 2', { ...base, N: 3, C: 3, H: 11, W: 13, OC: 5, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
  ['im2col by tap table, runs of images (DCGAN-like 4x4 stride 2, 7x7 outputs)', { ...base, N: 6, C: 3, H: 14, W: 14, OC: 5, KH: 4, KW: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
  ['im2col by rows, runs of images (4x4 stride 2, 18 outputs a row)', { ...base, N: 5, C: 2, H: 6, W: 37, OC: 3, KH: 4, KW: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
  ['backward in 3 chunks of 3 images (LeNet C3 at batch 9)', { ...base, N: 9, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 }],
  ['backward with no column matrix, rows of 26 (three blocks of 12), 7 images in 3 chunks', { ...base, N: 7, C: 7, H: 6, W: 30, OC: 9, KH: 2, KW: 5 }],
  ['backward with no column matrix, KW 3, 17 outputs, 9 images in 2 chunks', { ...base, N: 9, C: 20, H: 5, W: 15, OC: 17, KH: 2, KW: 3 }],
  ['backward with no column matrix, chunks of one image (more threads than chunks)', { ...base, N: 3, C: 6, H: 20, W: 20, OC: 4, KH: 3, KW: 3 }],
  ['backward in chunks by tap table (7x7 outputs, 19 images: chunks of 6, 6, 7)', { ...base, N: 19, C: 5, H: 14, W: 14, OC: 5, KH: 4, KW: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
  ['backward in chunks of 1 image by rows, padding and dilation', { ...base, N: 5, C: 8, H: 19, W: 21, OC: 7, KH: 3, KW: 3, padH: 1, padW: 2, dilationH: 2 }],
  ['col2im of one image by input rows, stride 2 and dilation (20 outputs a row)', { ...base, N: 1, C: 2, H: 11, W: 40, OC: 3, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 2 }],
  ['im2col, one image, 1x1', { ...base, N: 1, C: 7, H: 6, W: 5, OC: 9, KH: 1, KW: 1 }],
  ['im2col, dilation and groups', { ...base, N: 2, C: 6, H: 10, W: 9, OC: 9, KH: 3, KW: 2, dilationH: 2, groups: 3, padW: 1 }],
];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`convolution across threads (${isa})`, () => {
    for (const [name, g] of CASES) {
      it(`${name}: forward and every gradient`, async () => {
        const k = await loadKernels({ isa });
        const rand = rng(11);
        const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
        const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
        const nx = g.N * g.C * g.H * g.W;
        const nw = g.OC * (g.C / g.groups) * g.KH * g.KW;
        const ny = g.N * g.OC * OH * OW;
        const x = put(k, uniform(rand, nx, -1, 1));
        const w = put(k, uniform(rand, nw, -1, 1));
        const b = put(k, uniform(rand, g.OC, -1, 1));
        const dy = put(k, uniform(rand, ny, -1, 1));
        const [y, dx, dw, db] = [ny, nx, nw, g.OC].map((n) => k.arena.alloc(n * 4));
        const poison = () => [[y, ny], [dx, nx], [dw, nw], [db, g.OC]].forEach(([p, n]) => k.arena.f32(p!, n!).fill(NaN));
        const path = denseApplies(g) ? 'dense' : winogradApplies(g) ? 'winograd' : directApplies(g) ? 'direct' : 'other';
        await splittingEverything(async () => {
          await expectSameBitsAcrossThreads(k, `${name} (${path})`, poison, () => {
            conv2dForward(k, g, x, w, b, y);
            conv2dBackward(k, g, x, w, dy, dx, dw, db);
          }, [[y, ny], [dx, nx], [dw, nw], [db, g.OC]]);
          const keep = convColsFloats(g);
          if (path === 'other' && keep !== null) {
            const cols = k.arena.alloc(keep * 4);
            await expectSameBitsAcrossThreads(k, `${name}, kept columns`, poison, () => {
              conv2dForward(k, g, x, w, b, y, cols);
              conv2dBackward(k, g, x, w, dy, dx, dw, db, cols);
            }, [[y, ny], [dx, nx], [dw, nw], [db, g.OC]]);
          }
        });
      });
    }

    it('pooling, forward and backward', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(12);
      const shapes: Pool2dGeometry[] = [
        { planes: 1, H: 5, W: 5, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
        { planes: 7, H: 28, W: 28, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
        { planes: 5, H: 13, W: 17, KH: 3, KW: 3, strideH: 2, strideW: 1, padH: 1, padW: 1, ceilMode: true },
      ];
      await splittingEverything(async () => {
        for (const g of shapes) {
          const OH = Math.floor((g.H + 2 * g.padH - g.KH) / g.strideH) + 1 + (g.ceilMode ? 1 : 0);
          const OW = Math.floor((g.W + 2 * g.padW - g.KW) / g.strideW) + 1 + (g.ceilMode ? 1 : 0);
          const n = g.planes * g.H * g.W;
          const m = g.planes * OH * OW;
          const x = put(k, uniform(rand, n, -1, 1));
          const dy = put(k, uniform(rand, m, -1, 1));
          const [y, idx, dx] = [m, m, n].map((c) => k.arena.alloc(c * 4));
          const poison = () => [[y, m], [idx, m], [dx, n]].forEach(([p, c]) => k.arena.f32(p!, c!).fill(NaN));
          await expectSameBitsAcrossThreads(k, 'max pooling', poison, () => {
            maxPool2d(k, g, x, y, idx);
            maxPool2dBackward(k, g, dy, idx, dx);
          }, [[y, m], [idx, m], [dx, n]]);
          await expectSameBitsAcrossThreads(k, 'average pooling', poison, () => {
            avgPool2d(k, g, x, y, false);
            avgPool2dBackward(k, g, dy, dx, false);
          }, [[y, m], [dx, n]]);
        }
      });
    });
  });
}
