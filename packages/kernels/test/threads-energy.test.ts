/**
 * The fused AIS half-steps split over threads by rows: the same bits (samples and increments) at 1, 2, 3 and 4 threads;
 * the CD bias gradient (one call on the calling thread) too; the 0/1-operand kernels of the CD step (lists and
 * half-steps by rows, the weight statistics by columns).
 */
import { describe, it } from 'vitest';
import { aisHiddenStep, aisVisibleStep, binaryHalfStep, binaryLists, binaryListsInts, binaryOuterGrad, cdBiasGrad, loadKernels, packB, packedBFloats, type Isa } from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

// Columns that make a row a whole Philox group (16, 784), a quarter of one (500), or an odd count (1, 5, 17).
const SHAPES: Array<[number, number, number]> = [[1, 5, 3], [9, 1, 2], [33, 5, 17], [20, 17, 7], [12, 500, 784], [7, 784, 500], [16, 16, 16]];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`AIS half-steps across threads (${isa})`, () => {
    it('hidden and visible half-steps', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(31);
      await splittingEverything(async () => {
        for (const [rows, cols, vcols] of SHAPES) {
          const xs = uniform(rand, rows * cols, -6, 6);
          const x = put(k, xs), v = put(k, Float32Array.from(uniform(rand, rows * vcols, 0, 1), (u) => (u < 0.4 ? 1 : 0))), d = put(k, uniform(rand, vcols, -2, 2));
          const dc = put(k, uniform(rand, cols, -2, 2)), a = put(k, uniform(rand, cols, -3, 0));
          const y = k.arena.alloc(rows * cols * 4), inc = k.arena.alloc(rows * 4), h = k.arena.alloc(rows * cols * 4), out = k.arena.alloc(rows * cols * 4);
          const key = { k0: 987654321, k1: 123, firstBlock: 4 };
          const g = k.arena.alloc(cols * 4);
          await expectSameBitsAcrossThreads(k, `ais rows ${rows} cols ${cols} vcols ${vcols}`, () => {
            k.arena.f32(y, rows * cols).set(xs);
            k.arena.f32(g, cols).fill(0.5);
            for (const [p, n] of [[inc, rows], [h, rows * cols], [out, rows * cols]] as const) k.arena.f32(p, n).fill(NaN);
          }, () => {
            aisHiddenStep(k, x, v, d, inc, h, rows, cols, vcols, 0.25, 0.2501, key);
            aisVisibleStep(k, y, dc, a, out, rows, cols, 0.7, key);
            cdBiasGrad(k, g, out, rows, 1 / rows, x, rows, 0.3, cols, true);
          }, [[inc, rows], [h, rows * cols], [y, rows * cols], [out, rows * cols], [g, cols]]);
          for (const p of [x, v, d, dc, a, y, inc, h, out, g]) k.arena.free(p);
        }
      });
    });
  });

  describe(`CD step's 0/1 kernels across threads (${isa})`, () => {
    it('lists, half-steps (product, sample, lists) and the weight statistics', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(37);
      await splittingEverything(async () => {
        // [rows, K, n]: rows cut at whole Philox groups (n = 500: every 4th row), odd sizes, the RBM's.
        for (const [rows, K, n] of [[9, 5, 17], [13, 33, 7], [12, 784, 500], [8, 500, 784]] as const) {
          const s = put(k, Float32Array.from(uniform(rand, rows * K, 0, 1), (u) => (u < 0.25 ? 1 : 0)));
          const B = put(k, uniform(rand, K * n, -1, 1)), bias = put(k, uniform(rand, n, -1, 1));
          const packed = packB(k, false, K, n, B, n, k.arena.alloc(packedBFloats(k, K, n) * 4));
          const lists = k.arena.alloc(binaryListsInts(rows, K) * 4), out = k.arena.alloc(binaryListsInts(rows, n) * 4);
          const x = k.arena.alloc(rows * n * 4), prob = k.arena.alloc(rows * n * 4), sample = k.arena.alloc(rows * n * 4);
          const a = put(k, uniform(rand, rows * n, 0, 1)), g = k.arena.alloc(n * K * 4);
          await expectSameBitsAcrossThreads(k, `binary rows ${rows} K ${K} n ${n}`, () => {
            for (const [p, m] of [[x, rows * n], [prob, rows * n], [sample, rows * n]] as const) k.arena.f32(p, m).fill(NaN);
            k.arena.f32(g, n * K).fill(0.25);
          }, () => {
            binaryLists(k, s, rows, K, lists);
            binaryHalfStep(k, { lists, B: packed, bias }, x, rows, n, prob, sample, out, 1, { k0: 5, k1: 6, firstBlock: 3 });
            // g [n, K] += a^T s / rows - prob^T s / rows (s is the 0/1 matrix of both terms here).
            binaryOuterGrad(k, g, a, s, rows, 1 / rows, prob, s, rows, 1 / rows, n, K, true);
          }, [[lists, binaryListsInts(rows, K)], [x, rows * n], [prob, rows * n], [sample, rows * n], [out, binaryListsInts(rows, n)], [g, n * K]]);
          for (const p of [s, B, bias, packed.ptr, lists, out, x, prob, sample, a, g]) k.arena.free(p);
        }
      });
    });
  });
}
