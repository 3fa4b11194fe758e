import { beforeAll, describe, expect, it } from 'vitest';
import {
  axpy,
  binary,
  broadcastShapes,
  clamp,
  clampBackward,
  fill,
  loadKernels,
  scale,
  unary,
  unaryBackward,
  UNARY_OPS,
  type BinaryOp,
  type Kernels,
  type UnaryOp,
} from '../src/index.js';
import {
  refAxpy,
  refBinary,
  refClamp,
  refClampBackward,
  refScale,
  refUnary,
  refUnaryBackward,
} from '../src/reference/elementwise.js';
import { get, ISAS, mismatches, put, rng, SIZES, U, uniform } from './support/arrays.js';

const BINARY_OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min'];
const UNARY: UnaryOp[] = Object.keys(UNARY_OPS) as UnaryOp[];
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 1e-40, -1e-40, 3.4e38, -3.4e38, 100, -100, 89, -104, 20, -20];

/** Input range per op, where it is defined and interesting. */
const RANGE: Record<UnaryOp, [number, number]> = {
  identity: [-10, 10],
  step: [-2, 2],
  sigmoid: [-100, 100],
  tanh: [-12, 12],
  relu: [-5, 5],
  leaky_relu: [-5, 5],
  elu: [-20, 5],
  gaussian: [-10, 10],
  exp: [-104, 89],
  log: [0, 1e4],
  neg: [-10, 10],
  abs: [-10, 10],
  sqrt: [0, 1e4],
  square: [-1e4, 1e4],
  reciprocal: [-10, 10],
};

/**
 * Tolerance of the forward ops against float64. Correctly rounded ops (sqrt, square, reciprocal, ...)
 * must match the rounded reference exactly. The SIMD polynomials promise 1e-6 relative (about 8 ulp)
 * and a few subnormal ulps absolute (results below 2^-126 lose relative precision by definition).
 */
function unaryTol(op: UnaryOp): (i: number, e: number) => number {
  switch (op) {
    case 'exp':
    case 'sigmoid':
    case 'tanh':
    case 'gaussian':
    case 'log':
    case 'elu':
      return (_, e) => 1e-6 * Math.abs(e) + 2 ** -148;
    case 'leaky_relu':
      return (_, e) => 2 * U * Math.abs(e); // alpha is rounded to f32 before the product
    default:
      return () => 0;
  }
}

const EXACT_SIGN: ReadonlySet<UnaryOp> = new Set(['identity', 'neg', 'abs', 'square', 'sqrt', 'reciprocal']);

describe.each(ISAS)('elementwise (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  it('broadcastShapes follows NumPy rules and names both shapes on error', () => {
    expect(broadcastShapes([2, 3], [3])).toEqual([2, 3]);
    expect(broadcastShapes([4, 1, 5], [3, 1])).toEqual([4, 3, 5]);
    expect(broadcastShapes([], [2, 2])).toEqual([2, 2]);
    expect(broadcastShapes([0, 1], [1, 3])).toEqual([0, 3]);
    expect(() => broadcastShapes([2, 3], [4])).toThrow(/\[2, 3\].*\[4\]/);
    expect(() => broadcastShapes([0], [2])).toThrow(/cannot be broadcast/);
  });

  const SHAPES: Array<[number[], number[]]> = [
    ...SIZES.map((n): [number[], number[]] => [[n], [n]]),
    [[10007], []],
    [[33], [1]],
    [[], [17]],
    [[1], [9]],
    [[7, 9], [9]],
    [[5, 17], [1, 17]],
    [[9], [3, 9]],
    [[7, 9], [7, 1]],
    [[33, 1], [33, 5]],
    [[3, 4, 5], [4, 1]],
    [[2, 1, 7], [3, 1]],
    [[5, 1, 3], [1, 4, 1]],
    [[4, 1], [1, 5]],
    [[2, 3, 4, 5], [3, 1, 5]],
    [[1, 5, 1, 3], [2, 1, 4, 1]],
    [[2, 1, 3, 1, 5], [1, 4, 3, 2, 1]],
    [[3, 1], [3, 1]],
    [[0, 3], [3]],
    [[2, 0], [1, 1]],
  ];

  it('binary matches the reference bit for bit on every broadcast pattern', () => {
    const rand = rng(1);
    for (const [as, bs] of SHAPES) {
      const na = as.reduce((x, y) => x * y, 1);
      const nb = bs.reduce((x, y) => x * y, 1);
      const a = uniform(rand, na, -4, 4);
      const b = uniform(rand, nb, -4, 4);
      for (let i = 0; i < na; i += 7) a[i] = SPECIALS[i % SPECIALS.length]!;
      for (let i = 0; i < nb; i += 5) b[i] = SPECIALS[(i + 3) % SPECIALS.length]!;
      for (const op of BINARY_OPS) {
        const [want, shape] = refBinary(op, a, as, b, bs);
        expect(broadcastShapes(as, bs)).toEqual(shape);
        const pa = put(k, a);
        const pb = put(k, b);
        const po = k.arena.alloc(Math.max(1, want.length) * 4);
        binary(k, op, po, pa, as, pb, bs);
        const msg = mismatches(`${op} [${as}] x [${bs}]`, get(k, po, want.length), want, { signedZero: true });
        expect(msg).toBe('');
        k.arena.free(pa);
        k.arena.free(pb);
        k.arena.free(po);
      }
    }
  });

  it('binary works in place (out is a or b)', () => {
    const rand = rng(2);
    const cases: Array<[number[], number[]]> = [[[7, 9], [9]], [[9], [7, 9]], [[33], [33]], [[3, 4], [3, 1]], [[4, 3], [2, 4, 3]]];
    for (const [as, bs] of cases) {
      const a = uniform(rand, as.reduce((x, y) => x * y, 1), -4, 4);
      const b = uniform(rand, bs.reduce((x, y) => x * y, 1), -4, 4);
      for (const op of BINARY_OPS) {
        const [want] = refBinary(op, a, as, b, bs);
        const pa = put(k, a);
        const pb = put(k, b);
        const inA = a.length === want.length;
        binary(k, op, inA ? pa : pb, pa, as, pb, bs);
        expect(mismatches(`${op} in place`, get(k, inA ? pa : pb, want.length), want)).toBe('');
        k.arena.free(pa);
        k.arena.free(pb);
      }
    }
  });

  it('binary rejects bad shapes and unknown ops with readable errors', () => {
    const p = k.arena.alloc(64);
    expect(() => binary(k, 'add', p, p, [2, 3], p, [2])).toThrow(/\[2, 3\] and \[2\]/);
    expect(() => binary(k, 'pow' as BinaryOp, p, p, [2], p, [2])).toThrow(/unknown op "pow"/);
    expect(() => binary(k, 'add', p, p, [-1], p, [1])).toThrow(/non-negative/);
    expect(() => binary(k, 'add', p, p, [1 << 30], p, [1])).toThrow(/outside/);
    k.arena.free(p);
  });

  for (const op of UNARY) {
    it(`unary ${op} matches the float64 reference over every size and special values`, () => {
      const rand = rng(100 + UNARY.indexOf(op));
      const alpha = op === 'elu' ? 1.5 : op === 'leaky_relu' ? 0.2 : undefined;
      const a = alpha ?? UNARY_OPS[op];
      const [lo, hi] = RANGE[op];
      const cases = SIZES.map((n) => uniform(rand, n, lo, hi));
      cases.push(Float32Array.from(SPECIALS));
      // Around the thresholds of each approximation.
      cases.push(Float32Array.from({ length: 401 }, (_, i) => (i - 200) / 160));
      for (const x of cases) {
        const want = refUnary(op, x, Math.fround(a));
        const px = put(k, x);
        const py = k.arena.alloc(x.length * 4);
        unary(k, op, py, px, x.length, alpha);
        const msg = mismatches(`${op} n=${x.length}`, get(k, py, x.length), want, {
          tol: unaryTol(op),
          signedZero: EXACT_SIGN.has(op),
        });
        expect(msg).toBe('');
        unary(k, op, px, px, x.length, alpha); // in place
        expect(mismatches(`${op} in place`, get(k, px, x.length), get(k, py, x.length))).toBe('');
        k.arena.free(px);
        k.arena.free(py);
      }
    });
  }

  it('unary meets the accuracy and saturation promises of exp, tanh and sigmoid', () => {
    const x = Float32Array.from([-200, -100, -50, 50, 100, 88.7, 88.8, 1e-8, -1e-8, 0.3, -0.3]);
    const run = (op: UnaryOp) => {
      const px = put(k, x);
      const py = k.arena.alloc(x.length * 4);
      unary(k, op, py, px, x.length);
      const y = get(k, py, x.length);
      k.arena.free(px);
      k.arena.free(py);
      return y;
    };
    const e = run('exp');
    expect(e[0]).toBe(0);
    expect(e[6]).toBe(Infinity);
    expect(Number.isFinite(e[5]!)).toBe(true);
    const t = run('tanh');
    expect([t[2], t[3]]).toEqual([-1, 1]);
    expect(Math.abs(t[7]! - 1e-8)).toBeLessThan(1e-7 * 1e-8 + 1e-15);
    const s = run('sigmoid');
    expect(s[1]).toBeGreaterThanOrEqual(0);
    expect(s[1]).toBeLessThan(1e-40);
    expect([s[3], s[4]]).toEqual([1, 1]);
  });

  for (const op of UNARY) {
    it(`unaryBackward ${op} matches dy * f'(x) with PyTorch's conventions`, () => {
      const rand = rng(200 + UNARY.indexOf(op));
      const alpha = op === 'elu' ? 1.5 : op === 'leaky_relu' ? 0.2 : undefined;
      const a = Math.fround(alpha ?? UNARY_OPS[op]);
      const [lo, hi] = RANGE[op];
      const cases = SIZES.map((n) => uniform(rand, n, Math.max(lo, -30), Math.min(hi, 30)));
      cases.push(Float32Array.from([0, -0, 1, -1, 2, -2, 0.5, 3]));
      for (const x of cases) {
        const n = x.length;
        if (op === 'log' || op === 'sqrt') for (let i = 0; i < n; i++) x[i] = Math.abs(x[i]!) + 0.01;
        const dy = uniform(rand, n, -2, 2);
        const px = put(k, x);
        const py = k.arena.alloc(n * 4);
        unary(k, op, py, px, n, alpha);
        const y = get(k, py, n);
        const pdy = put(k, dy);
        const pdx = k.arena.alloc(n * 4);
        unaryBackward(k, op, pdx, pdy, px, py, n, alpha);
        const want = refUnaryBackward(op, dy, x, y, a);
        // Each formula is at most four float32 roundings of products of its terms; tanh's 1 - y^2
        // can cancel, so its error scales with |dy| rather than with the result; subnormal results
        // (gaussian far out) carry an absolute error of a few 2^-149.
        const tol = (i: number, e: number) =>
          4 * U * (Math.abs(e) + (op === 'tanh' || op === 'sigmoid' ? Math.abs(dy[i]!) : 0)) + 2 ** -146;
        expect(mismatches(`${op}' n=${n}`, get(k, pdx, n), want, { tol })).toBe('');
        unaryBackward(k, op, pdy, pdy, px, py, n, alpha); // dx aliases dy
        expect(mismatches(`${op}' in place n=${n}`, get(k, pdy, n), get(k, pdx, n))).toBe('');
        for (const p of [px, py, pdy, pdx]) k.arena.free(p);
      }
    });
  }

  it('unaryBackward follows the conventions at 0: relu, step, abs give 0', () => {
    const x = put(k, [0, -0, 0, 0]);
    const dy = put(k, [1, 1, 1, 1]);
    const dx = k.arena.alloc(16);
    for (const op of ['relu', 'step', 'abs'] as UnaryOp[]) {
      unaryBackward(k, op, dx, dy, x, x, 4);
      expect(Array.from(get(k, dx, 4)).map(Math.abs)).toEqual([0, 0, 0, 0]);
    }
    unaryBackward(k, 'leaky_relu', dx, dy, x, x, 4, 0.25);
    expect(Array.from(get(k, dx, 4))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('scale, axpy, fill, clamp and clampBackward match their references', () => {
    const rand = rng(3);
    // One rounding (or one fused multiply-add) of alpha*x + beta.
    const affineTol = (x: Float32Array, alpha: number, beta: number) => (i: number) =>
      2 * U * (Math.abs(Math.fround(alpha) * x[i]!) + Math.abs(beta));
    for (const n of SIZES) {
      const x = uniform(rand, n, -3, 3);
      const y = uniform(rand, n, -3, 3);
      const px = put(k, x);
      const py = put(k, y);
      const po = k.arena.alloc(n * 4);

      scale(k, po, px, n, 1.7, -0.3);
      expect(mismatches(`scale n=${n}`, get(k, po, n), refScale(x, 1.7, -0.3), { tol: affineTol(x, 1.7, -0.3) })).toBe('');
      scale(k, po, px, n, -2);
      expect(mismatches(`scale(beta=0) n=${n}`, get(k, po, n), refScale(x, -2, 0))).toBe('');

      axpy(k, py, px, n, 0.7);
      expect(mismatches(`axpy n=${n}`, get(k, py, n), refAxpy(y, x, 0.7), { tol: (i) => 2 * U * (Math.abs(y[i]!) + Math.abs(0.7 * x[i]!)) })).toBe('');

      fill(k, po, n, -1.25);
      expect(Array.from(get(k, po, n)).every((v) => v === -1.25)).toBe(true);

      x[0] = NaN;
      if (n > 2) x[2] = 0.5;
      const px2 = put(k, x);
      clamp(k, po, px2, n, -1, 0.5);
      expect(mismatches(`clamp n=${n}`, get(k, po, n), refClamp(x, -1, 0.5))).toBe('');
      clampBackward(k, po, py, px2, n, -1, 0.5);
      expect(mismatches(`clampBackward n=${n}`, get(k, po, n), refClampBackward(get(k, py, n), x, -1, 0.5))).toBe('');
      for (const p of [px, py, po, px2]) k.arena.free(p);
    }
  });

  it('treats n = 0 as a no-op and rejects negative or fractional sizes', () => {
    const p = put(k, [5]);
    unary(k, 'exp', p, p, 0);
    scale(k, p, p, 0, 2, 1);
    fill(k, p, 0, 9);
    axpy(k, p, p, 0, 1);
    clamp(k, p, p, 0, 0, 1);
    unaryBackward(k, 'tanh', p, p, p, p, 0);
    expect(get(k, p, 1)[0]).toBe(5);
    expect(() => unary(k, 'exp', p, p, -1)).toThrow(/non-negative integer/);
    expect(() => fill(k, p, 1.5, 0)).toThrow(/non-negative integer/);
    expect(() => unary(k, 'softplus' as UnaryOp, p, p, 1)).toThrow(/unknown op "softplus"/);
    k.arena.free(p);
  });
});
