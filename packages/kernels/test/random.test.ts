/**
 * Philox sampling kernels: the generator against Random123's known-answer vectors, every kernel
 * against its reference at awkward sizes (around the 4-, 16- and 64-element steps) on both builds,
 * stream splitting, and the samples against their exact distributions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bernoulliPhilox, bernoulliReference, bernoulliSigmoidPhilox, bernoulliSigmoidReference, dropoutPhilox, dropoutReference, loadKernels, normalPhilox,
  normalReference, philox4x32, philoxBlocks, uniformPhilox, uniformReference, type Kernels,
} from '../src/index.js';
import { get, ISAS, mismatches, put, rng, U, uniform } from './support/arrays.js';

const SIZES = [1, 3, 4, 5, 15, 16, 17, 31, 33, 63, 64, 65, 1001];
const KEY = { k0: 0x12345678, k1: 0x9abcdef0, firstBlock: 7 };

describe('Philox4x32-10 reference', () => {
  it('matches the Random123 known-answer vectors', () => {
    const hex = (w: number[]) => w.map((v) => v.toString(16).padStart(8, '0')).join(' ');
    expect(hex(philox4x32([0, 0, 0, 0], 0, 0))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 0xffffffff, 0xffffffff))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], 0xa4093822, 0x299f31d0))).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });
});

describe.each(ISAS)('Philox sampling kernels (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  it('uniform: bit-exact against the reference at every size', () => {
    for (const n of SIZES) {
      const out = k.arena.alloc(n * 4);
      uniformPhilox(k, out, n, KEY);
      const msg = mismatches(`uniform n=${n}`, get(k, out, n), uniformReference(n, KEY));
      expect(msg).toBe('');
    }
  });

  it('a stream split at a multiple of 16 elements gives the same samples as one call', () => {
    const n = 100;
    const whole = k.arena.alloc(n * 4), parts = k.arena.alloc(n * 4);
    normalPhilox(k, 0, whole, n, 1, KEY);
    normalPhilox(k, 0, parts, 32, 1, KEY);
    normalPhilox(k, 0, parts + 128, n - 32, 1, { ...KEY, firstBlock: KEY.firstBlock + philoxBlocks(32) });
    expect(Array.from(get(k, parts, n))).toEqual(Array.from(get(k, whole, n)));
  });

  it('bernoulli: bit-exact against the reference (including 0, 1, out-of-range and NaN probabilities)', () => {
    const rand = rng(3);
    for (const n of SIZES) {
      const p = uniform(rand, n, -0.1, 1.1);
      if (n > 4) p.set([0, 1, NaN, 0.5]);
      const pp = put(k, p), out = k.arena.alloc(n * 4);
      bernoulliPhilox(k, pp, out, n, KEY);
      expect(mismatches(`bernoulli n=${n}`, get(k, out, n), bernoulliReference(p, KEY))).toBe('');
    }
  });

  it('bernoulli-sigmoid: probabilities within 4 ulp, samples equal wherever u is not within 1e-6 of the probability', () => {
    const rand = rng(4);
    for (const n of SIZES) {
      for (const beta of [1, 0.37]) {
        const x = uniform(rand, n, -12, 12);
        const px = put(k, x), prob = k.arena.alloc(n * 4), out = k.arena.alloc(n * 4);
        bernoulliSigmoidPhilox(k, px, prob, out, n, beta, KEY);
        const ref = bernoulliSigmoidReference(x, Math.fround(beta), KEY);
        expect(mismatches(`sigmoid n=${n}`, get(k, prob, n), ref.prob, { tol: (_i, e) => 8 * U * e + 1e-30 })).toBe('');
        const u = uniformReference(n, KEY);
        const got = get(k, out, n);
        for (let i = 0; i < n; i++) {
          if (Math.abs(u[i]! - ref.prob[i]!) > 1e-6 && got[i] !== ref.sample[i]) {
            throw new Error(`sample n=${n} [${i}]: expected ${ref.sample[i]}, actual ${got[i]} (u ${u[i]}, p ${ref.prob[i]})`);
          }
        }
        // Without a probability buffer, and in place over x: same samples.
        bernoulliSigmoidPhilox(k, px, 0, px, n, beta, KEY);
        expect(Array.from(get(k, px, n))).toEqual(Array.from(got));
      }
    }
  });

  it('normal: within 2e-6 (1 + |z|) of the float64 Box-Muller reference, with and without a mean', () => {
    const rand = rng(5);
    for (const n of SIZES) {
      const mean = uniform(rand, n, -3, 3);
      const pm = put(k, mean), out = k.arena.alloc(n * 4), out0 = k.arena.alloc(n * 4);
      normalPhilox(k, pm, out, n, 0.5, KEY);
      normalPhilox(k, 0, out0, n, 1, KEY);
      const z = normalReference(null, n, 1, KEY);
      const want = normalReference(mean, n, 0.5, KEY);
      expect(mismatches(`normal n=${n}`, get(k, out0, n), z, { tol: (_i, e) => 2e-6 * (1 + Math.abs(e)) })).toBe('');
      expect(mismatches(`normal+mean n=${n}`, get(k, out, n), want, { tol: (i) => 2e-6 * (1 + Math.abs(z[i]!)) + 4 * U * Math.abs(mean[i]!) })).toBe('');
    }
  });

  it('dropout: bit-exact against the reference, mask alone or times src (in place too), p = 0 and p = 1, NaN propagating', () => {
    const rand = rng(9);
    for (const n of SIZES) {
      for (const [p, scale] of [[0.5, 2], [0.6, 1 / 0.4], [0, 1], [1, 0]] as const) {
        const x = uniform(rand, n, -3, 3);
        if (n > 4) x[2] = NaN;
        const px = put(k, x), out = k.arena.alloc(n * 4);
        dropoutPhilox(k, 0, out, n, p, scale, KEY);
        expect(mismatches(`dropout mask n=${n} p=${p}`, get(k, out, n), dropoutReference(null, n, p, scale, KEY))).toBe('');
        dropoutPhilox(k, px, out, n, p, scale, KEY);
        const want = dropoutReference(x, n, p, scale, KEY);
        expect(mismatches(`dropout n=${n} p=${p}`, get(k, out, n), want)).toBe('');
        dropoutPhilox(k, px, px, n, p, scale, KEY);
        expect(mismatches(`dropout in place n=${n} p=${p}`, get(k, px, n), want)).toBe('');
      }
    }
    expect(() => dropoutPhilox(k, 0, 64, 4, 1.5, 1, KEY)).toThrow(/dropoutPhilox: p must be in \[0, 1\], got 1.5/);
    expect(() => dropoutPhilox(k, 0, 64, 4, 0.5, Infinity, KEY)).toThrow(/dropoutPhilox: scale must be finite/);
  });

  it('dropout keeps each element with probability 1 - p (binomial z-score) and scales kept ones by exactly 1 / (1 - p)', () => {
    const n = 1 << 18;
    const out = k.arena.alloc(n * 4);
    for (const p of [0.1, 0.5, 0.6, 0.9]) {
      const scale = 1 / (1 - p);
      dropoutPhilox(k, 0, out, n, p, scale, { k0: 11, k1: Math.round(p * 100) });
      const m = get(k, out, n);
      let kept = 0;
      let badScale = 0;
      for (const v of m) {
        if (v !== 0) {
          kept++;
          if (v !== Math.fround(scale)) badScale++;
        }
      }
      expect(badScale).toBe(0);
      expect(Math.abs(kept - n * (1 - p)) / Math.sqrt(n * p * (1 - p))).toBeLessThan(4.5);
    }
  });

  it('samples follow their exact distributions (chi-square, binomial z-scores, Kolmogorov-Smirnov)', () => {
    const n = 1 << 18;
    const out = k.arena.alloc(n * 4);
    // Uniform: 64 bins, chi-square with 63 degrees of freedom; its 99.99th percentile is ~117.
    uniformPhilox(k, out, n, { k0: 1, k1: 2 });
    const u = get(k, out, n);
    const bins = new Float64Array(64);
    for (const v of u) bins[Math.floor(v * 64)]!++;
    const chi2 = bins.reduce((s, c) => s + (c - n / 64) ** 2 / (n / 64), 0);
    expect(chi2).toBeLessThan(117);
    // Bernoulli-sigmoid at 5 inputs: each frequency within 4.5 standard deviations of sigmoid(x).
    const xs = [-3, -0.5, 0, 1, 4];
    const x = put(k, Float32Array.from({ length: n }, (_, i) => xs[i % 5]!));
    bernoulliSigmoidPhilox(k, x, 0, out, n, 1, { k0: 3, k1: 4 });
    const s = get(k, out, n);
    xs.forEach((xv, c) => {
      const p = 1 / (1 + Math.exp(-xv));
      let hits = 0, m = 0;
      for (let i = c; i < n; i += 5) (hits += s[i]!), m++;
      expect(Math.abs(hits - m * p) / Math.sqrt(m * p * (1 - p))).toBeLessThan(4.5);
    });
    // Normal: KS distance to Phi below 1.95 / sqrt(n) (p ~ 0.001), mean and variance within 4.5 sigma.
    normalPhilox(k, 0, out, n, 1, { k0: 5, k1: 6 });
    const z = Float64Array.from(get(k, out, n)).sort();
    let d = 0, sum = 0, sq = 0;
    z.forEach((v, i) => {
      const cdf = 0.5 * (1 + erf(v / Math.SQRT2));
      d = Math.max(d, Math.abs(cdf - i / n), Math.abs(cdf - (i + 1) / n));
      sum += v;
      sq += v * v;
    });
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
    expect(Math.abs(sum / n) * Math.sqrt(n)).toBeLessThan(4.5);
    expect(Math.abs(sq / n - 1) * Math.sqrt(n / 2)).toBeLessThan(4.5);
  });

  it('rejects bad keys and sizes before any wasm runs', () => {
    expect(() => uniformPhilox(k, 0, -1, KEY)).toThrow(/n must be a non-negative integer/);
    expect(() => uniformPhilox(k, 64, 4, { k0: -1, k1: 0 })).toThrow(/k0 must be a u32/);
    expect(() => uniformPhilox(k, 64, 32, { k0: 0, k1: 0, firstBlock: 2 ** 32 - 4 })).toThrow(/pass 2\^32/);
  });
});

/** erf to ~1e-12 (Abramowitz-Stegun 7.1.26 is too coarse for a KS test at n = 2^18; use a series / continued fraction). */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax, sum = ax;
    for (let k = 1; k < 60; k++) {
      term *= (-ax * ax) / k;
      sum += term / (2 * k + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz) for large |x|.
  let f = ax, c = ax, d = 0;
  for (let k = 1; k < 200; k++) {
    const a = k / 2;
    d = ax + a * d;
    d = 1 / d;
    c = ax + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
