/**
 * Max pooling with ReLU in the same pass (maxPool2d(..., relu)) against max pooling of relu(x) by
 * the plain reference, and the one-pass gradient of windows that tile the plane
 * (f32_maxpool2d_backward_tiled) against a zero-fill and scatter, on awkward sizes: the 2x2 vector
 * path and its column tail, inputs one row or column past the last window, other tiled windows,
 * overlapping and padded windows (the fill-and-scatter path), ties, ±0 and NaNs; the planes' sums
 * the gradient pass can make (a convolution's bias gradient) against channelSums of dx, bit for bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  channelSums, loadKernels, maxPool2d, maxPool2dBackward, maxPool2dReference, poolOutputSize, poolWindowsTile, type Isa, type Kernels, type Pool2dGeometry,
} from '../src/index.js';
import { get, getI32, put, rng } from './support/arrays.js';

const geo = (planes: number, H: number, W: number, KH: number, KW: number, SH = KH, SW = KW, PH = 0, PW = 0): Pool2dGeometry => ({
  planes, H, W, KH, KW, strideH: SH, strideW: SW, padH: PH, padW: PW,
});

const SHAPES: Array<[string, Pool2dGeometry]> = [
  ['2x2, LeNet S2 (28x28)', geo(3, 28, 28, 2, 2)],
  ['2x2, LeNet S4 (10x10: 5 windows a row, vector path + tail 1)', geo(4, 10, 10, 2, 2)],
  ['2x2, odd input (a row and a column past the last window)', geo(2, 9, 19, 2, 2)],
  ['2x2, 1 window a row', geo(3, 2, 3, 2, 2)],
  ['2x2, 8 windows a row (two vector groups)', geo(2, 4, 16, 2, 2)],
  ['3x3 stride 3, 11x14 (tiled, scalar)', geo(2, 11, 14, 3, 3)],
  ['2x3 stride 2x3, 7x13 (tiled, non-square)', geo(2, 7, 13, 2, 3)],
  ['1x1 stride 1 (tiled, every input its own window)', geo(1, 3, 5, 1, 1)],
  ['3x3 stride 2 pad 1 (overlapping: fill and scatter)', geo(2, 11, 9, 3, 3, 2, 2, 1, 1)],
  ['3x3 stride 1 pad 1, 9x23 (vector windows, overlapping)', geo(2, 9, 23, 3, 3, 1, 1, 1, 1)],
];

/** Values with ties, both zeros, negatives and a few NaNs; the first plane has no positive value. */
function values(g: Pool2dGeometry, seed: number): Float32Array {
  const rand = rng(seed);
  return Float32Array.from({ length: g.planes * g.H * g.W }, (_, i) => {
    const r = rand();
    if (r < 0.03) return NaN;
    if (r < 0.1) return -0;
    if (r < 0.15) return 0;
    const v = Math.round((r - 0.6) * 8) / 4;
    return i < g.H * g.W ? -Math.abs(v) : v;
  });
}

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`fused max pooling (${isa})`, () => {
    let k: Kernels;
    beforeAll(async () => {
      k = await loadKernels({ isa });
    });

    it.each(SHAPES)('relu then max pooling in one pass: %s', (_n, g) => {
      const x = values(g, g.H * 31 + g.W);
      const { OH, OW } = poolOutputSize(g, 'test');
      const m = g.planes * OH * OW;
      const px = put(k, x);
      const [py, pi, py0, pi0] = [m, m, m, m].map((c) => k.arena.alloc(c * 4));
      maxPool2d(k, g, px, py, pi, true);
      maxPool2d(k, g, px, py0, pi0, false);
      const y = get(k, py, m);
      const idx = getI32(k, pi, m);
      const plain = get(k, py0, m);
      const plainIdx = getI32(k, pi0, m);
      const want = maxPool2dReference(g, x.map((v) => (v < 0 ? 0 : v)));
      let closed = 0;
      for (let o = 0; o < m; o++) {
        const where = `window ${o}: x max ${plain[o]}`;
        if (Number.isNaN(plain[o]!)) {
          // NaN wins and passes, at the plain pooling's position.
          expect(y[o], where).toBeNaN();
          expect(idx[o], where).toBe(plainIdx[o]);
        } else if (plain[o]! > 0) {
          expect(y[o], where).toBe(want[o]);
          expect(idx[o], where).toBe(plainIdx[o]);
        } else {
          // A non-positive maximum: +0 and no winner.
          closed++;
          expect(Object.is(y[o], 0), where).toBe(true);
          expect(idx[o], where).toBe(-1);
          expect(want[o] === 0, where).toBe(true);
        }
      }
      expect(closed).toBeGreaterThan(0);
      for (const q of [px, py, pi, py0, pi0]) k.arena.free(q);
    });

    it.each(SHAPES)('gradient, dx overwritten in one pass where windows tile: %s', (_n, g) => {
      const n = g.planes * g.H * g.W;
      const x = values(g, g.W * 7 + g.KH);
      const { OH, OW } = poolOutputSize(g, 'test');
      expect(poolWindowsTile(g, OH, OW)).toBe(g.strideH === g.KH && g.padH === 0);
      const m = g.planes * OH * OW;
      const rand = rng(5);
      const dy = Float32Array.from({ length: m }, (_, i) => (i % 11 === 3 ? NaN : rand() - 0.5));
      const [px, pdy] = [put(k, x), put(k, dy)];
      const [py, pi, pdx, psums] = [m, m, n, g.planes].map((c) => k.arena.alloc(c * 4));
      for (const relu of [false, true]) {
        maxPool2d(k, g, px, py, pi, relu);
        const idx = getI32(k, pi, m);
        k.arena.f32(pdx, n).fill(7); // stale contents: every element must be written
        maxPool2dBackward(k, g, pdy, pi, pdx);
        const want = new Float32Array(n);
        for (let p = 0; p < g.planes; p++)
          for (let o = 0; o < OH * OW; o++) {
            const at = idx[p * OH * OW + o]!;
            if (at >= 0) want[p * g.H * g.W + at]! += dy[p * OH * OW + o]!;
          }
        const dx = get(k, pdx, n);
        for (let i = 0; i < n; i++) {
          if (!Object.is(dx[i], want[i]) && !(dx[i] === 0 && want[i] === 0)) expect.fail(`relu ${relu}, dx[${i}] = ${dx[i]}, expected ${want[i]}`);
        }
        // The same pass with the planes' sums: dx the same bits, and each sum the bits channelSums
        // gives for its plane of dx (a convolution's bias gradient from the unfused pass).
        k.arena.f32(pdx, n).fill(7);
        k.arena.f32(psums, g.planes).fill(7);
        maxPool2dBackward(k, g, pdy, pi, pdx, psums);
        expect(get(k, pdx, n)).toEqual(dx);
        const sums = get(k, psums, g.planes);
        const one = k.arena.alloc(4);
        for (let p = 0; p < g.planes; p++) {
          channelSums(k, one, pdx + p * g.H * g.W * 4, 1, 1, g.H * g.W);
          const want = get(k, one, 1)[0]!;
          if (!Object.is(sums[p], want)) expect.fail(`relu ${relu}, plane ${p}: sum ${sums[p]}, channelSums ${want}`);
        }
        k.arena.free(one);
      }
      for (const q of [px, pdy, py, pi, pdx, psums]) k.arena.free(q);
    });
  });
}
