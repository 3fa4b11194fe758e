/**
 * The LSTM forward loop over time with the input projection inside it (lstmSequenceForwardX, the
 * weights packed by packLstmWeights): the bits of one step at a time through gemm() on the
 * concatenated [x_t | h_{t-1}] and [W_ih | W_hh] (one K block: the same packed values and tile sums)
 * and the cell with its bias, forward and reverse, with and without a mask; the packing against
 * packB of the concatenated weights; the same bits at 1, 2, 3 and 4 threads on awkward batches (one
 * row, fewer rows than threads, a partial row tile of 4) and sizes (H not a multiple of 8, K = 512).
 */
import { describe, expect, it } from 'vitest';
import {
  LSTM_INPUT_FUSED_MAX, gemm, loadKernels, lstmCellForward, lstmSequenceForwardX, packB, packLstmWeights, packedBFloats, type Isa, type Kernels,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

/** T x B x I x H. */
const SHAPES: Array<[number, number, number, number]> = [[3, 1, 2, 5], [4, 5, 3, 7], [2, 9, 6, 17], [3, 13, 1, 4], [2, 6, 384, 128]];

function setup(k: Kernels, T: number, B: number, I: number, H: number, seed: number) {
  const rand = rng(seed);
  const G = 4 * H, K = I + H, TB = T * B, BH = B * H;
  const xData = uniform(rand, TB * I, -1, 1);
  const wih = uniform(rand, G * I, -0.5, 0.5);
  const whh = uniform(rand, G * H, -0.5, 0.5);
  const init = uniform(rand, 2 * BH, -1, 1);
  const x = put(k, xData), pih = put(k, wih), phh = put(k, whh);
  const bias = put(k, uniform(rand, G, -1, 1));
  // [W_ih | W_hh] as one [4H, I + H] matrix, for the reference's gemm() and packB.
  const cat = new Float32Array(G * K);
  for (let r = 0; r < G; r++) {
    cat.set(wih.subarray(r * I, (r + 1) * I), r * K);
    cat.set(whh.subarray(r * H, (r + 1) * H), r * K + I);
  }
  const wcat = put(k, cat);
  const packed = k.arena.alloc(packedBFloats(k, K, G) * 4);
  const mask = put(k, Float32Array.from({ length: TB }, (_, i) => (Math.floor(i / B) <= (i % B) % T ? 1 : 0)));
  const gates = k.arena.alloc(TB * G * 4);
  const hs = k.arena.alloc((T + 1) * BH * 4), cs = k.arena.alloc((T + 1) * BH * 4);
  // The reference's [x_t | h] rows and their product: 2 rows at least (gemm() takes a matrix-vector path for one row).
  const R = Math.max(B, 2);
  const xh = k.arena.alloc(R * K * 4), pre = k.arena.alloc(R * G * 4);
  k.arena.f32(xh, R * K).fill(0);
  const reset = (reverse: boolean) => {
    k.arena.f32(gates, TB * G).fill(NaN);
    for (const p of [hs, cs]) k.arena.f32(p, (T + 1) * BH).fill(NaN);
    const s0 = reverse ? T : 0;
    k.arena.f32(hs + s0 * BH * 4, BH).set(init.subarray(0, BH));
    k.arena.f32(cs + s0 * BH * 4, BH).set(init.subarray(BH));
  };
  const outputs = [[gates, TB * G], [hs, (T + 1) * BH], [cs, (T + 1) * BH]] as const;
  return { G, K, R, BH, x, xData, pih, phh, bias, wcat, packed, mask, gates, hs, cs, xh, pre, reset, outputs };
}

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`LSTM forward with the input projection in the loop (${isa})`, () => {
    it('gives the bits of gemm() on [x_t | h] and the cell, step by step', async () => {
      const k = await loadKernels({ isa });
      for (const [T, B, I, H] of SHAPES) {
        const s = setup(k, T, B, I, H, 5 * T + B + I);
        const w = packLstmWeights(k, I, H, s.pih, s.phh, s.packed);
        const packedRef = packB(k, true, s.K, s.G, s.wcat, s.K, k.arena.alloc(packedBFloats(k, s.K, s.G) * 4));
        expect(new Uint32Array(k.memory.buffer, w.ptr, packedBFloats(k, s.K, s.G)).findIndex((v, j) => v !== new Uint32Array(k.memory.buffer, packedRef.ptr, packedBFloats(k, s.K, s.G))[j])).toBe(-1);
        k.arena.free(packedRef.ptr);
        for (const reverse of [false, true]) {
          for (const m of [0, s.mask]) {
            const slot = (t: number) => (reverse ? t : t + 1), prev = (t: number) => (reverse ? t + 1 : t);
            const at = (p: number, row: number, width: number) => p + row * width * 4;
            s.reset(reverse);
            lstmSequenceForwardX(k, { T, B, H }, I, s.x, s.gates, s.hs, s.cs, w, m, reverse, s.bias);
            const want = s.outputs.map(([p, n]) => new Uint32Array(k.memory.buffer, p, n).slice());
            s.reset(reverse);
            for (let i = 0; i < T; i++) {
              const t = reverse ? T - 1 - i : i;
              const xh = k.arena.f32(s.xh, B * s.K);
              const h = k.arena.f32(at(s.hs, prev(t) * B, H), B * H);
              for (let b = 0; b < B; b++) {
                xh.set(s.xData.subarray((t * B + b) * I, (t * B + b + 1) * I), b * s.K);
                xh.set(h.subarray(b * H, (b + 1) * H), b * s.K + I);
              }
              gemm(k, false, true, s.R, s.G, s.K, 1, s.xh, s.K, s.wcat, s.K, 0, s.pre, s.G);
              k.arena.f32(at(s.gates, t * B, s.G), B * s.G).set(k.arena.f32(s.pre, B * s.G));
              lstmCellForward(k, { B, H }, at(s.gates, t * B, s.G), at(s.cs, prev(t) * B, H), at(s.hs, prev(t) * B, H), at(s.cs, slot(t) * B, H), at(s.hs, slot(t) * B, H), m === 0 ? 0 : m + t * B * 4, s.bias);
            }
            // Masked rows' gates are never written by the fused loop's cell (nor read again): compare the live ones.
            const live = (o: number, j: number) => o > 0 || m === 0 || k.arena.f32(s.mask, T * B)[Math.floor(j / s.G)] === 1;
            s.outputs.forEach(([p, n], o) => {
              const got = new Uint32Array(k.memory.buffer, p, n);
              const i = want[o]!.findIndex((v, j) => live(o, j) && v !== got[j]);
              expect(i, `${T}x${B}x${I}x${H} reverse ${reverse} mask ${m !== 0}: output ${o} differs at ${i}`).toBe(-1);
            });
            expect(new Float32Array(k.memory.buffer, at(s.hs, (reverse ? 0 : T) * B, H), s.BH).some((v) => v !== 0 && Number.isFinite(v))).toBe(true);
          }
        }
      }
    });

    it('gives the same bits at 1, 2, 3 and 4 threads, packing included', async () => {
      const k = await loadKernels({ isa });
      await splittingEverything(async () => {
        for (const [T, B, I, H] of SHAPES) {
          const s = setup(k, T, B, I, H, 3 * T + B + I);
          for (const reverse of [false, true]) {
            for (const m of [0, s.mask]) {
              await expectSameBitsAcrossThreads(k, `LSTM forward x ${T}x${B}x${I}x${H} reverse ${reverse} mask ${m !== 0}`, () => {
                s.reset(reverse);
                k.arena.f32(s.packed, packedBFloats(k, s.K, s.G)).fill(NaN);
              }, () => {
                const w = packLstmWeights(k, I, H, s.pih, s.phh, s.packed);
                lstmSequenceForwardX(k, { T, B, H }, I, s.x, s.gates, s.hs, s.cs, w, m, reverse, s.bias);
              }, [...s.outputs, [s.packed, packedBFloats(k, s.K, s.G)]]);
            }
          }
        }
      });
    });

    it('names the op and the sizes when the inputs do not fit', async () => {
      const k = await loadKernels({ isa });
      const s = setup(k, 2, 3, 4, 5, 1);
      const w = packLstmWeights(k, 4, 5, s.pih, s.phh, s.packed);
      expect(() => lstmSequenceForwardX(k, { T: 2, B: 3, H: 5 }, 3, s.x, s.gates, s.hs, s.cs, w, 0, false)).toThrow(/lstmSequenceForwardX: w is packed as 9 x 20, expected 8 x 20/);
      expect(() => lstmSequenceForwardX(k, { T: 2, B: 3, H: 5 }, LSTM_INPUT_FUSED_MAX, s.x, s.gates, s.hs, s.cs, w, 0, false)).toThrow(/I \+ H = 517 must be in 1\.\.512/);
    });
  });
}
