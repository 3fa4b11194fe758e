import { beforeAll, describe, expect, it } from 'vitest';
import { copy, copyStrided, loadKernels, transpose2d, type Kernels } from '../src/index.js';
import { refCopyStrided, refTranspose2d } from '../src/reference/copy.js';
import { get, ISAS, mismatches, put, rng, SIZES, uniform } from './support/arrays.js';

const contiguous = (shape: readonly number[]) => {
  const s: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
};

const permutations = (n: number): number[][] =>
  n === 1 ? [[0]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));

describe.each(ISAS)('copy (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  /** Runs copyStrided on fresh buffers and compares with the reference (offsets in elements). */
  const check = (
    label: string,
    dstLen: number,
    dstOff: number,
    ds: number[],
    srcLen: number,
    srcOff: number,
    ss: number[],
    shape: number[],
  ) => {
    const src = uniform(rng(srcLen + shape.length), srcLen, -9, 9);
    const dst0 = uniform(rng(dstLen), dstLen, 100, 200);
    const want = dst0.slice();
    refCopyStrided(want, dstOff, ds, src, srcOff, ss, shape);
    const ps = put(k, src);
    const pd = put(k, dst0);
    copyStrided(k, pd + dstOff * 4, ds, ps + srcOff * 4, ss, shape);
    expect(mismatches(label, get(k, pd, dstLen), want)).toBe('');
    k.arena.free(ps);
    k.arena.free(pd);
  };

  it('copy moves n floats, overlapping ranges included', () => {
    for (const n of SIZES) {
      const x = uniform(rng(n), n + 8, -1, 1);
      const p = put(k, x);
      const q = k.arena.alloc(n * 4);
      copy(k, q, p, n);
      expect(mismatches(`copy n=${n}`, get(k, q, n), x.subarray(0, n))).toBe('');
      copy(k, p + 12, p, n); // overlapping, forwards
      expect(mismatches(`overlapping copy n=${n}`, get(k, p + 12, n), x.subarray(0, n))).toBe('');
      k.arena.free(p);
      k.arena.free(q);
    }
  });

  it('copyStrided permutes every axis order of a rank-4 tensor', () => {
    const shape = [2, 3, 5, 7];
    const st = contiguous(shape);
    for (const p of permutations(4)) {
      const outShape = p.map((d) => shape[d]!);
      check(`permute ${p}`, 210, 0, contiguous(outShape), 210, 0, p.map((d) => st[d]!), outShape);
    }
  });

  it('copyStrided slices, concatenates, expands and flips', () => {
    // Slice x[1:3, 2:7] of a [4, 9] matrix into a contiguous [2, 5].
    check('slice', 10, 0, [5, 1], 36, 11, [9, 1], [2, 5]);
    // Slice with a step: x[:, ::2].
    check('step slice', 20, 0, [5, 1], 36, 0, [9, 2], [4, 5]);
    // Concat: write a [3, 4] block at column 5 of a [3, 11] matrix.
    check('concat', 33, 5, [11, 1], 12, 0, [4, 1], [3, 4]);
    // Expand a row [1, 9] to [6, 9], a column [6, 1] to [6, 9], a scalar to [3, 4, 5].
    check('expand row', 54, 0, [9, 1], 9, 0, [0, 1], [6, 9]);
    check('expand column', 54, 0, [9, 1], 6, 0, [1, 0], [6, 9]);
    check('expand scalar', 60, 0, [20, 5, 1], 1, 0, [0, 0, 0], [3, 4, 5]);
    check('expand middle', 2 * 7 * 33, 0, [7 * 33, 33, 1], 66, 0, [33, 0, 1], [2, 7, 33]);
    // Flip the last axis with a negative stride.
    check('flip', 24, 0, [8, 1], 24, 7, [8, -1], [3, 8]);
    // A scatter into a strided destination (the backward of a slice).
    check('strided dst', 36, 11, [9, 1], 10, 0, [5, 1], [2, 5]);
    // Rank 1..6, size-1 dims and a 2-D transpose that goes through the blocked kernel.
    check('rank 1', 17, 0, [1], 17, 0, [1], [17]);
    check('size-1 dims', 15, 0, [15, 15, 5, 1, 1], 15, 0, [15, 15, 1, 3, 1], [1, 1, 3, 5, 1]);
    check('rank 6', 2 * 3 * 2 * 3 * 2 * 3, 0, contiguous([2, 3, 2, 3, 2, 3]), 216, 0, [1, 2, 6, 12, 36, 72].reverse(), [2, 3, 2, 3, 2, 3]);
    check('transpose', 37 * 41, 0, [41, 1], 37 * 41, 0, [1, 37], [37, 41]);
    // Batched transposes (the two inner dims swap contiguity) run through the blocked kernel too.
    check('batched transpose', 3 * 37 * 41, 0, [41 * 37, 37, 1], 3 * 37 * 41, 0, [37 * 41, 1, 41], [3, 41, 37]);
    check('padded transpose', 2 * 40 * 36, 0, [40 * 36, 36, 1], 2 * 48 * 40, 5, [48 * 40, 1, 48], [2, 40, 33]);
    // Empty shapes do nothing.
    check('empty', 4, 0, [3, 1], 4, 0, [3, 1], [0, 3]);
  });

  it('copyStrided validates its arguments', () => {
    const p = k.arena.alloc(64);
    expect(() => copyStrided(k, p, [1], p, [1, 1], [2])).toThrow(/needs 1 strides/);
    expect(() => copyStrided(k, p, [1], p, [1], [-2])).toThrow(/non-negative/);
    expect(() => copyStrided(k, p, [1], p, [1 << 28], [64])).toThrow(/outside/);
    expect(() => copy(k, p, p, -1)).toThrow(/non-negative/);
    k.arena.free(p);
  });

  it('transpose2d matches the reference at tile edges and a large odd shape', () => {
    const dims = [1, 3, 4, 5, 7, 8, 9, 17, 33, 65];
    const shapes: Array<[number, number]> = dims.flatMap((r) => dims.map((c): [number, number] => [r, c]));
    shapes.push([1001, 37], [37, 1001], [256, 256]);
    for (const [r, c] of shapes) {
      const x = uniform(rng(r * 1000 + c), r * c, -1, 1);
      const px = put(k, x);
      const py = k.arena.alloc(r * c * 4);
      transpose2d(k, py, px, r, c);
      expect(mismatches(`transpose ${r}x${c}`, get(k, py, r * c), refTranspose2d(x, r, c))).toBe('');
      k.arena.free(px);
      k.arena.free(py);
    }
    transpose2d(k, 0, 0, 0, 5); // empty: no-op
  });
});
