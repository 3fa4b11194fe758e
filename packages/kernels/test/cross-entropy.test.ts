/**
 * Fused cross-entropy against class labels: the forward pass gives log-softmax's bits and picks the
 * target's negative log-probability; the backward pass gives the bits of log-softmax's backward pass
 * fed NLL's gradient, and matches c * (softmax - onehot) in float64. Every width around the vector
 * steps, targets in every lane and the tail, ignored rows, per-row and shared gradients.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropyRows, crossEntropyRowsBackward, loadKernels, logSoftmaxRows, logSoftmaxRowsBackward, type Kernels } from '../src/index.js';
import { get, ISAS, mismatches, put, rng, SIZES, U, uniform } from './support/arrays.js';

const SHAPES: Array<[number, number]> = [...SIZES.map((c): [number, number] => [9, c]), [64, 10], [5, 1000]];

describe.each(ISAS)('cross-entropy rows (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  it.each(SHAPES)('%i x %i: log-softmax bits, losses, and the gradient', (rows, cols) => {
    const rand = rng(rows * 100 + cols);
    const x = uniform(rand, rows * cols, -20, 20);
    // Targets walk over every column (every lane and the tail); every fourth row is ignored.
    const target = Int32Array.from({ length: rows }, (_, r) => (r % 4 === 3 ? -1 : (r * 5 + 2) % cols));
    const n = rows * cols;
    const [px, pt] = [put(k, x), k.arena.alloc(rows * 4)];
    k.arena.i32(pt, rows).set(target);
    const [logp, loss, ref, dx, dxRef, dy] = [n, rows, n, n, n, n].map((c) => k.arena.alloc(c * 4));
    crossEntropyRows(k, logp, loss, px, pt, rows, cols);
    logSoftmaxRows(k, ref, px, rows, cols);
    const lp = get(k, logp, n);
    expect(Array.from(lp)).toEqual(Array.from(get(k, ref, n)));
    const l = get(k, loss, rows);
    for (let r = 0; r < rows; r++) expect(l[r], `row ${r}`).toBe(target[r]! < 0 ? 0 : -lp[r * cols + target[r]!]!);

    for (const perRow of [false, true]) {
      const g = uniform(rand, perRow ? rows : 1, -2, 2);
      const pg = put(k, g);
      const scale = perRow ? 1 : 1 / 7;
      crossEntropyRowsBackward(k, dx, logp, pt, pg, perRow ? 1 : 0, scale, rows, cols);
      // The chain: NLL's gradient -c at the target, then log-softmax's backward pass.
      const d = new Float32Array(n);
      for (let r = 0; r < rows; r++) if (target[r]! >= 0) d[r * cols + target[r]!] = -Math.fround(g[perRow ? r : 0]! * Math.fround(scale));
      k.arena.f32(dy, n).set(d);
      logSoftmaxRowsBackward(k, dxRef, dy, logp, rows, cols);
      const got = get(k, dx, n);
      const chain = get(k, dxRef, n);
      for (let r = 0; r < rows; r++) {
        if (target[r]! < 0) chain.fill(0, r * cols, (r + 1) * cols);
      }
      expect(mismatches('dx against the chain', got, chain)).toBe('');
      // float64: c * (softmax - onehot); exp within a few ulp, one product, one difference.
      const want = new Float64Array(n);
      for (let r = 0; r < rows; r++) {
        if (target[r]! < 0) continue;
        const c = g[perRow ? r : 0]! * scale;
        let m = -Infinity;
        for (let j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j]!);
        let s = 0;
        for (let j = 0; j < cols; j++) s += Math.exp(x[r * cols + j]! - m);
        for (let j = 0; j < cols; j++) want[r * cols + j] = c * (Math.exp(x[r * cols + j]! - m) / s - (j === target[r] ? 1 : 0));
      }
      const tol = (i: number) => (16 + cols / 4) * U * Math.abs(g[perRow ? Math.floor(i / cols) : 0]! * scale) + 1e-30;
      expect(mismatches('dx against float64', got, want, { tol })).toBe('');
      k.arena.free(pg);
    }
    for (const p of [px, pt, logp, loss, ref, dx, dxRef, dy]) k.arena.free(p);
  });

  it('rejects a target outside [0, cols) before any kernel runs', () => {
    const [px, pt, logp, loss] = [k.arena.alloc(12 * 4), k.arena.alloc(3 * 4), k.arena.alloc(12 * 4), k.arena.alloc(3 * 4)];
    k.arena.i32(pt, 3).set([0, 4, 1]);
    expect(() => crossEntropyRows(k, logp, loss, px, pt, 3, 4)).toThrow(/target\[1\] is 4, expected -1 \(ignored\) or a class in \[0, 4\)/);
    for (const p of [px, pt, logp, loss]) k.arena.free(p);
  });
});
