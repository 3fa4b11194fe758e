/**
 * The sparse kernels against their float64 references on awkward random graphs: rows without edges,
 * self-loops, repeated edges, columns no edge reads (isolated nodes), one-edge rows and a dense row,
 * at feature widths around the 4-, 8- and 16-float steps and with 1, 3 and 8 heads, on both builds.
 * Tolerances grow with the number of terms of each sum and their magnitudes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  csrAddSrcDst, csrToKernels, freeCsr, loadKernels, sddmmCsr, segmentBroadcast, segmentMax, segmentMaxBackward, segmentSoftmax,
  segmentSoftmaxBackward, segmentSum, spmmCsr, dropoutValues, type Csr, type Kernels,
} from '../src/index.js';
import {
  csrAddSrcDstReference, sddmmReference, segmentBroadcastReference, segmentMaxReference, segmentSoftmaxBackwardReference,
  segmentSoftmaxReference, segmentSumReference, spmmReference, dropoutValuesReference, type CsrArrays,
} from '../src/reference/sparse.js';
import { get, getI32, ISAS, mismatches, put, rng, U, uniform } from './support/arrays.js';

const DIMS = [1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 33];
const HEADS = [1, 3, 8];

/**
 * A random CSR of `rows` rows over `cols` columns: a third of the rows empty, the rest with 1..6
 * edges (repeats allowed, self-loops where i < cols), one row with every column; columns past
 * cols - 3 are never read (isolated nodes).
 */
function awkwardCsr(seed: number, rows: number, cols: number): CsrArrays & { cols: number } {
  const r = rng(seed);
  const rowptr = [0];
  const col: number[] = [];
  const reach = Math.max(1, cols - 3);
  for (let i = 0; i < rows; i++) {
    if (i === rows - 2 && rows > 3) for (let j = 0; j < reach; j++) col.push(j); // a dense row
    else if (r() > 0.33) {
      const n = 1 + Math.floor(r() * 6);
      for (let t = 0; t < n; t++) {
        const u = r();
        col.push(u < 0.15 && i < reach ? i : u < 0.3 && col.length > rowptr[i]! ? col[col.length - 1]! : Math.floor(r() * reach));
      }
    }
    rowptr.push(col.length);
  }
  return { rowptr: Int32Array.from(rowptr), col: Int32Array.from(col), rows, cols };
}

/** Per-element bound on the rounding of a sum of n products whose magnitudes add up to mag. */
const sumTol = (n: number, mag: number) => 2 * (n + 2) * U * mag + 1e-30;

describe.each(ISAS)('sparse kernels (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  const graphs = [
    awkwardCsr(1, 1, 1),
    awkwardCsr(2, 7, 7),
    awkwardCsr(3, 40, 40),
    awkwardCsr(4, 33, 50), // more columns than rows (bipartite, or a feature matrix)
    awkwardCsr(5, 61, 9),
    { rowptr: Int32Array.from([0, 0, 0, 0]), col: new Int32Array(0), rows: 3, cols: 4 }, // no edges at all
  ];

  const withCsr = (g: CsrArrays & { cols: number }, fn: (c: Csr) => void) => {
    const c = csrToKernels(k, g.rowptr, g.col, g.rows, g.cols);
    try {
      fn(c);
    } finally {
      freeCsr(c);
    }
  };
  const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);
  const rowCounts = (g: CsrArrays) => Array.from({ length: g.rows }, (_, i) => g.rowptr[i + 1]! - g.rowptr[i]!);
  const edgeRow = (g: CsrArrays) => {
    const out = new Int32Array(g.col.length);
    for (let i = 0; i < g.rows; i++) for (let e = g.rowptr[i]!; e < g.rowptr[i + 1]!; e++) out[e] = i;
    return out;
  };

  it('spmm (weighted, unweighted, mean) matches the reference for every width and head count', () => {
    graphs.forEach((g, gi) =>
      withCsr(g, (c) => {
        const counts = rowCounts(g);
        for (const heads of HEADS) {
          for (const dim of DIMS) {
            const w = heads * dim;
            const x = uniform(rng(gi * 100 + dim), g.cols * w, -2, 2);
            const val = uniform(rng(gi * 100 + dim + 7), g.col.length * heads, -1.5, 1.5);
            for (const [label, v, mean] of [['weighted', val, false], ['unweighted', null, false], ['mean', null, true]] as const) {
              const want = spmmReference(g, x, v, heads, dim, mean);
              const mag = spmmReference(g, abs(x), v ? abs(v) : null, heads, dim, mean);
              const px = put(k, x);
              const pv = v ? put(k, v) : 0;
              const po = put(k, new Float32Array(g.rows * w).fill(NaN));
              spmmCsr(k, c, po, px, pv, heads, dim, { mean });
              const tol = (i: number) => sumTol(counts[Math.floor(i / w)]!, mag[i]!);
              expect(mismatches(`spmm ${label} graph ${gi} heads ${heads} dim ${dim}`, get(k, po, g.rows * w), want, { tol })).toBe('');
              for (const p of [px, pv, po]) if (p) k.arena.free(p);
            }
          }
        }
      }),
    );
  });

  it('spmm reads weights through valuesAt (the transposed product of a weighted graph) as the reference does', () => {
    graphs.forEach((g, gi) => {
      // Weights stored in another order: edge e's weights are row perm[e] of val.
      const E = g.col.length;
      const perm = Int32Array.from({ length: E }, (_, e) => (e * 7 + 3) % Math.max(1, E));
      const r = rng(gi + 40);
      for (let e = E - 1; e > 0; e--) {
        const j = Math.floor(r() * (e + 1));
        [perm[e], perm[j]] = [perm[j]!, perm[e]!];
      }
      withCsr(g, (c) => {
        const at = csrToKernels(k, g.rowptr, perm, g.rows, Math.max(1, E));
        for (const heads of HEADS) {
          for (const dim of [1, 5, 16, 17]) {
            const w = heads * dim;
            const x = uniform(rng(gi + dim), g.cols * w, -2, 2);
            const val = uniform(rng(gi + dim + 1), Math.max(1, E) * heads, -1.5, 1.5);
            const want = spmmReference(g, x, val, heads, dim, false, perm);
            const mag = spmmReference(g, abs(x), abs(val), heads, dim, false, perm);
            const px = put(k, x), pv = put(k, val), po = put(k, new Float32Array(g.rows * w).fill(NaN));
            spmmCsr(k, c, po, px, pv, heads, dim, { valuesAt: at });
            const counts = rowCounts(g);
            const tol = (i: number) => sumTol(counts[Math.floor(i / w)]!, mag[i]!);
            expect(mismatches(`spmm valuesAt graph ${gi} heads ${heads} dim ${dim}`, get(k, po, g.rows * w), want, { tol })).toBe('');
            for (const p of [px, pv, po]) k.arena.free(p);
          }
        }
        freeCsr(at);
      });
    });
  });

  it('spmm gives exact zeros on rows without edges and propagates NaN', () => {
    const g = { rowptr: Int32Array.from([0, 2, 2, 3]), col: Int32Array.from([1, 1, 0]), rows: 3, cols: 2 };
    withCsr(g, (c) => {
      const px = put(k, [1, NaN, 2, 3, 4, 5]);
      const po = put(k, new Float32Array(9).fill(7));
      spmmCsr(k, c, po, px, 0, 1, 3);
      expect(Array.from(get(k, po, 9))).toEqual([6, 8, 10, 0, 0, 0, 1, NaN, 2]);
      k.arena.free(px);
      k.arena.free(po);
    });
  });

  it('sddmm matches the reference', () => {
    graphs.forEach((g, gi) =>
      withCsr(g, (c) => {
        for (const heads of HEADS) {
          for (const dim of DIMS) {
            const w = heads * dim;
            const a = uniform(rng(gi + dim), g.rows * w, -2, 2);
            const b = uniform(rng(gi + dim + 1), g.cols * w, -2, 2);
            const want = sddmmReference(g, a, b, heads, dim);
            const mag = sddmmReference(g, abs(a), abs(b), heads, dim);
            const pa = put(k, a), pb = put(k, b), po = put(k, new Float32Array(g.col.length * heads).fill(NaN));
            sddmmCsr(k, c, po, pa, pb, heads, dim);
            expect(mismatches(`sddmm graph ${gi} heads ${heads} dim ${dim}`, get(k, po, g.col.length * heads), want, { tol: (i) => sumTol(dim, mag[i]!) })).toBe('');
            for (const p of [pa, pb, po]) k.arena.free(p);
          }
        }
      }),
    );
  });

  it('segment softmax and its backward pass match the reference; every row sums to 1 per head', () => {
    graphs.forEach((g, gi) =>
      withCsr(g, (c) => {
        const counts = rowCounts(g);
        const row = edgeRow(g);
        for (const heads of [1, 2, 3, 4, 5, 8, 9]) {
          const n = g.col.length * heads;
          const src = uniform(rng(gi * 10 + heads), n, -6, 6);
          const dy = uniform(rng(gi * 10 + heads + 1), n, -1, 1);
          const want = segmentSoftmaxReference(g.rowptr, g.rows, src, heads);
          const ps = put(k, src), pd = put(k, dy), py = put(k, new Float32Array(n).fill(NaN)), pg = put(k, new Float32Array(n).fill(NaN));
          segmentSoftmax(k, c, py, ps, heads);
          const y = get(k, py, n);
          const tol = (i: number, e: number) => (counts[row[Math.floor(i / heads)]!]! + 24) * 2 * U * Math.abs(e);
          expect(mismatches(`segment softmax graph ${gi} heads ${heads}`, y, want, { tol })).toBe('');
          for (let i = 0; i < g.rows; i++) {
            for (let h = 0; h < heads && counts[i]! > 0; h++) {
              let s = 0;
              for (let e = g.rowptr[i]!; e < g.rowptr[i + 1]!; e++) s += y[e * heads + h]!;
              expect(Math.abs(s - 1)).toBeLessThan((counts[i]! + 4) * 4 * U);
            }
          }
          const wantG = segmentSoftmaxBackwardReference(g.rowptr, g.rows, y, dy, heads);
          segmentSoftmaxBackward(k, c, pg, py, pd, heads);
          const tolG = (i: number) => (counts[row[Math.floor(i / heads)]!]! + 4) * 4 * U * (Math.abs(y[i]!) * 2 + 1e-30);
          expect(mismatches(`segment softmax backward graph ${gi} heads ${heads}`, get(k, pg, n), wantG, { tol: tolG })).toBe('');
          for (const p of [ps, pd, py, pg]) k.arena.free(p);
        }
      }),
    );
  });

  it('segment sum, mean, broadcast and max (with its arg-max and backward pass) match the reference', () => {
    graphs.forEach((g, gi) =>
      withCsr(g, (c) => {
        const counts = rowCounts(g);
        const E = g.col.length;
        for (const dim of DIMS) {
          const src = uniform(rng(gi * 7 + dim), E * dim, -3, 3);
          // Ties: copy some edges' rows onto the next edge so the first one must win.
          for (let e = 0; e + 1 < E; e += 5) src.copyWithin((e + 1) * dim, e * dim, (e + 1) * dim);
          const ps = put(k, src);
          for (const mean of [false, true]) {
            const want = segmentSumReference(g.rowptr, g.rows, src, dim, mean);
            const mag = segmentSumReference(g.rowptr, g.rows, abs(src), dim, mean);
            const po = put(k, new Float32Array(g.rows * dim).fill(NaN));
            segmentSum(k, c, po, ps, dim, mean);
            const tol = (i: number) => sumTol(counts[Math.floor(i / dim)]!, mag[i]!);
            expect(mismatches(`segment ${mean ? 'mean' : 'sum'} graph ${gi} dim ${dim}`, get(k, po, g.rows * dim), want, { tol })).toBe('');
            const rowVals = uniform(rng(dim), g.rows * dim, -2, 2);
            const pr = put(k, rowVals);
            const pb = put(k, new Float32Array(E * dim).fill(NaN));
            segmentBroadcast(k, c, pb, pr, dim, mean);
            const wantB = segmentBroadcastReference(g.rowptr, g.rows, rowVals, dim, mean);
            expect(mismatches(`segment broadcast graph ${gi} dim ${dim}`, get(k, pb, E * dim), wantB, { tol: (_, e) => 2 * U * Math.abs(e) })).toBe('');
            for (const p of [po, pr, pb]) k.arena.free(p);
          }
          const ref = segmentMaxReference(g.rowptr, g.rows, src, dim);
          const po = put(k, new Float32Array(g.rows * dim).fill(NaN));
          const pa = k.arena.alloc(Math.max(1, g.rows * dim) * 4);
          segmentMax(k, c, po, pa, ps, dim);
          expect(mismatches(`segment max graph ${gi} dim ${dim}`, get(k, po, g.rows * dim), ref.out)).toBe('');
          expect(Array.from(getI32(k, pa, g.rows * dim))).toEqual(Array.from(ref.arg));
          const dout = uniform(rng(dim + 3), g.rows * dim, -1, 1);
          const pdo = put(k, dout);
          const pds = put(k, new Float32Array(E * dim));
          segmentMaxBackward(k, c, pds, pdo, pa, dim);
          const wantD = new Float64Array(E * dim);
          ref.arg.forEach((e, j) => e >= 0 && (wantD[e * dim + (j % dim)] += dout[j]!));
          expect(mismatches(`segment max backward graph ${gi} dim ${dim}`, get(k, pds, E * dim), wantD)).toBe('');
          for (const p of [ps, po, pa, pdo, pds]) k.arena.free(p);
        }
      }),
    );
  });

  it('per-edge source + destination rows match the reference', () => {
    graphs.forEach((g, gi) =>
      withCsr(g, (c) => {
        for (const dim of DIMS) {
          const u = uniform(rng(gi + dim * 3), g.cols * dim, -2, 2);
          const v = uniform(rng(gi + dim * 5), g.rows * dim, -2, 2);
          const pu = put(k, u), pv = put(k, v), po = put(k, new Float32Array(g.col.length * dim).fill(NaN));
          csrAddSrcDst(k, c, po, pu, pv, dim);
          expect(mismatches(`src + dst graph ${gi} dim ${dim}`, get(k, po, g.col.length * dim), csrAddSrcDstReference(g, u, v, dim))).toBe('');
          for (const p of [pu, pv, po]) k.arena.free(p);
        }
      }),
    );
  });

  it('dropout values: zero below p, scaled values above, at every length (in place too)', () => {
    for (const n of [1, 3, 4, 5, 15, 16, 17, 1001]) {
      const u = uniform(rng(n), n, 0, 1);
      u[0] = 0.25; // exactly p: kept, as torch keeps u >= p
      const v = uniform(rng(n + 1), n, -3, 3);
      for (const [label, vals] of [['mask', null], ['values', v]] as const) {
        const pu = put(k, u);
        const pv = vals ? put(k, vals) : 0;
        const po = put(k, new Float32Array(n).fill(NaN));
        dropoutValues(k, po, pu, pv, n, 0.25, 4 / 3);
        const want = dropoutValuesReference(u, vals, 0.25, Math.fround(4 / 3));
        expect(mismatches(`dropout ${label} n=${n}`, get(k, po, n), want, { tol: (_, e) => 2 * U * Math.abs(e) })).toBe('');
        dropoutValues(k, pu, pu, pv, n, 0.25, 4 / 3); // out aliasing u
        expect(mismatches(`dropout ${label} in place n=${n}`, get(k, pu, n), want, { tol: (_, e) => 2 * U * Math.abs(e) })).toBe('');
        for (const p of [pu, pv, po]) if (p) k.arena.free(p);
      }
    }
  });

  it('rejects malformed CSR indices and freed ones with what is wrong', () => {
    expect(() => csrToKernels(k, [0, 2, 1], [0, 0], 2, 3)).toThrow(/rowptr must not decrease/);
    expect(() => csrToKernels(k, [1, 2], [0], 1, 3)).toThrow(/rowptr\[0\] must be 0/);
    expect(() => csrToKernels(k, [0, 2], [0], 1, 3)).toThrow(/rowptr\[1\] = 2 but there are 1 column indices/);
    expect(() => csrToKernels(k, [0, 1], [3], 1, 3)).toThrow(/column 3 of entry 0 is outside \[0, 3\)/);
    expect(() => csrToKernels(k, [0, 1, 1], [0], 1, 3)).toThrow(/expected rows \+ 1 = 2/);
    const c = csrToKernels(k, [0, 1], [0], 1, 1);
    freeCsr(c);
    freeCsr(c);
    const p = put(k, [1, 2]);
    expect(() => spmmCsr(k, c, p, p, 0, 1, 1)).toThrow(/freed/);
    k.arena.free(p);
  });
});
