/**
 * The Winograd F(2x2, 3x3) backward pass by tile ranges (f32_winograd_2x2_3x3_filter_grad_tiles:
 * transforms and GEMMs of a range's chunks in the thread's cache, the ranges' filter gradients added
 * in order): the same bits at 1, 2, 3 and 4 threads with every gradient, with dw alone and with dw
 * and db, on shapes that exercise each kind of split, and within float32 error of a float64 direct
 * sum. The split itself depends on the geometry alone.
 */
import { describe, expect, it } from 'vitest';
import { conv2dBackward, conv2dBackwardReference, convOutputSize, loadKernels, winogradApplies, type Conv2dGeometry, type Isa } from '../src/index.js';
import { filterGradSplit } from '../src/ops/conv-winograd-backward.js';
import { get, mismatches, put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

const base = { strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1, KH: 3, KW: 3 };

/** [name, geometry, tile ranges, channel ranges, a chunk spans images]. */
const CASES: Array<[string, Conv2dGeometry, number, number, boolean]> = [
  ['one range in 5 channel ranges (17 outputs), 2 odd images in one chunk', { ...base, N: 2, C: 16, H: 9, W: 11, OC: 17 }, 1, 5, true],
  ['3 images of 7 x 9, 19 outputs from 17 channels, one chunk', { ...base, N: 3, C: 17, H: 7, W: 9, OC: 19 }, 1, 5, true],
  ['2 ranges x 4 channel ranges, chunks of 16 tile rows over 4 images (13 x 8 x 8)', { ...base, N: 13, C: 16, H: 8, W: 8, OC: 16 }, 2, 4, true],
  ['7 ranges of chunks of 2 tile rows, odd width (1 x 27 x 56 x 55 -> 18)', { ...base, N: 1, C: 27, H: 56, W: 55, OC: 18 }, 7, 1, false],
  ['16 ranges across 3 images, chunks of one row (3 x 16 x 70 x 70, pad 0 by 2)', { ...base, N: 3, C: 16, H: 70, W: 70, OC: 16, padH: 0, padW: 2 }, 16, 1, false],
];

describe('filterGradSplit', () => {
  it('depends on the geometry alone and covers every tile row and output channel once', () => {
    for (const [name, g, ranges, channels] of CASES) {
      const OH = convOutputSize(g.H, 3, 1, g.padH);
      const OW = convOutputSize(g.W, 3, 1, g.padW);
      const s = filterGradSplit(g, OH, OW);
      expect(s.ranges.length, name).toBe(ranges);
      expect(s.channels.length, name).toBe(channels);
      expect(s.ranges[0]![0]).toBe(0);
      expect(s.ranges.at(-1)![1]).toBe(g.N * Math.ceil(OH / 2));
      s.ranges.slice(1).forEach(([a], i) => expect(a).toBe(s.ranges[i]![1]));
      expect(s.channels.map(([a, b]) => b - a).reduce((x, y) => x + y)).toBe(g.OC);
    }
  });
});

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`Winograd backward by tile ranges (${isa})`, () => {
    for (const [name, g, , , spans] of CASES) {
      it(`${name}: the same bits on 1-4 threads, and the float64 sums`, async () => {
        expect(winogradApplies(g)).toBe(true);
        const OH = convOutputSize(g.H, 3, 1, g.padH);
        const OW = convOutputSize(g.W, 3, 1, g.padW);
        const s = filterGradSplit(g, OH, OW);
        const tilesH = Math.ceil(OH / 2);
        expect(s.rows > tilesH || tilesH % s.rows !== 0, 'a chunk spans images').toBe(spans);
        const k = await loadKernels({ isa });
        const rand = rng(21);
        const [nx, nw, ny] = [g.N * g.C * g.H * g.W, g.OC * g.C * 9, g.N * g.OC * OH * OW];
        const xs = uniform(rand, nx, -1, 1);
        const ws = uniform(rand, nw, -1, 1);
        const dys = uniform(rand, ny, -1, 1);
        const [x, w, dy] = [xs, ws, dys].map((a) => put(k, a)) as [number, number, number];
        const [dx, dw, db] = [nx, nw, g.OC].map((n) => k.arena.alloc(n * 4)) as [number, number, number];
        const poison = () => [[dx, nx], [dw, nw], [db, g.OC]].forEach(([p, n]) => k.arena.f32(p!, n!).fill(NaN));
        const outs: Array<readonly [number, number]> = [[dx, nx], [dw, nw], [db, g.OC]];
        await splittingEverything(async () => {
          await expectSameBitsAcrossThreads(k, `${name}, every gradient`, poison, () => conv2dBackward(k, g, x, w, dy, dx, dw, db), outs);
          await expectSameBitsAcrossThreads(k, `${name}, dw alone`, poison, () => conv2dBackward(k, g, x, w, dy, 0, dw, 0), [[dw, nw]]);
          await expectSameBitsAcrossThreads(k, `${name}, dw and db`, poison, () => conv2dBackward(k, g, x, w, dy, 0, dw, db), [[dw, nw], [db, g.OC]]);
        });
        const ref = conv2dBackwardReference(g, xs, ws, dys);
        poison();
        conv2dBackward(k, g, x, w, dy, dx, dw, db);
        const tol = (terms: number) => (_i: number, e: number) => 1e-5 * Math.sqrt(terms) * Math.max(1, Math.abs(e));
        expect(mismatches('dw', get(k, dw, nw), ref.dw, { tol: tol(g.N * OH * OW) })).toBe('');
        expect(mismatches('dx', get(k, dx, nx), ref.dx, { tol: tol(g.OC * 9) })).toBe('');
        expect(mismatches('db', get(k, db, g.OC), ref.db, { tol: tol(g.N * OH * OW) })).toBe('');
      });
    }
  });
}
