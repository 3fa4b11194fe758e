import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormBackward, batchNormInference, batchNormMoments, loadKernels, type Kernels } from '../src/index.js';
import { refBatchNormBackward, refBatchNormInference, refBatchNormMoments } from '../src/reference/batchnorm.js';
import { get, ISAS, mismatches, put, rng, U, uniform } from './support/arrays.js';

// [N, C, P]: one value, positions around the 4- and 8-float steps, a ResNet-like plane, P = 1 (BatchNorm1d on [N, C]).
const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [2, 3, 5], [3, 2, 8], [1, 5, 9], [2, 4, 17], [1, 7, 49], [4, 6, 1], [1, 3, 3136]];

describe.each(ISAS)('batch norm kernels (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  it.each(SHAPES)('matches the float64 reference, with and without the affine parameters: N=%i C=%i P=%i', (N, C, P) => {
    const rand = rng(N * 131 + C * 17 + P);
    const x = uniform(rand, N * C * P, -3, 3);
    const mean = uniform(rand, C, -1, 1);
    const variance = uniform(rand, C, 0.05, 4);
    const weight = uniform(rand, C, -2, 2);
    const bias = uniform(rand, C, -1, 1);
    const [px, pm, pv, pw, pb] = [x, mean, variance, weight, bias].map((a) => put(k, a)) as [number, number, number, number, number];
    const py = k.arena.alloc(x.length * 4);
    // A few ulps: the scale and shift are rounded to f32 before they are applied.
    const tol = (_i: number, e: number) => 8 * U * (Math.abs(e) + 3 * 2 * 4);
    for (const affine of [true, false]) {
      batchNormInference(k, py, px, { N, C, P, mean: pm, variance: pv, weight: affine ? pw : 0, bias: affine ? pb : 0, eps: 1e-5 });
      const want = refBatchNormInference(x, N, C, P, mean, variance, affine ? weight : null, affine ? bias : null, 1e-5);
      expect(mismatches(`affine=${affine}`, get(k, py, x.length), want, { tol })).toBe('');
    }
    // In place.
    batchNormInference(k, px, px, { N, C, P, mean: pm, variance: pv, weight: pw, bias: pb, eps: 1e-3 });
    expect(mismatches('in place', get(k, px, x.length), refBatchNormInference(x, N, C, P, mean, variance, weight, bias, 1e-3), { tol })).toBe('');
    for (const p of [px, pm, pv, pw, pb, py]) k.arena.free(p);
  });

  it.each(SHAPES)('training: moments and every gradient match the float64 reference: N=%i C=%i P=%i', (N, C, P) => {
    const rand = rng(N * 71 + C * 13 + P * 3);
    // An offset far from 0 checks that the variance is taken about the mean (no cancellation).
    const x = uniform(rand, N * C * P, 99, 101);
    const dy = uniform(rand, N * C * P, -1, 1);
    const weight = uniform(rand, C, -2, 2);
    const [px, pdy, pw] = [x, dy, weight].map((a) => put(k, a)) as [number, number, number];
    const [pm, pv, pdw, pdb] = [C, C, C, C].map((n) => k.arena.alloc(n * 4));
    const pdx = k.arena.alloc(x.length * 4);
    batchNormMoments(k, px, N, C, P, pm!, pv!);
    const ref = refBatchNormMoments(x, N, C, P);
    expect(mismatches('mean', get(k, pm!, C), ref.mean, { tol: (_i, e) => 4 * U * Math.abs(e) })).toBe('');
    // The inputs are f32 values near 100: their spread is known to about ulp(100) = 2^-17 each.
    expect(mismatches('variance', get(k, pv!, C), ref.variance, { tol: (_i, e) => 2e-5 * Math.abs(e) + 1e-9 })).toBe('');
    if (N * P > 1) {
      for (const affine of [true, false]) {
        batchNormBackward(k, px, pdy, { N, C, P, mean: pm!, variance: pv!, weight: affine ? pw : 0, eps: 1e-5, dx: pdx, dweight: pdw!, dbias: pdb! });
        const want = refBatchNormBackward(x, dy, N, C, P, affine ? weight : null, 1e-5);
        const sum = (_i: number, e: number) => 1e-4 * (Math.abs(e) + Math.sqrt(N * P));
        expect(mismatches(`dx affine=${affine}`, get(k, pdx, x.length), want.dx, { tol: (_i, e) => 1e-4 * (Math.abs(e) + 1) })).toBe('');
        expect(mismatches('dweight', get(k, pdw!, C), want.dweight, { tol: sum })).toBe('');
        expect(mismatches('dbias', get(k, pdb!, C), want.dbias, { tol: (_i, e) => 8 * U * (Math.abs(e) + N * P) })).toBe('');
      }
      // Outputs may be skipped.
      k.arena.f32(pdx, x.length).fill(7);
      batchNormBackward(k, px, pdy, { N, C, P, mean: pm!, variance: pv!, weight: pw, eps: 1e-5, dx: 0, dweight: pdw!, dbias: 0 });
      expect(get(k, pdx, x.length).every((v) => v === 7)).toBe(true);
    }
    for (const p of [px, pdy, pw, pm, pv, pdw, pdb, pdx]) k.arena.free(p!);
  });

  it('rejects bad sizes and pointers before running', () => {
    const args = { N: 1, C: 2, P: 3, mean: 0, variance: 0, weight: 0, bias: 0, eps: 1e-5 };
    expect(() => batchNormInference(k, 0, 0, { ...args, P: -1 })).toThrow('batchNormInference: P must be a non-negative integer, got -1');
    expect(() => batchNormInference(k, 16, 16, { ...args, eps: Number.NaN })).toThrow('eps must be >= 0');
    expect(() => batchNormInference(k, 16, 16, { ...args, mean: k.memory.buffer.byteLength })).toThrow('batchNormInference: mean');
    expect(() => batchNormMoments(k, 16, 0, 3, 2, 16, 16)).toThrow('batchNormMoments: no values per channel (N = 0, P = 2)');
    expect(() => batchNormBackward(k, 16, 16, { ...args, dx: 0, dweight: 0, dbias: k.memory.buffer.byteLength })).toThrow('batchNormBackward: dbias');
  });
});
