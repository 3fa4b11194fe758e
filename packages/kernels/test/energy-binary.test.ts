/**
 * The 0/1-operand kernels of the RBM step (binaryLists, binaryHalfStep, binaryOuterGrad) against their
 * float32 references bit for bit and against float64 sums, at sizes around the 4-lane and 8-column
 * panel steps and the RBM's, on both builds; the sampler's bits are bernoulliSigmoidPhilox's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bernoulliSigmoidPhilox, binaryHalfStep, binaryLists, binaryListsInts, binaryListsReference, binaryOuterGrad, binaryOuterGradReference,
  binaryProductReference, loadKernels, packB, packedBFloats, type Kernels,
} from '../src/index.js';
import { get, getI32, ISAS, mismatches, put, rng, U, uniform } from './support/arrays.js';

const KEY = { k0: 0x2468ace0, k1: 0x13579bdf, firstBlock: 5 };

/** A 0/1 matrix with about `density` ones; row 0 all ones and the last row all zeros when there are 3+ rows. */
function zeroOne(rand: () => number, rows: number, cols: number, density: number): Float32Array {
  const x = Float32Array.from({ length: rows * cols }, () => (rand() < density ? 1 : 0));
  if (rows >= 3) {
    x.fill(1, 0, cols);
    x.fill(0, (rows - 1) * cols);
  }
  return x;
}

/** Each row's list (the slots past a row's count are scratch). */
function listed(ints: Int32Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(ints.subarray(r * (cols + 1) + 1, r * (cols + 1) + 1 + ints[r * (cols + 1)]!)));
}

const bitsOf = (x: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(x).buffer));

// [rows, K, n]: K and n around the 4-lane step and the 8-column panels (1, 5, 8, 9, 13, 16, 17), and the RBM's.
const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [5, 17, 9], [2, 33, 16], [7, 9, 13], [6, 8, 17], [4, 784, 500], [3, 500, 784]];

describe.each(ISAS)('binary products (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  it('binaryLists lists the ones of 0/1 rows (-0 counts as 0) and refuses any other value', () => {
    const rand = rng(3);
    for (const [rows, cols] of [[1, 1], [3, 5], [4, 17], [64, 784]] as const) {
      const x = zeroOne(rand, rows, cols, 0.3);
      x[rows * cols - 1] = -0;
      const lists = k.arena.alloc(binaryListsInts(rows, cols) * 4), px = put(k, x);
      expect(binaryLists(k, px, rows, cols, lists)).toBe(true);
      expect(listed(getI32(k, lists, binaryListsInts(rows, cols)), rows, cols)).toEqual(listed(binaryListsReference(x, rows, cols)!, rows, cols));
      for (const bad of [0.5, 2, -1, NaN, Infinity]) {
        k.arena.f32(px, rows * cols)[Math.floor(rows * cols / 2)] = bad;
        expect(binaryLists(k, px, rows, cols, lists), `${bad} in [${rows}, ${cols}]`).toBe(false);
        expect(binaryListsReference(k.arena.f32(px, rows * cols), rows, cols)).toBeNull();
      }
      k.arena.free(px);
      k.arena.free(lists);
    }
  });

  it('binaryHalfStep: inputs are the reference bits (and the float64 product), samples bernoulliSigmoidPhilox\'s, lists the samples\'', () => {
    const rand = rng(5);
    for (const [rows, K, n] of SHAPES) {
      for (const density of [0.05, 0.3, 0.9]) {
        for (const withBias of [false, true]) {
          const label = `rows=${rows} K=${K} n=${n} density=${density} bias=${withBias}`;
          const s = zeroOne(rand, rows, K, density), B = uniform(rand, K * n, -2, 2), bias = withBias ? uniform(rand, n, -3, 3) : null;
          const ps = put(k, s), pB = put(k, B), pbias = bias === null ? 0 : put(k, bias);
          const lists = k.arena.alloc(binaryListsInts(rows, K) * 4);
          expect(binaryLists(k, ps, rows, K, lists)).toBe(true);
          const packed = packB(k, false, K, n, pB, n, k.arena.alloc(packedBFloats(k, K, n) * 4));
          const product = { lists, B: packed, bias: pbias };
          const x = k.arena.alloc(rows * n * 4), prob = k.arena.alloc(rows * n * 4), sample = k.arena.alloc(rows * n * 4), out = k.arena.alloc(binaryListsInts(rows, n) * 4);
          const wantProb = k.arena.alloc(rows * n * 4), wantSample = k.arena.alloc(rows * n * 4);
          const beta = density === 0.3 ? 0.7 : 1;
          // Sigmoid alone (no key): x is the product, prob its sigmoid.
          binaryHalfStep(k, product, x, rows, n, prob, 0, 0, beta, null);
          const xs = get(k, x, rows * n);
          expect(bitsOf(xs), label).toEqual(bitsOf(binaryProductReference(s, B, bias, rows, K, n)));
          const exact = Float64Array.from({ length: rows * n }, (_, i) => {
            const r = Math.floor(i / n), c = i % n;
            let acc = bias === null ? 0 : bias[c]!;
            for (let kk = 0; kk < K; kk++) acc += s[r * K + kk]! * B[kk * n + c]!;
            return acc;
          });
          expect(mismatches(label, xs, exact, { tol: () => (K + 4) * U * (2 * K + 3) })).toBe('');
          bernoulliSigmoidPhilox(k, x, wantProb, wantSample, rows * n, beta, KEY);
          expect(bitsOf(get(k, prob, rows * n)), `${label} prob`).toEqual(bitsOf(get(k, wantProb, rows * n)));
          // With a key: the samples, the probabilities and the samples' lists, in one call.
          k.arena.f32(x, rows * n).fill(NaN);
          binaryHalfStep(k, product, x, rows, n, prob, sample, out, beta, KEY);
          expect(bitsOf(get(k, sample, rows * n)), `${label} sample`).toEqual(bitsOf(get(k, wantSample, rows * n)));
          expect(bitsOf(get(k, prob, rows * n)), `${label} prob`).toEqual(bitsOf(get(k, wantProb, rows * n)));
          expect(listed(getI32(k, out, binaryListsInts(rows, n)), rows, n), `${label} lists`).toEqual(listed(binaryListsReference(get(k, sample, rows * n), rows, n)!, rows, n));
          // Without a product: x holds the inputs already (prob aliasing x).
          binaryHalfStep(k, null, x, rows, n, x, sample, 0, beta, KEY);
          expect(bitsOf(get(k, x, rows * n)), `${label} in place`).toEqual(bitsOf(get(k, wantProb, rows * n)));
          for (const p of [ps, pB, lists, packed.ptr, x, prob, sample, out, wantProb, wantSample]) k.arena.free(p);
          if (pbias !== 0) k.arena.free(pbias);
        }
      }
    }
  });

  it('binaryOuterGrad: the reference bits and the float64 statistics, with and without the second term, fresh and accumulating', () => {
    const rand = rng(9);
    // [m, n, rowsA, rowsB]: m and n around the 4-lane step and the 16-row blocks, and the RBM's.
    for (const [m, n, rowsA, rowsB] of [[1, 1, 1, 1], [5, 7, 3, 4], [17, 9, 64, 64], [13, 21, 33, 7], [16, 4, 2, 9], [500, 784, 64, 64]] as const) {
      for (const twoTerms of [true, false]) {
        for (const accumulate of [false, true]) {
          const label = `m=${m} n=${n} rows=${rowsA}/${rowsB} twoTerms=${twoTerms} accumulate=${accumulate}`;
          const a = uniform(rand, rowsA * m, 0, 1), va = zeroOne(rand, rowsA, n, 0.2), b = uniform(rand, rowsB * m, 0, 1), vb = zeroOne(rand, rowsB, n, 0.5);
          const g0 = uniform(rand, m * n, -1, 1);
          const [alphaA, alphaB] = [1 / rowsA, 1 / rowsB];
          const pa = put(k, a), pva = put(k, va), pb = put(k, b), pvb = put(k, vb), g = put(k, g0);
          binaryOuterGrad(k, g, pa, pva, rowsA, alphaA, twoTerms ? pb : 0, twoTerms ? pvb : 0, rowsB, alphaB, m, n, accumulate);
          const got = get(k, g, m * n);
          expect(bitsOf(got), label).toEqual(bitsOf(binaryOuterGradReference(accumulate ? g0 : null, a, va, rowsA, alphaA, twoTerms ? b : null, twoTerms ? vb : null, rowsB, alphaB, m, n)));
          const exact = Float64Array.from({ length: m * n }, (_, e) => {
            const i = Math.floor(e / n), j = e % n;
            let sa = 0, sb = 0;
            for (let r = 0; r < rowsA; r++) sa += a[r * m + i]! * va[r * n + j]!;
            for (let r = 0; r < rowsB; r++) sb += b[r * m + i]! * vb[r * n + j]!;
            return (accumulate ? g0[e]! : 0) + alphaA * sa - (twoTerms ? alphaB * sb : 0);
          });
          expect(mismatches(label, got, exact, { tol: () => (rowsA + rowsB + 8) * U * 2 })).toBe('');
          for (const p of [pa, pva, pb, pvb, g]) k.arena.free(p);
        }
      }
    }
  });

  it('reject sizes out of memory and inconsistent arguments', () => {
    const p = k.arena.alloc(64 * 4), end = k.memory.buffer.byteLength - 8;
    expect(() => binaryLists(k, end, 2, 3, p)).toThrow(/binaryLists: x/);
    expect(() => binaryHalfStep(k, null, p, 2, 3, p, p, 0, 1, null)).toThrow(/binaryHalfStep: a sample needs a key/);
    expect(() => binaryHalfStep(k, null, p, 2, 3, 0, 0, 0, 1, null)).toThrow(/binaryHalfStep: nothing to write/);
    expect(() => binaryHalfStep(k, null, p, 2, 3, p, 0, p, 1, null)).toThrow(/binaryHalfStep: outLists lists a sample/);
    expect(() => binaryHalfStep(k, { lists: p, B: { ptr: p, K: 2, N: 4 }, bias: 0 }, p, 2, 3, p, 0, 0, 1, null)).toThrow(/binaryHalfStep: the product's B has 4 columns, x 3/);
    expect(() => binaryOuterGrad(k, end, p, p, 2, 1, 0, 0, 0, 0, 2, 2, false)).toThrow(/binaryOuterGrad: g/);
    k.arena.free(p);
  });
});
