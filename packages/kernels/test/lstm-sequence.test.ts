/**
 * The LSTM loop over time in one call per thread (lstmSequenceForward / lstmSequenceBackward): the
 * same bits as the per-step kernels it replaces (gemmPackedB for the recurrent product, then the fused
 * cell, for every step; the cells themselves are tested against plain references in
 * recurrent.test.ts), forward and reverse, with and without a mask, with the bias added in the cell,
 * and the bias gradient's partial sums by groups of 4 rows against a plain float32 sum in step order;
 * and the same bits at 1, 2, 3 and 4 threads on awkward batches (one row, fewer rows than threads, a
 * partial row tile of 4).
 */
import { describe, expect, it } from 'vitest';
import {
  biasGroups, gemmPackedB, loadKernels, lstmCellBackward, lstmCellForward, lstmSequenceBackward, lstmSequenceForward, packB, packedBFloats, type Isa, type Kernels,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

/** T x B x H. */
const SHAPES: Array<[number, number, number]> = [[3, 1, 5], [4, 5, 7], [2, 9, 17], [3, 13, 4]];

function setup(k: Kernels, T: number, B: number, H: number, seed: number) {
  const rand = rng(seed);
  const G = 4 * H, TB = T * B, BH = B * H;
  const pre = uniform(rand, TB * G, -2, 2);
  const whhData = uniform(rand, G * H, -0.5, 0.5);
  const init = uniform(rand, 2 * BH, -1, 1);
  const whh = put(k, whhData);
  const whhT = packB(k, true, H, G, whh, H, k.arena.alloc(packedBFloats(k, H, G) * 4));
  const whhB = packB(k, false, G, H, whh, H, k.arena.alloc(packedBFloats(k, G, H) * 4));
  const dy = put(k, uniform(rand, TB * H, -1, 1));
  const dFinal = uniform(rand, 2 * BH, -1, 1);
  // Sequence b ends after step 1 + (b mod T): padding after it, and no mask at all on the first pass.
  const mask = put(k, Float32Array.from({ length: TB }, (_, i) => (Math.floor(i / B) <= (i % B) % T ? 1 : 0)));
  const gates = k.arena.alloc(TB * G * 4), dG = k.arena.alloc(TB * G * 4);
  const hs = k.arena.alloc((T + 1) * BH * 4), cs = k.arena.alloc((T + 1) * BH * 4);
  const dh = k.arena.alloc(BH * 4), dc = k.arena.alloc(BH * 4);
  const bias = put(k, uniform(rand, G, -1, 1));
  const parts = k.arena.alloc(biasGroups(B) * G * 4);
  const reset = (reverse: boolean) => {
    k.arena.f32(gates, TB * G).set(pre);
    for (const p of [hs, cs]) k.arena.f32(p, (T + 1) * BH).fill(NaN);
    const s0 = reverse ? T : 0;
    k.arena.f32(hs + s0 * BH * 4, BH).set(init.subarray(0, BH));
    k.arena.f32(cs + s0 * BH * 4, BH).set(init.subarray(BH));
    k.arena.f32(dh, BH).set(dFinal.subarray(0, BH));
    k.arena.f32(dc, BH).set(dFinal.subarray(BH));
    k.arena.f32(dG, TB * G).fill(NaN);
    k.arena.f32(parts, biasGroups(B) * G).fill(NaN);
  };
  const outputs = [[gates, TB * G], [hs, (T + 1) * BH], [cs, (T + 1) * BH], [dh, BH], [dc, BH], [dG, TB * G], [parts, biasGroups(B) * G]] as const;
  return { G, BH, whh, whhT, whhB, dy, mask, gates, dG, hs, cs, dh, dc, bias, parts, reset, outputs };
}

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`LSTM sequence kernels (${isa})`, () => {
    it('give the bits of the per-step GEMM and cell kernels, forward and backward', async () => {
      const k = await loadKernels({ isa });
      for (const [T, B, H] of SHAPES) {
        const s = setup(k, T, B, H, 7 * T + B);
        for (const reverse of [false, true]) {
          for (const m of [0, s.mask]) {
            const slot = (t: number) => (reverse ? t : t + 1), prev = (t: number) => (reverse ? t + 1 : t);
            const at = (p: number, row: number, width: number) => p + row * width * 4;
            const d = { T, B, H };
            s.reset(reverse);
            lstmSequenceForward(k, d, s.gates, s.hs, s.cs, s.whhT, m, reverse, s.bias);
            lstmSequenceBackward(k, d, s.gates, s.cs, s.dy, s.dh, s.dc, s.dG, s.whhB, m, reverse, s.parts);
            const want = s.outputs.map(([p, n]) => new Uint32Array(k.memory.buffer, p, n).slice());
            s.reset(reverse);
            for (let i = 0; i < T; i++) {
              const t = reverse ? T - 1 - i : i;
              gemmPackedB(k, false, B, 1, at(s.hs, prev(t) * B, H), H, s.whhT, 1, at(s.gates, t * B, s.G), s.G);
              lstmCellForward(k, { B, H }, at(s.gates, t * B, s.G), at(s.cs, prev(t) * B, H), at(s.hs, prev(t) * B, H), at(s.cs, slot(t) * B, H), at(s.hs, slot(t) * B, H), m === 0 ? 0 : m + t * B * 4, s.bias);
            }
            for (let i = T - 1; i >= 0; i--) {
              const t = reverse ? T - 1 - i : i;
              lstmCellBackward(k, { B, H }, at(s.gates, t * B, s.G), at(s.cs, prev(t) * B, H), at(s.cs, slot(t) * B, H), at(s.dy, t * B, H), s.dh, s.dc, at(s.dG, t * B, s.G), m === 0 ? 0 : m + t * B * 4);
              gemmPackedB(k, false, B, 1, at(s.dG, t * B, s.G), s.G, s.whhB, 1, s.dh, H);
            }
            // The bias gradient's partials: each group of 4 rows summed in float32, step by step (last step first), row by row.
            const dG = k.arena.f32(s.dG, T * B * s.G);
            const parts = k.arena.f32(s.parts, biasGroups(B) * s.G).fill(0);
            for (let i = T - 1; i >= 0; i--) {
              const t = reverse ? T - 1 - i : i;
              for (let b = 0; b < B; b++) {
                for (let j = 0; j < s.G; j++) parts[(b >> 2) * s.G + j] = Math.fround(parts[(b >> 2) * s.G + j]! + dG[(t * B + b) * s.G + j]!);
              }
            }
            s.outputs.forEach(([p, n], o) => {
              const got = new Uint32Array(k.memory.buffer, p, n);
              const i = want[o]!.findIndex((v, j) => v !== got[j]);
              expect(i, `${T}x${B}x${H} reverse ${reverse} mask ${m !== 0}: output ${o} differs at ${i}`).toBe(-1);
            });
            // Not vacuous: the states moved and a gradient reached the initial state.
            expect(new Float32Array(k.memory.buffer, s.dh, s.BH).some((v) => v !== 0)).toBe(true);
          }
        }
      }
    });

    it('give the same bits at 1, 2, 3 and 4 threads', async () => {
      const k = await loadKernels({ isa });
      await splittingEverything(async () => {
        for (const [T, B, H] of SHAPES) {
          const s = setup(k, T, B, H, 3 * T + B);
          for (const reverse of [false, true]) {
            for (const m of [0, s.mask]) {
              await expectSameBitsAcrossThreads(k, `LSTM sequence ${T}x${B}x${H} reverse ${reverse} mask ${m !== 0}`, () => s.reset(reverse), () => {
                lstmSequenceForward(k, { T, B, H }, s.gates, s.hs, s.cs, s.whhT, m, reverse, s.bias);
                lstmSequenceBackward(k, { T, B, H }, s.gates, s.cs, s.dy, s.dh, s.dc, s.dG, s.whhB, m, reverse, s.parts);
              }, s.outputs);
            }
          }
        }
      });
    });

    it('name the op and the sizes when a packed W_hh does not fit', async () => {
      const k = await loadKernels({ isa });
      const s = setup(k, 2, 3, 5, 1);
      expect(() => lstmSequenceForward(k, { T: 2, B: 3, H: 5 }, s.gates, s.hs, s.cs, s.whhB, 0, false)).toThrow(/lstmSequenceForward: whhT is packed as 20 x 5, expected 5 x 20/);
      expect(() => lstmSequenceBackward(k, { T: 2, B: 3, H: 5 }, s.gates, s.cs, s.dy, s.dh, s.dc, s.dG, s.whhT, 0, false)).toThrow(/lstmSequenceBackward: whh is packed as 5 x 20, expected 20 x 5/);
      expect(() => lstmSequenceForward(k, { T: 2.5, B: 3, H: 5 }, s.gates, s.hs, s.cs, s.whhT, 0, false)).toThrow(/lstmSequenceForward: T must be a non-negative integer, got 2.5/);
    });
  });
}
