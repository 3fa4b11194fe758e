/**
 * Fused ops split over threads: max pooling with ReLU in the same pass and the one-pass gradient of
 * tiled windows with the planes' sums (by planes), cross-entropy rows (by rows), channel sums of one value a row (by
 * channel ranges that need not be multiples of the kernel's four lanes): the same bits at 1, 2, 3 and 4 threads
 * on awkward shapes.
 */
import { describe, it } from 'vitest';
import {
  channelSums, crossEntropyRows, crossEntropyRowsBackward, loadKernels, maxPool2d, maxPool2dBackward, poolOutputSize, type Isa, type Pool2dGeometry,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

const SHAPES: Pool2dGeometry[] = [
  { planes: 1, H: 5, W: 5, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
  { planes: 7, H: 28, W: 28, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
  { planes: 13, H: 11, W: 21, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
  { planes: 5, H: 10, W: 14, KH: 3, KW: 3, strideH: 3, strideW: 3, padH: 0, padW: 0 },
  { planes: 5, H: 13, W: 17, KH: 3, KW: 3, strideH: 2, strideW: 1, padH: 1, padW: 1, ceilMode: true },
];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`fused max pooling across threads (${isa})`, () => {
    it('relu + max pooling and the gradient (tiled: one pass; overlapping: fill and scatter)', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(21);
      await splittingEverything(async () => {
        for (const g of SHAPES) {
          const { OH, OW } = poolOutputSize(g, 'test');
          const n = g.planes * g.H * g.W;
          const m = g.planes * OH * OW;
          const x = put(k, uniform(rand, n, -1, 0.5));
          const dy = put(k, uniform(rand, m, -1, 1));
          const [y, idx, dx, sums] = [m, m, n, g.planes].map((c) => k.arena.alloc(c * 4));
          const poison = () => [[y, m], [idx, m], [dx, n], [sums, g.planes]].forEach(([p, c]) => k.arena.f32(p!, c!).fill(NaN));
          await expectSameBitsAcrossThreads(k, `relu max pooling ${g.H}x${g.W} / ${g.KH}`, poison, () => {
            maxPool2d(k, g, x, y, idx, true);
            maxPool2dBackward(k, g, dy, idx, dx, sums);
          }, [[y, m], [idx, m], [dx, n], [sums, g.planes]]);
          for (const p of [x, dy, y, idx, dx, sums]) k.arena.free(p);
        }
      });
    });

    it('cross-entropy rows, forward and backward', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(22);
      await splittingEverything(async () => {
        for (const [rows, cols] of [[1, 10], [7, 10], [37, 13], [64, 10]] as const) {
          const n = rows * cols;
          const x = put(k, uniform(rand, n, -8, 8));
          const t = k.arena.alloc(rows * 4);
          k.arena.i32(t, rows).set(Int32Array.from({ length: rows }, (_, r) => (r % 5 === 4 ? -1 : (r * 3) % cols)));
          const g = put(k, uniform(rand, rows, -1, 1));
          const [logp, loss, dx, dx1] = [n, rows, n, n].map((c) => k.arena.alloc(c * 4));
          const poison = () => [[logp, n], [loss, rows], [dx, n], [dx1, n]].forEach(([p, c]) => k.arena.f32(p!, c!).fill(NaN));
          await expectSameBitsAcrossThreads(k, `cross-entropy ${rows}x${cols}`, poison, () => {
            crossEntropyRows(k, logp, loss, x, t, rows, cols);
            crossEntropyRowsBackward(k, dx, logp, t, g, 1, 1, rows, cols);
            crossEntropyRowsBackward(k, dx1, logp, t, g, 0, 1 / rows, rows, cols);
          }, [[logp, n], [loss, rows], [dx, n], [dx1, n]]);
          for (const p of [x, t, g, logp, loss, dx, dx1]) k.arena.free(p);
        }
      });
    });

    it('channel sums of one value a row (a 1x1 convolution output\'s bias gradient)', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(23);
      await splittingEverything(async () => {
        for (const [N, C] of [[64, 120], [3, 13], [130, 7]] as const) {
          const x = put(k, uniform(rand, N * C, -1, 1));
          const out = k.arena.alloc(C * 4);
          await expectSameBitsAcrossThreads(k, `channelSums [${N}, ${C}, 1]`, () => k.arena.f32(out, C).fill(NaN), () => channelSums(k, out, x, N, C, 1), [[out, C]]);
          for (const p of [x, out]) k.arena.free(p);
        }
      });
    });
  });
}
