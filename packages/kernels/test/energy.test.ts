/** The energy kernels against their float64 references, at awkward row lengths, on both builds. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  aisHiddenStep, aisHiddenStepReference, aisVisibleStep, aisVisibleStepReference, axpy, bernoulliSigmoidPhilox, binary, cdBiasGrad, cdBiasGradReference, loadKernels,
  reduce, scale, softplusRowSum, softplusRowSumReference, uniformReference, type Kernels,
} from '../src/index.js';
import { get, ISAS, mismatches, put, rng, U, uniform } from './support/arrays.js';

describe.each(ISAS)('softplus row sums (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  it('match the reference for cols around the 4-lane step, betas 0, 0.3, 1, and large |x|', () => {
    const rand = rng(7);
    for (const cols of [1, 3, 4, 5, 7, 8, 9, 17, 500, 785]) {
      for (const beta of [0, 0.3, 1]) {
        const rows = 3;
        const x = uniform(rand, rows * cols, -30, 30);
        if (cols > 2) x.set([100, -100]);
        const out = k.arena.alloc(rows * 4);
        softplusRowSum(k, put(k, x), out, rows, cols, beta);
        const want = softplusRowSumReference(x, rows, cols, Math.fround(beta));
        // Each term within ~4 ulp of its magnitude (exp, log); the sum of cols terms adds cols roundings.
        const mag = (r: number) => Array.from(x.subarray(r * cols, (r + 1) * cols)).reduce((s, v) => s + Math.abs(beta * v) + 1, 0);
        expect(mismatches(`cols=${cols} beta=${beta}`, get(k, out, rows), want, { tol: (r) => (8 + cols) * U * mag(r) })).toBe('');
      }
    }
  });
});

// Rows whose element count crosses Philox groups unevenly, columns around the 4-lane step and the RBM's.
const AIS_SHAPES: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [5, 17, 3], [2, 4, 9], [7, 3, 16], [4, 500, 784], [3, 784, 500]];
const AIS_BETAS: Array<[number, number]> = [[0, 1e-3], [0.3, 0.31], [0.9, 0.90001], [0.99999, 1]];
const KEY = { k0: 0x2468ace0, k1: 0x13579bdf, firstBlock: 5 };

describe.each(ISAS)('AIS half-steps (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  it('hidden: log-weight increments match the float64 reference; samples are bernoulliSigmoidPhilox\'s at beta2', () => {
    const rand = rng(11);
    for (const [rows, cols, vcols] of AIS_SHAPES) {
      for (const [beta1, beta2] of AIS_BETAS) {
        const x = uniform(rand, rows * cols, -20, 20);
        if (rows * cols > 2) x.set([90, -90]);
        const v = Float32Array.from(uniform(rand, rows * vcols, 0, 1), (u) => (u < 0.3 ? 1 : 0));
        const d = uniform(rand, vcols, -4, 4);
        const px = put(k, x), pv = put(k, v), pd = put(k, d), inc = k.arena.alloc(rows * 4), out = k.arena.alloc(rows * cols * 4), want = k.arena.alloc(rows * cols * 4);
        aisHiddenStep(k, px, pv, pd, inc, out, rows, cols, vcols, beta1, beta2, KEY);
        const [f1, f2] = [Math.fround(beta1), Math.fround(beta2)];
        const ref = aisHiddenStepReference(x, v, d, rows, cols, vcols, f1, f2, KEY);
        // Each softplus within ~4 ulp of its magnitude; a row adds cols + vcols roundings.
        const mag = (r: number) => {
          let m = 0;
          for (let j = 0; j < cols; j++) m += (f1 + f2) * Math.abs(x[r * cols + j]!) + 2;
          for (let i = 0; i < vcols; i++) m += (f2 - f1) * Math.abs(d[i]!) * v[r * vcols + i]!;
          return m;
        };
        const label = `rows=${rows} cols=${cols} vcols=${vcols} betas=${beta1},${beta2}`;
        expect(mismatches(label, get(k, inc, rows), ref.inc, { tol: (r) => (8 + cols + vcols) * U * mag(r) })).toBe('');
        bernoulliSigmoidPhilox(k, px, 0, want, rows * cols, beta2, KEY);
        expect(Array.from(get(k, out, rows * cols)), label).toEqual(Array.from(get(k, want, rows * cols)));
        const u = uniformReference(rows * cols, KEY), got = get(k, out, rows * cols);
        for (let i = 0; i < rows * cols; i++) {
          if (Math.abs(u[i]! - ref.prob[i]!) > 1e-6 && got[i] !== ref.sample[i]) throw new Error(`${label} sample [${i}]: expected ${ref.sample[i]}, actual ${got[i]}`);
        }
        for (const p of [px, pv, pd, inc, out, want]) k.arena.free(p);
      }
    }
  });

  it('visible: logits rounded as add, scale and add; samples are bernoulliSigmoidPhilox\'s of them', () => {
    const rand = rng(12);
    for (const [rows, cols] of AIS_SHAPES) {
      for (const [, beta] of AIS_BETAS) {
        const y = uniform(rand, rows * cols, -15, 15), d = uniform(rand, cols, -3, 3), a = uniform(rand, cols, -5, 1);
        const py = put(k, y), pd = put(k, d), pa = put(k, a), out = k.arena.alloc(rows * cols * 4), want = k.arena.alloc(rows * cols * 4);
        aisVisibleStep(k, py, pd, pa, out, rows, cols, beta, KEY);
        const fb = Math.fround(beta), f = Math.fround;
        const logits = get(k, py, rows * cols);
        const label = `rows=${rows} cols=${cols} beta=${beta}`;
        for (let i = 0; i < rows * cols; i++) {
          const e = f(f(f(y[i]! + d[i % cols]!) * fb) + a[i % cols]!);
          if (!Object.is(logits[i], e)) throw new Error(`${label} logit [${i}]: expected ${e}, actual ${logits[i]}`);
        }
        const ref = aisVisibleStepReference(y, d, a, rows, cols, fb, KEY);
        expect(mismatches(label, logits, ref.logits, { tol: (i) => 4 * U * (Math.abs(y[i]!) + Math.abs(d[i % cols]!) + Math.abs(a[i % cols]!) + 1) })).toBe('');
        bernoulliSigmoidPhilox(k, py, 0, want, rows * cols, 1, KEY);
        expect(Array.from(get(k, out, rows * cols)), label).toEqual(Array.from(get(k, want, rows * cols)));
        for (const p of [py, pd, pa, out, want]) k.arena.free(p);
      }
    }
  });

  it('reject sizes out of memory and keys out of range', () => {
    const p = k.arena.alloc(64 * 4);
    expect(() => aisHiddenStep(k, p, p, p, p, p, 2, 3, 4, 0, 1, { k0: -1, k1: 0 })).toThrow(/aisHiddenStep: k0 must be a u32/);
    expect(() => aisVisibleStep(k, p, p, p, p, 1.5, 3, 1, KEY)).toThrow(/aisVisibleStep/);
    expect(() => aisVisibleStep(k, p, p, p, k.memory.buffer.byteLength - 8, 2, 3, 1, KEY)).toThrow(/aisVisibleStep/);
    k.arena.free(p);
  });
});

describe.each(ISAS)('CD bias gradient (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  // Columns around the 4-lane step and the RBMs'; rows across the 128-row partial sums and unequal batches.
  it('is the bits of the reference and (2+ columns) of the separate reduce, scale, sub and axpy ops', () => {
    const rand = rng(11);
    for (const cols of [1, 3, 4, 5, 17, 500, 784]) {
      for (const [rowsA, rowsB] of [[1, 1], [64, 64], [3, 130], [300, 257]] as const) {
        for (const accumulate of [false, true]) {
          const a = Float32Array.from(uniform(rand, rowsA * cols, 0, 1), (u) => (u < 0.3 ? 1 : u));
          const b = uniform(rand, rowsB * cols, 0, 1), g0 = uniform(rand, cols, -1, 1);
          const [alphaA, alphaB] = [1 / rowsA, 1 / rowsB];
          const pa = put(k, a), pb = put(k, b), g = put(k, g0), sa = k.arena.alloc(cols * 4), sb = k.arena.alloc(cols * 4), d = put(k, g0);
          cdBiasGrad(k, g, pa, rowsA, alphaA, pb, rowsB, alphaB, cols, accumulate);
          const label = `cols=${cols} rows=${rowsA}/${rowsB} accumulate=${accumulate}`;
          const bits = (x: ArrayLike<number>) => Array.from(x, (v) => v);
          expect(bits(get(k, g, cols)), label).toEqual(bits(cdBiasGradReference(accumulate ? g0 : null, a, rowsA, alphaA, b, rowsB, alphaB, cols)));
          // The ops RBM.contrastiveDivergence ran before: two column sums, two scalings, a difference, then axpy or copy.
          reduce(k, 'sum', sa, pa, 1, rowsA, cols);
          reduce(k, 'sum', sb, pb, 1, rowsB, cols);
          scale(k, sa, sa, cols, alphaA);
          scale(k, sb, sb, cols, alphaB);
          binary(k, 'sub', sa, sa, [cols], sb, [cols]);
          if (accumulate) axpy(k, d, sa, cols, 1);
          // (One column is a contiguous row to reduce, summed in another order: RBM keeps the separate ops there.)
          if (cols > 1) expect(bits(get(k, g, cols)), `${label} (separate ops)`).toEqual(bits(get(k, accumulate ? d : sa, cols)));
          for (const p of [pa, pb, g, sa, sb, d]) k.arena.free(p);
        }
      }
    }
  });

  it('rejects sizes out of memory', () => {
    const p = k.arena.alloc(64 * 4);
    expect(() => cdBiasGrad(k, p, p, 2.5, 1, p, 1, 1, 4, false)).toThrow(/cdBiasGrad/);
    expect(() => cdBiasGrad(k, p, k.memory.buffer.byteLength - 8, 2, 1, p, 1, 1, 4, true)).toThrow(/cdBiasGrad/);
    k.arena.free(p);
  });
});
