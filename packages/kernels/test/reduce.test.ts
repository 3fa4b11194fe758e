import { beforeAll, describe, expect, it } from 'vitest';
import { argmax, argmin, channelSums, loadKernels, reduce, type Kernels, type ReduceOp } from '../src/index.js';
import { refAbsSum, refArgReduce, refReduce } from '../src/reference/reduce.js';
import { get, getI32, ISAS, mismatches, put, rng, U, uniform } from './support/arrays.js';

const OPS: ReduceOp[] = ['sum', 'mean', 'max', 'min'];
const NS = [1, 3, 4, 5, 7, 8, 9, 17, 33, 1025];
const INNERS = [1, 2, 3, 4, 5, 7, 8, 16, 17, 33];
const SHAPES: Array<[number, number, number]> = [
  ...NS.flatMap((n) => INNERS.map((c): [number, number, number] => [2, n, c])),
  [1, 10007, 1],
  [3, 10007, 5],
  [1, 10007, 17],
  [1, 100003, 1],
  [4, 1, 1],
];

/**
 * A sum is exact up to its roundings: lanes add blocks of up to 128 terms, then the block partials
 * are added, so each result is within (128 + n / 64 + 8) u * sum |x| of the exact sum.
 */
const sumTol = (n: number, abs: number) => (136 + n / 64) * U * abs;

describe.each(ISAS)('reduce (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  it('sum, mean, max and min match float64 for every [outer, n, inner]', () => {
    const rand = rng(21);
    for (const [outer, n, inner] of SHAPES) {
      const x = uniform(rand, outer * n * inner, -1, 3);
      const px = put(k, x);
      const po = k.arena.alloc(outer * inner * 4);
      const abs = refAbsSum(x, outer, n, inner);
      for (const op of OPS) {
        reduce(k, op, po, px, outer, n, inner);
        const want = refReduce(op, x, outer, n, inner);
        const tol =
          op === 'sum' ? (i: number) => sumTol(n, abs[i]!) : op === 'mean' ? (i: number) => sumTol(n, abs[i]!) / n + U * Math.abs(want[i]!) : undefined;
        expect(mismatches(`${op} [${outer}, ${n}, ${inner}]`, get(k, po, outer * inner), want, { tol })).toBe('');
      }
      k.arena.free(px);
      k.arena.free(po);
    }
  });

  it('sums a long row of ones exactly and stays accurate on a long cancelling row', () => {
    const n = 1 << 20;
    const px = put(k, new Float32Array(n).fill(1));
    const po = k.arena.alloc(4);
    reduce(k, 'sum', po, px, 1, n, 1);
    expect(get(k, po, 1)[0]).toBe(n);
    const x = uniform(rng(22), n, -1, 1);
    const px2 = put(k, x);
    reduce(k, 'sum', po, px2, 1, n, 1);
    const want = refReduce('sum', x, 1, n, 1)[0]!;
    // The two-level sum does far better than the naive n u bound (which would be 0.06 here).
    expect(Math.abs(get(k, po, 1)[0]! - want)).toBeLessThan(sumTol(n, refAbsSum(x, 1, n, 1)[0]!));
    for (const p of [px, po, px2]) k.arena.free(p);
  });

  it('max and min propagate NaN; mean of an empty axis is NaN and sum is 0', () => {
    for (const [outer, n, inner] of [[1, 9, 1], [2, 33, 1], [1, 5, 7], [2, 4, 16]] as const) {
      for (const at of [0, n - 1, Math.floor(n / 2)]) {
        const x = uniform(rng(23), outer * n * inner, -1, 1);
        x[at * inner + (inner - 1)] = NaN;
        const px = put(k, x);
        const po = k.arena.alloc(outer * inner * 4);
        for (const op of ['max', 'min'] as const) {
          reduce(k, op, po, px, outer, n, inner);
          expect(mismatches(`${op} NaN at ${at}`, get(k, po, outer * inner), refReduce(op, x, outer, n, inner))).toBe('');
        }
        k.arena.free(px);
        k.arena.free(po);
      }
    }
    const po = k.arena.alloc(12);
    reduce(k, 'sum', po, po, 1, 0, 3);
    expect(Array.from(get(k, po, 3))).toEqual([0, 0, 0]);
    reduce(k, 'mean', po, po, 3, 0, 1);
    for (const v of get(k, po, 3)) expect(v).toBeNaN();
    expect(() => reduce(k, 'max', po, po, 1, 0, 3)).toThrow(/empty axis/);
    expect(() => reduce(k, 'sum', po, po, 1, -2, 3)).toThrow(/n must be a non-negative integer/);
    expect(() => reduce(k, 'prod' as ReduceOp, po, po, 1, 1, 1)).toThrow(/unknown op "prod"/);
    k.arena.free(po);
  });

  it('channelSums (a bias gradient) matches float64 and gives the bits of the two reductions it replaces', () => {
    const rand = rng(25);
    // One image, one pixel, odd channels, pixels around the 16-lane step, more images than a 128-row block.
    for (const [N, C, P] of [[1, 1, 1], [1, 3, 17], [5, 7, 1], [130, 9, 1], [64, 120, 1], [3, 6, 784], [64, 16, 100], [130, 5, 33], [2, 3, 1025]]) {
      const x = uniform(rand, N * C * P, -1, 3);
      const px = put(k, x);
      const out = k.arena.alloc(C * 4);
      channelSums(k, out, px, N, C, P);
      const want = new Float32Array(C);
      const abs = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let n = 0; n < N; n++) for (let p = 0; p < P; p++) {
          s += x[(n * C + c) * P + p]!;
          abs[c] += Math.abs(x[(n * C + c) * P + p]!);
        }
        want[c] = s;
      }
      const got = get(k, out, C);
      expect(mismatches(`channelSums [${N}, ${C}, ${P}]`, got, want, { tol: (i) => sumTol(N * P, abs[i]!) })).toBe('');
      const rows = k.arena.alloc(N * C * 4);
      const two = k.arena.alloc(C * 4);
      reduce(k, 'sum', rows, px, N * C, P, 1);
      reduce(k, 'sum', two, rows, 1, N, C);
      expect(Array.from(got)).toEqual(Array.from(get(k, two, C)));
      for (const p of [px, out, rows, two]) k.arena.free(p);
    }
  });

  it('argmax and argmin give the first index on ties, and the first NaN', () => {
    const rand = rng(24);
    for (const [outer, n, inner] of SHAPES.filter(([, n]) => n < 20000)) {
      // Few distinct values so that ties are common.
      const x = Float32Array.from({ length: outer * n * inner }, () => Math.floor(rand() * 5) - 2);
      const po = k.arena.alloc(outer * inner * 4);
      for (const withNaN of [false, true]) {
        if (withNaN) for (let i = 3; i < x.length; i += 11) x[i] = NaN;
        const px = put(k, x);
        for (const isMax of [true, false]) {
          (isMax ? argmax : argmin)(k, po, px, outer, n, inner);
          const want = refArgReduce(isMax, x, outer, n, inner);
          const label = `${isMax ? 'argmax' : 'argmin'} [${outer}, ${n}, ${inner}]${withNaN ? ' with NaN' : ''}`;
          expect(mismatches(label, getI32(k, po, outer * inner), want)).toBe('');
        }
        k.arena.free(px);
      }
      k.arena.free(po);
    }
    const p = k.arena.alloc(16);
    expect(() => argmax(k, p, p, 1, 0, 1)).toThrow(/empty axis/);
    k.arena.free(p);
  });
});
