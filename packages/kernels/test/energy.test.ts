/** The energy kernels against their float64 references, at awkward row lengths, on both builds. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKernels, softplusRowSum, softplusRowSumReference, type Kernels } from '../src/index.js';
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
