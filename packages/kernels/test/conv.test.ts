/** Convolution and pooling kernels against direct-loop references on awkward shapes, both builds. */
import { describe, expect, it } from 'vitest';
import {
  avgPool2d, avgPool2dBackward, avgPool2dReference, conv2dBackward, conv2dBackwardReference, conv2dForward,
  conv2dReference, convColsFloats, convOutputSize, loadKernels, poolOutputSize, maxPool2d, maxPool2dBackward, maxPool2dReference,
  convKeepsColumns, denseApplies, directApplies, winogradApplies, type Conv2dGeometry, type Kernels, type Pool2dGeometry,
} from '../src/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
}

function upload(k: Kernels, a: ArrayLike<number>): number {
  const p = k.arena.alloc(Math.max(1, a.length) * 4);
  k.arena.f32(p, a.length).set(a);
  return p;
}

function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, terms: number): void {
  expect(got.length).toBe(want.length);
  const tol = 1e-5 * Math.max(1, Math.sqrt(terms));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)))) {
      throw new Error(`${name}[${i}]: expected ${want[i]}, got ${got[i]}`);
    }
  }
}

const geom = (p: Partial<Conv2dGeometry> & Pick<Conv2dGeometry, 'N' | 'C' | 'H' | 'W' | 'OC' | 'KH' | 'KW'>): Conv2dGeometry => ({
  strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...p,
});

const CASES: Array<[string, Conv2dGeometry]> = [
  ['odd sizes 3x3', geom({ N: 2, C: 3, H: 7, W: 9, OC: 5, KH: 3, KW: 3 })],
  ['stride 2 with padding', geom({ N: 2, C: 4, H: 11, W: 10, OC: 6, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
  // Rows of more than 16 outputs take im2col's row kernels, with the stride-2 vector path and its edge
  // (the last 8 inputs must fit the row); smaller outputs take the tap-table kernels (every case above and below).
  ['stride 2, 4x4, padding 1, odd width, 18 outputs a row', geom({ N: 2, C: 3, H: 9, W: 37, OC: 5, KH: 4, KW: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
  ['stride 2, 4x4, unpadded, even width, 19 outputs a row', geom({ N: 1, C: 2, H: 9, W: 40, OC: 3, KH: 4, KW: 4, strideH: 2, strideW: 2 })],
  ['stride 2 only across, 1x3, 21 outputs a row', geom({ N: 2, C: 3, H: 5, W: 41, OC: 4, KH: 1, KW: 3, strideW: 2, padW: 1 })],
  ['DCGAN-like 4x4 stride 2 on 14x14 (7x7 outputs, tap table)', geom({ N: 3, C: 5, H: 14, W: 14, OC: 6, KH: 4, KW: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
  ['dilation 2', geom({ N: 1, C: 2, H: 12, W: 13, OC: 3, KH: 3, KW: 3, dilationH: 2, dilationW: 2, padH: 2, padW: 1 })],
  ['groups 2', geom({ N: 2, C: 4, H: 8, W: 8, OC: 6, KH: 3, KW: 3, groups: 2, padH: 1, padW: 1 })],
  ['depthwise', geom({ N: 2, C: 5, H: 9, W: 7, OC: 5, KH: 3, KW: 3, groups: 5, padH: 1, padW: 1 })],
  ['1x1', geom({ N: 2, C: 7, H: 5, W: 6, OC: 9, KH: 1, KW: 1 })],
  ['1x1 stride 2', geom({ N: 1, C: 3, H: 7, W: 7, OC: 4, KH: 1, KW: 1, strideH: 2, strideW: 2 })],
  ['1x1 at batch 1 (the image is the column matrix)', geom({ N: 1, C: 9, H: 5, W: 7, OC: 6, KH: 1, KW: 1 })],
  ['1x1 at batch 1, groups 3', geom({ N: 1, C: 6, H: 3, W: 5, OC: 9, KH: 1, KW: 1, groups: 3 })],
  ['11x11 stride 4 (AlexNet conv1 shape, small)', geom({ N: 1, C: 3, H: 35, W: 37, OC: 4, KH: 11, KW: 11, strideH: 4, strideW: 4, padH: 2, padW: 2 })],
  ['5x5 LeNet conv1 with padding 2', geom({ N: 3, C: 1, H: 28, W: 28, OC: 6, KH: 5, KW: 5, padH: 2, padW: 2 })],
  ['5x5 LeNet conv1 at batch 11 (direct filter gradient in 8 runs of images)', geom({ N: 11, C: 1, H: 28, W: 28, OC: 6, KH: 5, KW: 5, padH: 2, padW: 2 })],
  ['direct forward by 2x16 tiles: 5 outputs (a last pair with a repeat), rows of 13 (one short tile)', geom({ N: 2, C: 2, H: 13, W: 13, OC: 5, KH: 3, KW: 3, padH: 1, padW: 1 })],
  ['direct forward by 2x16 tiles: 1 output, rows of 32 (two tiles)', geom({ N: 1, C: 1, H: 6, W: 32, OC: 1, KH: 3, KW: 3, padH: 1, padW: 1 })],
  ['non-square kernel and stride', geom({ N: 1, C: 2, H: 9, W: 11, OC: 3, KH: 2, KW: 4, strideH: 1, strideW: 3, padH: 1, padW: 0 })],
  ['kernel covering the whole input (LeNet C5: a dense layer)', geom({ N: 5, C: 16, H: 5, W: 5, OC: 12, KH: 5, KW: 5 })],
  ['backward in chunks (LeNet C3 at batch 9: 3 chunks of 3 images)', geom({ N: 9, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 })],
  ['backward in chunks by tap table (7x7 outputs, 19 images)', geom({ N: 19, C: 5, H: 14, W: 14, OC: 5, KH: 4, KW: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
  ['backward in chunks of 1 image, padding and dilation, 23 outputs a row', geom({ N: 5, C: 8, H: 19, W: 21, OC: 7, KH: 3, KW: 3, padH: 1, padW: 2, dilationH: 2 })],
  ['whole-input 4x6 kernel, stride 2, one image', geom({ N: 1, C: 3, H: 4, W: 6, OC: 7, KH: 4, KW: 6, strideH: 2, strideW: 2 })],
];

for (const isa of ['simd128', 'relaxed'] as const) {
  describe(`conv2d (${isa})`, async () => {
    const k = await loadKernels({ isa });

    it('follows the output-size formula (W - F + 2P) / S + 1', () => {
      expect(convOutputSize(32, 5, 1, 0)).toBe(28); // LeNet C1
      expect(convOutputSize(224, 11, 4, 2)).toBe(55); // AlexNet conv1
      expect(convOutputSize(224, 3, 1, 1)).toBe(224); // VGG "same" 3x3
      expect(convOutputSize(56, 3, 2, 1)).toBe(28); // ResNet downsampling
      expect(convOutputSize(12, 3, 1, 2, 2)).toBe(12); // dilation 2, padding 2
    });

    it.each(CASES)('forward and all three gradients: %s', (_name, g) => {
      const rnd = lcg(g.C * 31 + g.H * 7 + g.KH);
      const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
      const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
      const x = Float32Array.from({ length: g.N * g.C * g.H * g.W }, rnd);
      const w = Float32Array.from({ length: g.OC * (g.C / g.groups) * g.KH * g.KW }, rnd);
      const b = Float32Array.from({ length: g.OC }, rnd);
      const dy = Float32Array.from({ length: g.N * g.OC * OH * OW }, rnd);
      const [px, pw, pb, pdy] = [x, w, b, dy].map((a) => upload(k, a));
      const py = k.arena.alloc(dy.length * 4);
      conv2dForward(k, g, px!, pw!, pb!, py);
      const terms = (g.C / g.groups) * g.KH * g.KW;
      close('y', k.arena.f32(py, dy.length), conv2dReference(g, x, w, b), terms);
      const pdx = k.arena.alloc(x.length * 4);
      const pdw = k.arena.alloc(w.length * 4);
      const pdb = k.arena.alloc(b.length * 4);
      conv2dBackward(k, g, px!, pw!, pdy!, pdx, pdw, pdb);
      const ref = conv2dBackwardReference(g, x, w, dy);
      close('dx', k.arena.f32(pdx, x.length), ref.dx, terms);
      close('dw', k.arena.f32(pdw, w.length), ref.dw, g.N * OH * OW);
      close('db', k.arena.f32(pdb, b.length), ref.db, g.N * OH * OW);
      // Without bias.
      conv2dForward(k, g, px!, pw!, 0, py);
      close('y (no bias)', k.arena.f32(py, dy.length), conv2dReference(g, x, w, null), terms);
      // Columns kept by the forward pass give the same results with no rebuild: bit for bit when the
      // shape runs as im2col + GEMM anyway, within the tolerance when it runs another way (direct).
      const keep = k.arena.alloc(convColsFloats(g)! * 4);
      const py2 = k.arena.alloc(dy.length * 4);
      conv2dForward(k, g, px!, pw!, pb!, py2, keep);
      conv2dForward(k, g, px!, pw!, pb!, py);
      const got = [pdx, pdw, pdb].map((p, i) => k.arena.f32(p, [x.length, w.length, b.length][i]!).slice());
      conv2dBackward(k, g, px!, pw!, pdy!, pdx, pdw, pdb, keep);
      if (convKeepsColumns(g)) {
        expect(Array.from(k.arena.f32(py2, dy.length))).toEqual(Array.from(k.arena.f32(py, dy.length)));
        [pdx, pdw, pdb].forEach((p, i) => expect(Array.from(k.arena.f32(p, got[i]!.length))).toEqual(Array.from(got[i]!)));
      } else {
        close('y (kept columns)', k.arena.f32(py2, dy.length), conv2dReference(g, x, w, b), terms);
        close('dx (kept columns)', k.arena.f32(pdx, x.length), ref.dx, terms);
        close('dw (kept columns)', k.arena.f32(pdw, w.length), ref.dw, g.N * OH * OW);
      }
      for (const p of [px, pw, pb, pdy, py, pdx, pdw, pdb, keep, py2]) k.arena.free(p!);
    });

    it.each([
      ['LeNet conv2', geom({ N: 3, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5 })],
      ['3x3 pad 1, odd sizes', geom({ N: 2, C: 8, H: 15, W: 13, OC: 12, KH: 3, KW: 3, padH: 1, padW: 1 })],
      ['3x3 stride 2 pad 1', geom({ N: 4, C: 8, H: 17, W: 17, OC: 8, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
      ['dilation 2', geom({ N: 2, C: 8, H: 16, W: 16, OC: 10, KH: 3, KW: 3, padH: 2, padW: 2, dilationH: 2, dilationW: 2 })],
      ['groups 2', geom({ N: 2, C: 16, H: 12, W: 12, OC: 8, KH: 3, KW: 3, padH: 1, padW: 1, groups: 2 })],
      ['pixels not a multiple of 4 (18 x 15)', geom({ N: 1, C: 8, H: 20, W: 17, OC: 5, KH: 3, KW: 3 })],
      ['output rows narrower than a tile (7 x 3)', geom({ N: 16, C: 8, H: 9, W: 5, OC: 6, KH: 3, KW: 3 })],
      ['a row remainder of 1 with padding (7 x 13)', geom({ N: 4, C: 4, H: 8, W: 14, OC: 9, KH: 4, KW: 4, padH: 1, padW: 1 })],
      // More than 16 outputs: the four windows' taps are packed into a panel first (4 consecutive taps by
      // a transpose, the rest one by one); more than 512 taps: two blocks added as the GEMM adds them.
      ['DCGAN-like 4x4 stride 2 pad 1, 640 taps, 20 outputs', geom({ N: 13, C: 40, H: 10, W: 9, OC: 20, KH: 4, KW: 4, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
      ['3x3 dilation 2, uneven padding, 40 outputs', geom({ N: 2, C: 8, H: 13, W: 14, OC: 40, KH: 3, KW: 3, padH: 2, padW: 1, dilationH: 2, dilationW: 2 })],
      ['groups 2 with 18 outputs each, 5x3 kernel, stride 3x2', geom({ N: 9, C: 16, H: 17, W: 11, OC: 36, KH: 5, KW: 3, strideH: 3, strideW: 2, padH: 2, padW: 1, groups: 2 })],
      ['640 taps, 8 outputs (packed in two K blocks, not read by the tile, bias preset)', geom({ N: 4, C: 40, H: 12, W: 12, OC: 8, KH: 4, KW: 4 })],
    ])('forward with many taps (pixels-major GEMM on A panels written from the image): %s', (_n, g) => {
      const rnd = lcg(g.C * 5 + g.H);
      const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
      const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
      const x = Float32Array.from({ length: g.N * g.C * g.H * g.W }, rnd);
      const w = Float32Array.from({ length: g.OC * (g.C / g.groups) * g.KH * g.KW }, rnd);
      const b = Float32Array.from({ length: g.OC }, rnd);
      const n = g.N * g.OC * OH * OW;
      const [px, pw, pb] = [x, w, b].map((a) => upload(k, a));
      const py = k.arena.alloc(n * 4);
      const py2 = k.arena.alloc(n * 4);
      const keep = k.arena.alloc(convColsFloats(g)! * 4);
      conv2dForward(k, g, px!, pw!, pb!, py);
      close('y', k.arena.f32(py, n), conv2dReference(g, x, w, b), (g.C / g.groups) * g.KH * g.KW);
      // The row-major path (taken when the columns are kept) sums in the same order: identical bits.
      conv2dForward(k, g, px!, pw!, pb!, py2, keep);
      expect(Array.from(k.arena.f32(py, n))).toEqual(Array.from(k.arena.f32(py2, n)));
      conv2dForward(k, g, px!, pw!, 0, py);
      close('y (no bias)', k.arena.f32(py, n), conv2dReference(g, x, w, null), (g.C / g.groups) * g.KH * g.KW);
      for (const p of [px, pw, pb, py, py2, keep]) k.arena.free(p!);
    });

    it.each([
      ['pad 1, odd sizes, channels not multiples of 4', geom({ N: 3, C: 17, H: 7, W: 9, OC: 19, KH: 3, KW: 3, padH: 1, padW: 1 })],
      ['pad 0 by pad 2', geom({ N: 3, C: 16, H: 10, W: 5, OC: 16, KH: 3, KW: 3, padH: 0, padW: 2 })],
      ['a single pixel (batch of 48)', geom({ N: 48, C: 16, H: 1, W: 1, OC: 20, KH: 3, KW: 3, padH: 1, padW: 1 })],
      ['tile rows chunked across images (2 x 32 x 70 x 70)', geom({ N: 2, C: 32, H: 70, W: 70, OC: 16, KH: 3, KW: 3, padH: 1, padW: 1 })],
      ['64 channels at 28 x 28 (a ResNet stage-2 shape)', geom({ N: 1, C: 64, H: 28, W: 28, OC: 64, KH: 3, KW: 3, padH: 1, padW: 1 })],
    ])('Winograd F(2x2, 3x3) forward, input gradient and filter gradient: %s', (_n, g) => {
      expect(winogradApplies(g)).toBe(true);
      const rnd = lcg(g.C * 3 + g.W);
      const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
      const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
      const x = Float32Array.from({ length: g.N * g.C * g.H * g.W }, rnd);
      const w = Float32Array.from({ length: g.OC * g.C * 9 }, rnd);
      const b = Float32Array.from({ length: g.OC }, rnd);
      const dy = Float32Array.from({ length: g.N * g.OC * OH * OW }, rnd);
      const [px, pw, pb, pdy] = [x, w, b, dy].map((a) => upload(k, a));
      const py = k.arena.alloc(dy.length * 4);
      const pdx = k.arena.alloc(x.length * 4);
      const pdw = k.arena.alloc(w.length * 4);
      conv2dForward(k, g, px!, pw!, pb!, py);
      close('y', k.arena.f32(py, dy.length), conv2dReference(g, x, w, b), g.C * 9);
      conv2dForward(k, g, px!, pw!, 0, py);
      close('y (no bias)', k.arena.f32(py, dy.length), conv2dReference(g, x, w, null), g.C * 9);
      const ref = conv2dBackwardReference(g, x, w, dy);
      conv2dBackward(k, g, px!, pw!, pdy!, pdx, pdw, 0);
      close('dx', k.arena.f32(pdx, x.length), ref.dx, g.OC * 9);
      close('dw', k.arena.f32(pdw, w.length), ref.dw, g.N * OH * OW);
      // Input gradient alone (the first layer of a network asks for dw only, a frozen one for dx only).
      k.arena.f32(pdx, x.length).fill(Number.NaN);
      conv2dBackward(k, g, px!, pw!, pdy!, pdx, 0, 0);
      close('dx alone', k.arena.f32(pdx, x.length), ref.dx, g.OC * 9);
      // Filter gradient alone (Winograd's adjoint transforms around 16 GEMMs over the tiles), over stale contents.
      k.arena.f32(pdw, w.length).fill(Number.NaN);
      conv2dBackward(k, g, px!, pw!, pdy!, 0, pdw, 0);
      close('dw alone', k.arena.f32(pdw, w.length), ref.dw, g.N * OH * OW);
      for (const p of [px, pw, pb, pdy, py, pdx, pdw]) k.arena.free(p!);
    });

    it.each([
      ['LeNet C1 (1 channel, 5x5, pad 2)', geom({ N: 3, C: 1, H: 28, W: 28, OC: 6, KH: 5, KW: 5, padH: 2, padW: 2 })],
      ['row of 13 (not a multiple of 4 or 8), 5 outputs, 3 taps', geom({ N: 2, C: 3, H: 4, W: 13, OC: 5, KH: 1, KW: 1 })],
      ['one output channel, 2x3 kernel, padding 1 by 0', geom({ N: 2, C: 2, H: 9, W: 11, OC: 1, KH: 2, KW: 3, padH: 1, padW: 0 })],
      ['7 outputs, 3 channels 3x3 pad 1 (VGG conv1, small)', geom({ N: 2, C: 3, H: 10, W: 17, OC: 7, KH: 3, KW: 3, padH: 1, padW: 1 })],
      ['VGG conv1 (3 -> 64) at 48 x 48', geom({ N: 1, C: 3, H: 48, W: 48, OC: 64, KH: 3, KW: 3, padH: 1, padW: 1 })],
      ['rows of 300 (the forward pass in bands of 2 rows), 2 images, 5 outputs', geom({ N: 2, C: 3, H: 7, W: 300, OC: 5, KH: 3, KW: 3, padH: 1, padW: 1 })],
    ])('direct kernels (few taps): forward and filter gradient: %s', (_n, g) => {
      expect(directApplies(g)).toBe(true);
      const rnd = lcg(g.C * 11 + g.W + g.OC);
      const OH = convOutputSize(g.H, g.KH, 1, g.padH);
      const OW = convOutputSize(g.W, g.KW, 1, g.padW);
      const x = Float32Array.from({ length: g.N * g.C * g.H * g.W }, rnd);
      const w = Float32Array.from({ length: g.OC * g.C * g.KH * g.KW }, rnd);
      const b = Float32Array.from({ length: g.OC }, rnd);
      const dy = Float32Array.from({ length: g.N * g.OC * OH * OW }, rnd);
      const [px, pw, pb, pdy] = [x, w, b, dy].map((a) => upload(k, a));
      const py = k.arena.alloc(dy.length * 4);
      const pdx = k.arena.alloc(x.length * 4);
      const pdw = k.arena.alloc(w.length * 4);
      const taps = g.C * g.KH * g.KW;
      conv2dForward(k, g, px!, pw!, pb!, py);
      close('y', k.arena.f32(py, dy.length), conv2dReference(g, x, w, b), taps);
      conv2dForward(k, g, px!, pw!, 0, py);
      close('y (no bias)', k.arena.f32(py, dy.length), conv2dReference(g, x, w, null), taps);
      const ref = conv2dBackwardReference(g, x, w, dy);
      k.arena.f32(pdw, w.length).fill(Number.NaN);
      conv2dBackward(k, g, px!, pw!, pdy!, 0, pdw, 0);
      close('dw', k.arena.f32(pdw, w.length), ref.dw, g.N * OH * OW);
      conv2dBackward(k, g, px!, pw!, pdy!, pdx, pdw, 0);
      close('dx', k.arena.f32(pdx, x.length), ref.dx, g.OC * g.KH * g.KW);
      close('dw (with dx)', k.arena.f32(pdw, w.length), ref.dw, g.N * OH * OW);
      for (const p of [px, pw, pb, pdy, py, pdx, pdw]) k.arena.free(p!);
    });

    it('keeps the direct kernels to few taps, stride 1 and rows of 8 or more', () => {
      const base = geom({ N: 1, C: 1, H: 28, W: 28, OC: 6, KH: 5, KW: 5, padH: 2, padW: 2 });
      expect(directApplies(base)).toBe(true);
      expect(convKeepsColumns(base)).toBe(false);
      expect(directApplies({ ...base, C: 6 })).toBe(false); // LeNet C3: 150 taps
      expect(directApplies({ ...base, strideH: 2, strideW: 2 })).toBe(false);
      expect(directApplies({ ...base, dilationH: 2, dilationW: 2 })).toBe(false);
      expect(directApplies({ ...base, W: 5, padW: 0 })).toBe(false);
    });

    it('keeps Winograd to the shapes it is for', () => {
      const base = geom({ N: 1, C: 64, H: 16, W: 16, OC: 64, KH: 3, KW: 3, padH: 1, padW: 1 });
      expect(winogradApplies(base)).toBe(true);
      expect(winogradApplies({ ...base, strideH: 2, strideW: 2 })).toBe(false);
      expect(winogradApplies({ ...base, dilationH: 2, dilationW: 2 })).toBe(false);
      expect(winogradApplies({ ...base, groups: 2 })).toBe(false);
      expect(winogradApplies({ ...base, KH: 5, KW: 5 })).toBe(false);
      expect(winogradApplies({ ...base, C: 3 })).toBe(false);
      // 16 tiles of a 7x7 image: too few to repay the filter packing of each of the 16 GEMMs.
      expect(winogradApplies({ ...base, H: 7, W: 7 })).toBe(false);
      expect(winogradApplies({ ...base, N: 4, H: 7, W: 7 })).toBe(true);
    });

    it('runs a kernel covering the whole unpadded input as a dense layer (and keeps no columns for it)', () => {
      const c5 = geom({ N: 64, C: 16, H: 5, W: 5, OC: 120, KH: 5, KW: 5 });
      expect(denseApplies(c5)).toBe(true);
      expect(convKeepsColumns(c5)).toBe(false);
      expect(denseApplies({ ...c5, padH: 1, padW: 1, KH: 7, KW: 7 })).toBe(false);
      expect(denseApplies({ ...c5, H: 6 })).toBe(false);
      expect(denseApplies({ ...c5, groups: 2, OC: 16 })).toBe(false);
      // A 3x3 convolution of 3x3 images is dense before it is Winograd.
      const small = geom({ N: 64, C: 16, H: 3, W: 3, OC: 16, KH: 3, KW: 3 });
      expect(denseApplies(small) && winogradApplies(small)).toBe(true);
      const rnd = lcg(5);
      const x = Float32Array.from({ length: 64 * 16 * 9 }, rnd);
      const w = Float32Array.from({ length: 16 * 16 * 9 }, rnd);
      const [px, pw] = [x, w].map((a) => upload(k, a));
      const py = k.arena.alloc(64 * 16 * 4);
      conv2dForward(k, small, px!, pw!, 0, py);
      close('y', k.arena.f32(py, 64 * 16), conv2dReference(small, x, w, null), 16 * 9);
      for (const p of [px, pw, py]) k.arena.free(p!);
    });

    it('explains geometry that cannot work', () => {
      expect(() => conv2dForward(k, geom({ N: 1, C: 3, H: 4, W: 4, OC: 2, KH: 5, KW: 5 }), 0, 0, 0, 0)).toThrow(
        'conv2d: a 5x5 kernel (dilation 1x1) does not fit a 4x4 input with padding 0x0',
      );
      expect(() => conv2dForward(k, geom({ N: 1, C: 3, H: 4, W: 4, OC: 2, KH: 1, KW: 1, groups: 2 }), 0, 0, 0, 0)).toThrow(
        'conv2d: 3 input and 2 output channels must both be divisible by groups 2',
      );
    });
  });

  describe(`pooling (${isa})`, async () => {
    const k = await loadKernels({ isa });
    const POOLS: Array<[string, Pool2dGeometry]> = [
      ['2x2 stride 2', { planes: 6, H: 8, W: 8, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 }],
      ['3x3 stride 2, overlapping (AlexNet)', { planes: 4, H: 13, W: 13, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 0, padW: 0 }],
      ['3x3 stride 2 pad 1 (ResNet stem), odd input', { planes: 3, H: 11, W: 9, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
      ['3x3 stride 1 pad 1 (Inception branch)', { planes: 2, H: 7, W: 7, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 }],
      ['3x3 stride 2, ceil mode (GoogLeNet), odd input', { planes: 2, H: 14, W: 13, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 0, padW: 0, ceilMode: true }],
      ['2x2 stride 2, ceil mode, odd input', { planes: 2, H: 7, W: 9, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, ceilMode: true }],
      // Wide enough for the four-window vector path, with border windows on every side.
      ['3x3 stride 2 pad 1 (ResNet stem), 37x43', { planes: 2, H: 37, W: 43, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
      ['3x3 stride 1 pad 1, 19x23', { planes: 2, H: 19, W: 23, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 }],
      ['3x3 stride 2, ceil mode, 27x30', { planes: 2, H: 27, W: 30, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 0, padW: 0, ceilMode: true }],
      ['3x3 stride 1 dilation 2 pad 1, 17x26', { planes: 2, H: 17, W: 26, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 2, dilationW: 2 }],
      ['5x3 stride 3x2, 20x29 (scalar rows, vector columns)', { planes: 1, H: 20, W: 29, KH: 5, KW: 3, strideH: 3, strideW: 2, padH: 2, padW: 1 }],
      ['3x3 stride 3, 16x25 (scalar)', { planes: 1, H: 16, W: 25, KH: 3, KW: 3, strideH: 3, strideW: 3, padH: 1, padW: 1 }],
      ['5x5 stride 1 in a 4x30 input (no row fully inside)', { planes: 1, H: 4, W: 30, KH: 5, KW: 5, strideH: 1, strideW: 1, padH: 2, padW: 2 }],
    ];

    it('computes ceil-mode output sizes like PyTorch', () => {
      const g = (H: number, K: number, S: number, P: number): Pool2dGeometry => ({ planes: 1, H, W: H, KH: K, KW: K, strideH: S, strideW: S, padH: P, padW: P, ceilMode: true });
      expect(poolOutputSize(g(112, 3, 2, 0), 't').OH).toBe(56); // GoogLeNet maxpool1 (floor: 55)
      expect(poolOutputSize(g(14, 2, 2, 0), 't').OH).toBe(7);
      expect(poolOutputSize(g(5, 2, 2, 1), 't').OH).toBe(3); // a window may not start in the right padding
    });

    it.each(POOLS)('max pooling and its gradient: %s', (_n, g) => {
      const rnd = lcg(g.H * 13 + g.KH);
      const x = Float32Array.from({ length: g.planes * g.H * g.W }, rnd);
      const { OH, OW } = poolOutputSize(g, 'test');
      const px = upload(k, x);
      const py = k.arena.alloc(g.planes * OH * OW * 4);
      const pi = k.arena.alloc(g.planes * OH * OW * 4);
      maxPool2d(k, g, px, py, pi);
      const y = k.arena.f32(py, g.planes * OH * OW).slice();
      expect(Array.from(y)).toEqual(Array.from(Float32Array.from(maxPool2dReference(g, x))));
      // Gradient: each window's dy lands on its maximum.
      const dy = Float32Array.from({ length: y.length }, rnd);
      const pdy = upload(k, dy);
      const pdx = k.arena.alloc(x.length * 4);
      maxPool2dBackward(k, g, pdy, pi, pdx);
      const want = new Float64Array(x.length);
      const idx = k.arena.i32(pi, y.length);
      for (let p = 0; p < g.planes; p++)
        for (let o = 0; o < OH * OW; o++) want[p * g.H * g.W + idx[p * OH * OW + o]!] += dy[p * OH * OW + o]!;
      close('dx', k.arena.f32(pdx, x.length), want, 4);
      for (let p = 0; p < g.planes; p++)
        for (let o = 0; o < OH * OW; o++) expect(x[p * g.H * g.W + idx[p * OH * OW + o]!]).toBe(y[p * OH * OW + o]);
      for (const q of [px, py, pi, pdy, pdx]) k.arena.free(q);
    });

    // Few distinct values (many ties) and a sprinkling of NaNs, some windows all NaN: the vector
    // paths must pick the same position as the scalar scan (first maximum; NaN beats a number).
    const TIE_POOLS: Array<[string, Pool2dGeometry]> = [
      ['2x2 stride 2 (vector path and tail)', { planes: 3, H: 8, W: 23, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 }],
      ['3x3 stride 2 pad 1', { planes: 2, H: 21, W: 37, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
      ['3x3 stride 1 pad 1', { planes: 2, H: 9, W: 23, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 }],
    ];
    it.each(TIE_POOLS)('max pooling %s picks the first maximum on ties and lets NaN win, like PyTorch', (_n, g) => {
      const rnd = lcg(77);
      const x = Float32Array.from({ length: g.planes * g.H * g.W }, () => {
        const r = rnd();
        return r < -0.9 ? NaN : Math.round(r * 2);
      });
      const { OH, OW } = poolOutputSize(g, 'test');
      const px = upload(k, x);
      const py = k.arena.alloc(g.planes * OH * OW * 4);
      const pi = k.arena.alloc(g.planes * OH * OW * 4);
      maxPool2d(k, g, px, py, pi);
      const y = k.arena.f32(py, g.planes * OH * OW);
      const idx = k.arena.i32(pi, g.planes * OH * OW);
      let nans = 0;
      let ties = 0;
      for (let p = 0; p < g.planes; p++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            const cand: number[] = [];
            for (let kh = 0; kh < g.KH; kh++)
              for (let kw = 0; kw < g.KW; kw++) {
                const ih = oh * g.strideH - g.padH + kh;
                const iw = ow * g.strideW - g.padW + kw;
                if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) cand.push(ih * g.W + iw);
              }
            let at = cand[0]!;
            for (const c of cand.slice(1)) {
              const v = x[p * g.H * g.W + c]!, b = x[p * g.H * g.W + at]!;
              if (v > b || (Number.isNaN(v) && !Number.isNaN(b))) at = c;
            }
            const o = p * OH * OW + oh * OW + ow;
            const vals = cand.map((c) => x[p * g.H * g.W + c]!);
            if (vals.some(Number.isNaN)) nans++;
            else if (new Set(vals).size < vals.length) ties++;
            expect(idx[o], `plane ${p} window (${oh}, ${ow})`).toBe(at);
            expect(Object.is(y[o], x[p * g.H * g.W + at]!) || y[o] === x[p * g.H * g.W + at]).toBe(true);
          }
        }
      }
      expect(nans).toBeGreaterThan(5);
      expect(ties).toBeGreaterThan(50);
      for (const q of [px, py, pi]) k.arena.free(q);
    });

    it.each(POOLS)('average pooling and its gradient: %s', (_n, g) => {
      const rnd = lcg(g.W * 17 + g.KW);
      const x = Float32Array.from({ length: g.planes * g.H * g.W }, rnd);
      const { OH, OW } = poolOutputSize(g, 'test');
      const n = g.planes * OH * OW;
      const px = upload(k, x);
      const py = k.arena.alloc(n * 4);
      for (const include of [true, false]) {
        avgPool2d(k, g, px, py, include);
        close('y', k.arena.f32(py, n), avgPool2dReference(g, x, include), 9);
        // The backward pass is the adjoint: <dy, A x> == <A^T dy, x>.
        const dy = Float32Array.from({ length: n }, rnd);
        const pdy = upload(k, dy);
        const pdx = k.arena.alloc(x.length * 4);
        avgPool2dBackward(k, g, pdy, pdx, include);
        const ax = avgPool2dReference(g, x, include);
        const lhs = dy.reduce((s, v, i) => s + v * ax[i]!, 0);
        const dx = k.arena.f32(pdx, x.length);
        const rhs = x.reduce((s, v, i) => s + v * dx[i]!, 0);
        expect(rhs).toBeCloseTo(lhs, 4);
        k.arena.free(pdy);
        k.arena.free(pdx);
      }
      k.arena.free(px);
      k.arena.free(py);
    });
  });
}
