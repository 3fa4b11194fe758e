/**
 * The sparse kernels, row gather / scatter-add and the Philox samplers split over threads: the same
 * bits at 1, 2, 3 and 4 threads, on graphs with a hub row (most of the edges in one row), empty rows,
 * repeated edges and self-loops; the row split balances edges and covers every row once.
 */
import { describe, expect, it } from 'vitest';
import {
  bernoulliPhilox, csrAddSrcDst, csrToKernels, dropoutPhilox, freeCsr, gatherRows, loadKernels, normalPhilox, scatterAddRows, sddmmCsr, segmentBroadcast,
  segmentMax, segmentMaxBackward, segmentSoftmax, segmentSoftmaxBackward, segmentSum, spmmCsr, splitCsrRows, uniformPhilox, type Isa,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

/** rows x cols with a hub row (row 1 reads every column twice), a third of the rows empty, repeats and self-loops. */
function hubCsr(seed: number, rows: number, cols: number): { rowptr: Int32Array; col: Int32Array } {
  const r = rng(seed);
  const rowptr = [0];
  const col: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (i === 1) for (let j = 0; j < 2 * cols; j++) col.push(j % cols);
    else if (r() > 0.33) {
      const n = 1 + Math.floor(r() * 5);
      for (let t = 0; t < n; t++) col.push(r() < 0.2 && i < cols ? i : Math.floor(r() * cols));
    }
    rowptr.push(col.length);
  }
  return { rowptr: Int32Array.from(rowptr), col: Int32Array.from(col) };
}

describe('splitCsrRows', () => {
  it('covers every row once in non-empty ranges, cut by edges plus rows', () => {
    for (const [rows, cols, parts] of [[1, 3, 4], [2, 5, 8], [7, 7, 3], [50, 40, 8], [300, 20, 6]] as const) {
      const { rowptr } = hubCsr(rows, rows, cols);
      const ranges = splitCsrRows(rowptr, rows, parts);
      expect(ranges.length).toBeGreaterThan(0);
      expect(ranges.length).toBeLessThanOrEqual(Math.min(parts, rows));
      let next = 0;
      for (const [a, b] of ranges) {
        expect(a).toBe(next);
        expect(b).toBeGreaterThan(a);
        next = b;
      }
      expect(next).toBe(rows);
      // No range but one holding a single heavy row carries much more than its share.
      const total = rowptr[rows]! + rows;
      for (const [a, b] of ranges) {
        const load = rowptr[b]! - rowptr[a]! + (b - a);
        const heaviest = Math.max(...Array.from({ length: b - a }, (_, i) => rowptr[a + i + 1]! - rowptr[a + i]! + 1));
        expect(load).toBeLessThanOrEqual(total / ranges.length + 2 * heaviest);
      }
    }
  });
});

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`sparse kernels across threads (${isa})`, () => {
    it('spmm, sddmm, segment softmax / sum / broadcast / max, per-edge sums', async () => {
      const k = await loadKernels({ isa });
      await splittingEverything(async () => {
        for (const [rows, cols, seed] of [[2, 3, 1], [9, 9, 2], [41, 30, 3], [120, 64, 4]] as const) {
          const g = hubCsr(seed, rows, cols);
          const E = g.col.length;
          const c = csrToKernels(k, g.rowptr, g.col, rows, cols);
          // A permutation of the edges: the transposed product reads its weights through it.
          const perm = Int32Array.from({ length: E }, (_, e) => (e * 5 + 1) % Math.max(1, E));
          const at = csrToKernels(k, g.rowptr, E > 0 && new Set(perm).size === E ? perm : Int32Array.from({ length: E }, (_, e) => e), rows, Math.max(1, E));
          const rand = rng(seed + 10);
          for (const [heads, dim] of [[1, 1], [1, 7], [3, 5], [8, 8], [2, 17]] as const) {
            const w = heads * dim;
            const x = put(k, uniform(rand, Math.max(rows, cols) * w, -2, 2));
            const val = put(k, uniform(rand, Math.max(1, E) * heads, -1, 1));
            const edgeIn = put(k, uniform(rand, Math.max(1, E) * w, -3, 3));
            const edgeIn2 = put(k, uniform(rand, Math.max(1, E) * w, -1, 1));
            const nodeOut = k.arena.alloc(rows * w * 4), nodeOut2 = k.arena.alloc(rows * w * 4);
            const edgeOut = k.arena.alloc(Math.max(1, E) * w * 4), edgeOut2 = k.arena.alloc(Math.max(1, E) * w * 4);
            const argOut = k.arena.alloc(rows * w * 4);
            const reset = () => {
              for (const [p, n] of [[nodeOut, rows * w], [nodeOut2, rows * w], [edgeOut, E * w], [edgeOut2, E * w]] as const) k.arena.f32(p, n).fill(NaN);
              k.arena.i32(argOut, rows * w).fill(-7);
            };
            const nodes = [[nodeOut, rows * w], [nodeOut2, rows * w]] as const;
            const edges = [[edgeOut, E * heads], [edgeOut2, E * heads]] as const;
            const check = (what: string, run: () => void, outs: ReadonlyArray<readonly [number, number]>) =>
              expectSameBitsAcrossThreads(k, `${what} rows ${rows} heads ${heads} dim ${dim}`, reset, run, outs);
            await check('spmm', () => {
              spmmCsr(k, c, nodeOut, x, val, heads, dim);
              spmmCsr(k, c, nodeOut2, x, 0, heads, dim, { mean: true });
            }, nodes);
            await check('spmm through valuesAt', () => spmmCsr(k, c, nodeOut, x, val, heads, dim, { valuesAt: at }), nodes.slice(0, 1));
            await check('sddmm', () => sddmmCsr(k, c, edgeOut, x, x, heads, dim), edges.slice(0, 1));
            await check('segment softmax and its backward', () => {
              segmentSoftmax(k, c, edgeOut, edgeIn, heads);
              segmentSoftmaxBackward(k, c, edgeOut2, edgeOut, edgeIn2, heads);
            }, edges);
            await check('segment sum, mean and broadcast', () => {
              segmentSum(k, c, nodeOut, edgeIn, w);
              segmentSum(k, c, nodeOut2, edgeIn, w, true);
              segmentBroadcast(k, c, edgeOut, x, w, true);
            }, [...nodes, [edgeOut, E * w]]);
            await check('segment max and its backward', () => {
              segmentMax(k, c, nodeOut, argOut, edgeIn, w);
              k.arena.f32(edgeOut2, E * w).fill(0);
              segmentMaxBackward(k, c, edgeOut2, x, argOut, w);
            }, [[nodeOut, rows * w], [argOut, rows * w], [edgeOut2, E * w]]);
            await check('per-edge source + target', () => csrAddSrcDst(k, c, edgeOut, x, x, w), [[edgeOut, E * w]]);
            for (const p of [x, val, edgeIn, edgeIn2, nodeOut, nodeOut2, edgeOut, edgeOut2, argOut]) k.arena.free(p);
          }
          freeCsr(c);
          freeCsr(at);
        }
      });
    });

    it('row gather and scatter-add (repeated indices, a table that is not zero)', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(77);
      await splittingEverything(async () => {
        for (const [rows, n, dim] of [[1, 5, 3], [3, 40, 4], [17, 9, 17], [50, 300, 33], [400, 64, 8]] as const) {
          // Half the positions go to row 0 (a hot row), the rest anywhere.
          const idx = Int32Array.from({ length: n }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * rows)));
          const pi = k.arena.alloc(n * 4);
          k.arena.i32(pi, n).set(idx);
          const table = uniform(rand, rows * dim, -1, 1);
          const src = put(k, uniform(rand, n * dim, -2, 2));
          const pt = put(k, table);
          const dtable = k.arena.alloc(rows * dim * 4), out = k.arena.alloc(n * dim * 4);
          await expectSameBitsAcrossThreads(k, `gather / scatter-add rows ${rows} n ${n} dim ${dim}`, () => {
            k.arena.f32(dtable, rows * dim).set(table);
            k.arena.f32(out, n * dim).fill(NaN);
          }, () => {
            gatherRows(k, out, pt, rows, dim, pi, n);
            scatterAddRows(k, dtable, rows, dim, src, pi, n);
          }, [[out, n * dim], [dtable, rows * dim]]);
          for (const p of [pi, src, pt, dtable, out]) k.arena.free(p);
        }
      });
    });

    it('Philox samplers and dropout', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(5);
      await splittingEverything(async () => {
        for (const n of [1, 15, 16, 17, 100, 1031]) {
          const src = put(k, uniform(rand, n, -2, 2));
          const outs = [0, 1, 2, 3].map(() => k.arena.alloc(n * 4));
          const key = { k0: 123456789, k1: 4000000000, firstBlock: 8 };
          await expectSameBitsAcrossThreads(k, `philox n ${n}`, () => outs.forEach((p) => k.arena.f32(p, n).fill(NaN)), () => {
            uniformPhilox(k, outs[0]!, n, key);
            normalPhilox(k, src, outs[1]!, n, 0.5, key);
            dropoutPhilox(k, src, outs[2]!, n, 0.3, 1 / 0.7, key);
            bernoulliPhilox(k, outs[0]!, outs[3]!, n, key);
          }, outs.map((p) => [p, n] as const));
          for (const p of [src, ...outs]) k.arena.free(p);
        }
      });
    });
  });
}
