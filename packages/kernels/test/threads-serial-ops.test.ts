/**
 * Ops that ran on one thread until they were split too: the fused recurrent cells (by batch rows),
 * the 2-D transpose (by source rows), reductions with few outer rows (by columns), the Winograd
 * filter transforms (by filters), and the direct and pixels-major convolutions of a single image (by
 * output channels, by output rows). The same bits at 1, 2, 3 and 4 threads, on awkward shapes: one
 * row, odd sizes, tile remainders, more threads than rows.
 */
import { describe, it } from 'vitest';
import {
  conv2dBackward, conv2dForward, convOutputSize, copyStrided, directApplies, gruCellBackward, gruCellForward, loadKernels, lstmCellBackward,
  lstmCellForward, reduce, channelSums, rnnCellBackward, rnnCellForward, transpose2d, winogradApplies, type Conv2dGeometry, type Isa,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

/** Batch x hidden: one row, odd, fewer rows than threads, hidden sizes that are not multiples of 4. */
const CELLS: Array<[number, number]> = [[1, 5], [3, 7], [5, 17], [9, 4]];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`ops split since the pool's first version (${isa})`, () => {
    it('recurrent cells, forward and backward, with and without a mask', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(41);
      await splittingEverything(async () => {
        for (const [B, H] of CELLS) {
          const n = B * H;
          const mask = put(k, Float32Array.from({ length: B }, (_, b) => (b === 1 ? 0 : 1)));
          const pre4 = uniform(rand, 4 * n, -2, 2), pre3 = uniform(rand, 3 * n, -2, 2), pre1 = uniform(rand, n, -2, 2);
          const [hPrev, cPrev, dy, dh0, dc0, gh] = [n, n, n, n, n, 3 * n].map((m) => put(k, uniform(rand, m, -1, 1)));
          const gates = k.arena.alloc(16 * n), gx = k.arena.alloc(12 * n), pre = k.arena.alloc(4 * n);
          const [c, h, dh, dc] = [n, n, n, n].map((m) => k.arena.alloc(4 * m));
          const dgates = k.arena.alloc(16 * n), dgx = k.arena.alloc(12 * n), dgh = k.arena.alloc(12 * n), dpre = k.arena.alloc(4 * n);
          for (const m of [0, mask]) {
            const reset = () => {
              k.arena.f32(gates, 4 * n).set(pre4);
              k.arena.f32(gx, 3 * n).set(pre3);
              k.arena.f32(pre, n).set(pre1);
              k.arena.f32(dh, n).set(k.arena.f32(dh0, n));
              k.arena.f32(dc, n).set(k.arena.f32(dc0, n));
              for (const [p, f] of [[c, n], [h, n], [dgates, 4 * n], [dgx, 3 * n], [dgh, 3 * n], [dpre, n]] as const) k.arena.f32(p, f).fill(NaN);
            };
            const d = { B, H };
            const outs = [[gates, 4 * n], [c, n], [h, n], [dh, n], [dc, n], [dgates, 4 * n]] as const;
            await expectSameBitsAcrossThreads(k, `LSTM ${B}x${H} mask ${m !== 0}`, reset, () => {
              lstmCellForward(k, d, gates, cPrev, hPrev, c, h, m);
              lstmCellBackward(k, d, gates, cPrev, c, dy, dh, dc, dgates, m);
            }, outs);
            await expectSameBitsAcrossThreads(k, `GRU ${B}x${H} mask ${m !== 0}`, reset, () => {
              gruCellForward(k, d, gx, gh, hPrev, h, m);
              gruCellBackward(k, d, gx, gh, hPrev, dy, dh, dgx, dgh, m);
            }, [[gx, 3 * n], [h, n], [dh, n], [dgx, 3 * n], [dgh, 3 * n]]);
            for (const act of ['tanh', 'relu'] as const) {
              await expectSameBitsAcrossThreads(k, `RNN ${act} ${B}x${H} mask ${m !== 0}`, reset, () => {
                rnnCellForward(k, d, pre, hPrev, h, act, m);
                rnnCellBackward(k, d, h, 0, dh, dpre, act, m);
              }, [[h, n], [dh, n], [dpre, n]]);
            }
          }
        }
      });
    });

    it('2-D transpose and the transposing strided copy', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(42);
      await splittingEverything(async () => {
        for (const [rows, cols] of [[1, 9], [9, 1], [33, 7], [70, 65], [129, 3]]) {
          const n = rows * cols;
          const x = put(k, uniform(rand, n, -1, 1));
          const a = k.arena.alloc(n * 4), b = k.arena.alloc(n * 4);
          const reset = () => [a, b].forEach((p) => k.arena.f32(p, n).fill(NaN));
          await expectSameBitsAcrossThreads(k, `transpose ${rows}x${cols}`, reset, () => {
            transpose2d(k, a, x, rows, cols);
            copyStrided(k, b, [rows, 1], x, [1, cols], [cols, rows]);
          }, [[a, n], [b, n]]);
          // And it is the transpose.
          const src = k.arena.f32(x, n), got = k.arena.f32(a, n), viaCopy = k.arena.f32(b, n);
          for (let i = 0; i < rows; i++) {
            for (let j = 0; j < cols; j++) {
              if (got[j * rows + i] !== src[i * cols + j] || viaCopy[j * rows + i] !== src[i * cols + j]) throw new Error(`transpose ${rows}x${cols}: wrong at ${i}, ${j}`);
            }
          }
        }
      });
    });

    it('reductions with few outer rows, split by columns', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(43);
      await splittingEverything(async () => {
        // Columns around the 16-column cut, one and two outer rows, n of 1 and odd.
        for (const [outer, n, inner] of [[1, 1, 32], [1, 7, 33], [2, 5, 47], [1, 13, 100], [3, 3, 64], [1, 2, 1031]]) {
          const x = put(k, uniform(rand, outer * n * inner, -1, 1));
          const out = k.arena.alloc(outer * inner * 4);
          for (const op of ['sum', 'mean', 'max', 'min'] as const) {
            await expectSameBitsAcrossThreads(k, `reduce ${op} [${outer}, ${n}, ${inner}]`, () => k.arena.f32(out, outer * inner).fill(NaN), () => {
              reduce(k, op, out, x, outer, n, inner);
            }, [[out, outer * inner]]);
          }
        }
      });
    });

    it('channel sums (bias gradients), split by channels', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(44);
      await splittingEverything(async () => {
        for (const [N, C, P] of [[1, 1, 5], [3, 6, 784], [7, 5, 33], [2, 3, 1]]) {
          const x = put(k, uniform(rand, N * C * P, -1, 1));
          const out = k.arena.alloc(C * 4);
          await expectSameBitsAcrossThreads(k, `channelSums [${N}, ${C}, ${P}]`, () => k.arena.f32(out, C).fill(NaN), () => {
            channelSums(k, out, x, N, C, P);
          }, [[out, C]]);
        }
      });
    });

    const base = { strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1 };
    const CONVS: Array<[string, Conv2dGeometry]> = [
      ['direct, one image, 13 output channels', { ...base, N: 1, C: 2, H: 11, W: 12, OC: 13, KH: 3, KW: 3, padH: 1, padW: 1 }],
      ['direct, two images, 6 output channels', { ...base, N: 2, C: 1, H: 9, W: 10, OC: 6, KH: 5, KW: 5, padH: 2, padW: 2 }],
      ['pixels-major, one image, padded', { ...base, N: 1, C: 6, H: 20, W: 19, OC: 16, KH: 5, KW: 5, padH: 2, padW: 1 }],
      ['pixels-major, one image, stride 2', { ...base, N: 1, C: 8, H: 35, W: 35, OC: 12, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 }],
      ['pixels-major, two images (fewer than threads)', { ...base, N: 2, C: 4, H: 5, W: 90, OC: 8, KH: 3, KW: 6, padH: 1 }],
      ['Winograd filter transforms, 16 x 19 filters', { ...base, N: 1, C: 19, H: 14, W: 14, OC: 16, KH: 3, KW: 3, padH: 1, padW: 1 }],
    ];
    for (const [name, g] of CONVS) {
      it(`convolution: ${name}`, async () => {
        const k = await loadKernels({ isa });
        const rand = rng(44);
        const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH);
        const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW);
        const [nx, nw, ny] = [g.N * g.C * g.H * g.W, g.OC * g.C * g.KH * g.KW, g.N * g.OC * OH * OW];
        const x = put(k, uniform(rand, nx, -1, 1)), w = put(k, uniform(rand, nw, -1, 1)), b = put(k, uniform(rand, g.OC, -1, 1));
        const dy = put(k, uniform(rand, ny, -1, 1));
        const [y, y0, dx, dw, db] = [ny, ny, nx, nw, g.OC].map((m) => k.arena.alloc(m * 4));
        const outs = [[y, ny], [y0, ny], [dx, nx], [dw, nw], [db, g.OC]] as const;
        const path = winogradApplies(g) ? 'Winograd' : directApplies(g) ? 'direct' : 'pixels-major';
        if (!name.startsWith(path)) throw new Error(`${name}: takes the ${path} path`);
        await splittingEverything(() =>
          expectSameBitsAcrossThreads(k, name, () => outs.forEach(([p, m]) => k.arena.f32(p, m).fill(NaN)), () => {
            conv2dForward(k, g, x, w, b, y);
            conv2dForward(k, g, x, w, 0, y0);
            conv2dBackward(k, g, x, w, dy, dx, dw, db);
          }, outs),
        );
      });
    }
  });
}
