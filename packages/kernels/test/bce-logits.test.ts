/**
 * The fused binary cross-entropy with logits (forward and gradient) against a float64 reference over
 * every tail size and special values, and bit for bit against the single ops it replaces.
 */
import { describe, expect, it } from 'vitest';
import { bceWithLogits, bceWithLogitsBackward, binary, loadKernels, scale, unary } from '../src/index.js';
import { refBceWithLogits, refBceWithLogitsBackward } from '../src/reference/elementwise.js';
import { get, ISAS, mismatches, put, rng, SIZES, U, uniform } from './support/arrays.js';

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 1e-40, 3.4e38, -3.4e38, 100, -100, 89, -104, 20, -20, 16.6, -16.6];

/** Cases of (logits, targets): random sizes, special logits against targets 0, 1 and fractions. */
function cases(seed: number): Array<[Float32Array, Float32Array]> {
  const rand = rng(seed);
  const out: Array<[Float32Array, Float32Array]> = SIZES.map((n) => [uniform(rand, n, -30, 30), uniform(rand, n, 0, 1)]);
  for (const t of [0, 1, 0.3]) out.push([Float32Array.from(SPECIALS), new Float32Array(SPECIALS.length).fill(t)]);
  return out;
}

describe.each(ISAS)('bceWithLogits (%s)', (isa) => {
  it('matches the float64 reference, forward and backward, on every size and special values', async () => {
    const k = await loadKernels({ isa });
    for (const [x, t] of cases(7)) {
      const n = x.length;
      const [px, pt] = [put(k, x), put(k, t)];
      const out = k.arena.alloc(n * 4);
      bceWithLogits(k, out, px, pt, n);
      // x (1 - t) is rounded at the scale of x; log(1 + e) at the scale of 1; exp and log within 1e-6 relative.
      const tol = (i: number, e: number) => 4 * U * Math.max(1, Math.abs(x[i]!)) + 2e-6 * Math.abs(e);
      expect(mismatches(`loss n=${n}`, get(k, out, n), refBceWithLogits(x, t), { tol })).toBe('');
      const dy = uniform(rng(n), n, -2, 2);
      const pdy = put(k, dy);
      bceWithLogitsBackward(k, out, pdy, px, pt, n);
      const gtol = (i: number, e: number) => 2 * U * Math.abs(dy[i]!) + 2e-6 * Math.abs(e);
      expect(mismatches(`grad n=${n}`, get(k, out, n), refBceWithLogitsBackward(dy, x, t), { tol: gtol })).toBe('');
      bceWithLogitsBackward(k, pdy, pdy, px, pt, n); // in place
      expect(mismatches(`grad in place n=${n}`, get(k, pdy, n), get(k, out, n))).toBe('');
      for (const p of [px, pt, out, pdy]) k.arena.free(p);
    }
  });

  it('is bit-identical to the single ops it fuses', async () => {
    const k = await loadKernels({ isa });
    for (const [x, t] of cases(11)) {
      const n = x.length;
      const [px, pt] = [put(k, x), put(k, t)];
      const [a, b, fused] = [k.arena.alloc(n * 4), k.arena.alloc(n * 4), k.arena.alloc(n * 4)];
      const s = [n];
      // relu(x) - x t + log(exp(-|x|) + 1), as nn composed it.
      unary(k, 'abs', a, px, n);
      unary(k, 'neg', a, a, n);
      unary(k, 'exp', a, a, n);
      scale(k, a, a, n, 1, 1);
      unary(k, 'log', a, a, n);
      unary(k, 'relu', b, px, n);
      const xt = k.arena.alloc(n * 4);
      binary(k, 'mul', xt, px, s, pt, s);
      binary(k, 'sub', b, b, s, xt, s);
      binary(k, 'add', b, b, s, a, s);
      bceWithLogits(k, fused, px, pt, n);
      expect(mismatches(`loss n=${n}`, get(k, fused, n), get(k, b, n), { signedZero: true })).toBe('');
      // dy (sigmoid(x) - t)
      const dy = put(k, uniform(rng(n + 1), n, -2, 2));
      unary(k, 'sigmoid', a, px, n);
      binary(k, 'sub', a, a, s, pt, s);
      binary(k, 'mul', a, a, s, dy, s);
      bceWithLogitsBackward(k, fused, dy, px, pt, n);
      expect(mismatches(`grad n=${n}`, get(k, fused, n), get(k, a, n), { signedZero: true })).toBe('');
      for (const p of [px, pt, a, b, fused, xt, dy]) k.arena.free(p);
    }
  });

  it('rejects bad sizes and pointers with readable errors', async () => {
    const k = await loadKernels({ isa });
    expect(() => bceWithLogits(k, 0, 0, 0, -1)).toThrow(/bceWithLogits: n must be a non-negative integer, got -1/);
    expect(() => bceWithLogitsBackward(k, 0, 0, 0, 1 << 30, 4)).toThrow(/bceWithLogitsBackward: target .* is outside/);
  });
});
