/**
 * The chunked backward pass with no column matrix (f32_conv2d_backward_direct: stride 1, no padding,
 * KW <= 5, LeNet C3) against the direct-loop reference on awkward shapes: outputs not a multiple of 8,
 * taps not a multiple of 4, rows of 2 to 26 outputs (one to three blocks of 12 columns, a block of
 * exactly 12), KW 3 to 5, chunks of one image, one output channel; and the shapes it leaves to
 * im2col (1x1, many outputs). Both builds.
 */
import { describe, expect, it } from 'vitest';
import {
  backwardChunkImages, backwardDirectApplies, conv2dBackward, conv2dBackwardReference, convOutputSize, loadKernels,
  type Conv2dGeometry, type Isa,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';

const geom = (p: Pick<Conv2dGeometry, 'N' | 'C' | 'H' | 'W' | 'OC' | 'KH' | 'KW'>): Conv2dGeometry => ({
  strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...p,
});

const DIRECT_BACKWARD_CASES: Array<[string, Conv2dGeometry]> = [
  ['LeNet C3 at batch 9 (3 chunks of 3 images)', geom({ N: 9, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 })],
  ['5 outputs, 27 taps, rows of 5, one chunk', geom({ N: 5, C: 3, H: 9, W: 7, OC: 5, KH: 3, KW: 3 })],
  ['rows of 26 outputs (three blocks of 12), KH 2, 9 outputs, 3 chunks', geom({ N: 7, C: 7, H: 6, W: 30, OC: 9, KH: 2, KW: 5 })],
  ['KW 3, rows of 13 (a block and one column), 2 chunks', geom({ N: 9, C: 20, H: 5, W: 15, OC: 10, KH: 2, KW: 3 })],
  ['rows of exactly 12 outputs, 4x4, 17 outputs (a panel of 1)', geom({ N: 3, C: 3, H: 6, W: 15, OC: 17, KH: 4, KW: 4 })],
  ['chunks of one image (18 x 18 outputs)', geom({ N: 3, C: 6, H: 20, W: 20, OC: 4, KH: 3, KW: 3 })],
  ['one output channel, rows of 2 outputs, 120 taps', geom({ N: 4, C: 8, H: 5, W: 6, OC: 1, KH: 3, KW: 5 })],
];

function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, terms: number): void {
  expect(got.length).toBe(want.length);
  const tol = 1e-5 * Math.max(1, Math.sqrt(terms));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)))) {
      throw new Error(`${name}[${i}]: expected ${want[i]}, got ${got[i]}`);
    }
  }
}

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`conv2d backward with no column matrix (${isa})`, async () => {
    const k = await loadKernels({ isa });
    it('leaves 1x1 kernels, KW 2, padding, stride and many outputs or taps to im2col', () => {
      const lenet = geom({ N: 64, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 });
      expect(backwardDirectApplies(lenet)).toBe(true);
      for (const g of [
        geom({ N: 4, C: 64, H: 7, W: 7, OC: 16, KH: 1, KW: 1 }), geom({ N: 4, C: 6, H: 9, W: 9, OC: 8, KH: 2, KW: 2 }),
        { ...lenet, padH: 1, padW: 1 }, { ...lenet, strideH: 2, strideW: 2 }, { ...lenet, OC: 33 }, { ...lenet, C: 41 }, { ...lenet, KW: 7 },
      ]) expect(backwardDirectApplies(g)).toBe(false);
    });
    it.each(DIRECT_BACKWARD_CASES)('dx, dw, db against the reference: %s', (_name, g) => {
      const OH = convOutputSize(g.H, g.KH, 1, 0);
      const OW = convOutputSize(g.W, g.KW, 1, 0);
      expect(backwardDirectApplies(g)).toBe(true);
      expect(backwardChunkImages(g, OH * OW)).toBeGreaterThan(0);
      const rand = rng(g.C * 31 + g.W);
      const x = uniform(rand, g.N * g.C * g.H * g.W, -1, 1);
      const w = uniform(rand, g.OC * g.C * g.KH * g.KW, -1, 1);
      const dy = uniform(rand, g.N * g.OC * OH * OW, -1, 1);
      const [px, pw, pdy] = [x, w, dy].map((a) => put(k, a));
      const [pdx, pdw, pdb] = [x.length, w.length, g.OC].map((n) => k.arena.alloc(n * 4));
      // Every output overwritten: NaN before.
      for (const [p, n] of [[pdx, x.length], [pdw, w.length], [pdb, g.OC]] as const) k.arena.f32(p, n).fill(NaN);
      conv2dBackward(k, g, px!, pw!, pdy!, pdx!, pdw!, pdb!);
      const ref = conv2dBackwardReference(g, x, w, dy);
      close('dx', k.arena.f32(pdx!, x.length), ref.dx, g.OC * g.KH * g.KW);
      close('dw', k.arena.f32(pdw!, w.length), ref.dw, g.N * OH * OW);
      close('db', k.arena.f32(pdb!, g.OC), ref.db, g.N * OH * OW);
      // Each gradient alone gives the same bits.
      const both = [k.arena.f32(pdx!, x.length).slice(), k.arena.f32(pdw!, w.length).slice()];
      k.arena.f32(pdx!, x.length).fill(NaN);
      conv2dBackward(k, g, px!, pw!, pdy!, pdx!, 0, 0);
      expect(Array.from(k.arena.f32(pdx!, x.length))).toEqual(Array.from(both[0]!));
      k.arena.f32(pdw!, w.length).fill(NaN);
      conv2dBackward(k, g, px!, pw!, pdy!, 0, pdw!, 0);
      expect(Array.from(k.arena.f32(pdw!, w.length))).toEqual(Array.from(both[1]!));
      for (const p of [px, pw, pdy, pdx, pdw, pdb]) k.arena.free(p!);
    });
  });
}
