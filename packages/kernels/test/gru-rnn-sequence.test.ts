/**
 * The GRU and Elman RNN loops over time in one call per thread (gruSequenceForward/Backward,
 * rnnSequenceForward/Backward): the bits of the per-step kernels they replace (gemmPackedB for the
 * recurrent product, then the fused cell; the cells are tested against float64 references in
 * recurrent.test.ts), forward and reverse, with and without a mask, tanh and ReLU; and the same bits
 * at 1, 2, 3 and 4 threads on awkward batches (one row, a partial row tile of 4, more tiles than threads).
 */
import { describe, expect, it } from 'vitest';
import {
  gemmPackedB, gruCellBackward, gruCellForward, gruSequenceBackward, gruSequenceForward, loadKernels, packB, packedBFloats, rnnCellBackward,
  rnnCellForward, rnnSequenceBackward, rnnSequenceForward, type Isa, type Kernels,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

/** T x B x H. */
const SHAPES: Array<[number, number, number]> = [[3, 1, 5], [4, 5, 7], [2, 9, 17], [3, 13, 4]];

/** Buffers for a layer of `gates` gate blocks (GRU 3, RNN 1); gx and gh are [T, B, G], hs [T + 1, B, H]. */
function setup(k: Kernels, T: number, B: number, H: number, gates: number, seed: number) {
  const rand = rng(seed);
  const G = gates * H, TB = T * B, BH = B * H;
  const preX = uniform(rand, TB * G, -2, 2), preH = uniform(rand, TB * G, -0.5, 0.5);
  const whh = put(k, uniform(rand, G * H, -0.5, 0.5));
  const whhT = packB(k, true, H, G, whh, H, k.arena.alloc(packedBFloats(k, H, G) * 4));
  const whhB = packB(k, false, G, H, whh, H, k.arena.alloc(packedBFloats(k, G, H) * 4));
  const h0 = uniform(rand, BH, -1, 1), dFinal = uniform(rand, BH, -1, 1);
  const dy = put(k, uniform(rand, TB * H, -1, 1));
  const mask = put(k, Float32Array.from({ length: TB }, (_, i) => (Math.floor(i / B) <= (i % B) % T ? 1 : 0)));
  const gx = k.arena.alloc(TB * G * 4), gh = k.arena.alloc(TB * G * 4), dgx = k.arena.alloc(TB * G * 4), dgh = k.arena.alloc(TB * G * 4);
  const hs = k.arena.alloc((T + 1) * BH * 4), dh = k.arena.alloc(BH * 4);
  const reset = (reverse: boolean) => {
    k.arena.f32(gx, TB * G).set(preX);
    k.arena.f32(gh, TB * G).set(preH);
    k.arena.f32(hs, (T + 1) * BH).fill(NaN);
    k.arena.f32(hs + (reverse ? T : 0) * BH * 4, BH).set(h0);
    k.arena.f32(dh, BH).set(dFinal);
    for (const p of [dgx, dgh]) k.arena.f32(p, TB * G).fill(NaN);
  };
  const all = [[gx, TB * G], [gh, TB * G], [hs, (T + 1) * BH], [dh, BH], [dgx, TB * G], [dgh, TB * G]] as const;
  return { G, BH, whhT, whhB, dy, mask, gx, gh, dgx, dgh, hs, dh, reset, outputs: gates === 3 ? all : all.filter(([p]) => p !== gh && p !== dgh) };
}

const at = (p: number, row: number, width: number) => p + row * width * 4;

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`GRU and RNN sequence kernels (${isa})`, () => {
    const cases = [
      { name: 'GRU', gates: 3 },
      { name: 'RNN tanh', gates: 1, act: 'tanh' as const },
      { name: 'RNN relu', gates: 1, act: 'relu' as const },
    ];
    for (const c of cases) {
      const run = (k: Kernels, s: ReturnType<typeof setup>, T: number, B: number, H: number, m: number, reverse: boolean) => {
        const d = { T, B, H };
        if (c.act === undefined) {
          gruSequenceForward(k, d, s.gx, s.gh, s.hs, s.whhT, m, reverse);
          gruSequenceBackward(k, d, s.gx, s.gh, s.hs, s.dy, s.dh, s.dgx, s.dgh, s.whhB, m, reverse);
        } else {
          rnnSequenceForward(k, d, s.gx, s.hs, s.whhT, c.act, m, reverse);
          rnnSequenceBackward(k, d, s.hs, s.dy, s.dh, s.dgx, s.whhB, c.act, m, reverse);
        }
      };

      it(`${c.name}: the bits of the per-step GEMM and cell kernels, forward and backward`, async () => {
        const k = await loadKernels({ isa });
        for (const [T, B, H] of SHAPES) {
          const s = setup(k, T, B, H, c.gates, 5 * T + B + c.gates);
          for (const reverse of [false, true]) {
            for (const m of [0, s.mask]) {
              const slot = (t: number) => (reverse ? t : t + 1), prev = (t: number) => (reverse ? t + 1 : t);
              const mt = (t: number) => (m === 0 ? 0 : m + t * B * 4);
              s.reset(reverse);
              run(k, s, T, B, H, m, reverse);
              const want = s.outputs.map(([p, n]) => new Uint32Array(k.memory.buffer, p, n).slice());
              s.reset(reverse);
              const G = s.G;
              for (let i = 0; i < T; i++) {
                const t = reverse ? T - 1 - i : i;
                const hPrev = at(s.hs, prev(t) * B, H), hOut = at(s.hs, slot(t) * B, H);
                if (c.act === undefined) {
                  gemmPackedB(k, false, B, 1, hPrev, H, s.whhT, 1, at(s.gh, t * B, G), G);
                  gruCellForward(k, { B, H }, at(s.gx, t * B, G), at(s.gh, t * B, G), hPrev, hOut, mt(t));
                } else {
                  gemmPackedB(k, false, B, 1, hPrev, H, s.whhT, 1, at(s.gx, t * B, G), G);
                  rnnCellForward(k, { B, H }, at(s.gx, t * B, G), hPrev, hOut, c.act, mt(t));
                }
              }
              for (let i = T - 1; i >= 0; i--) {
                const t = reverse ? T - 1 - i : i;
                if (c.act === undefined) {
                  gruCellBackward(k, { B, H }, at(s.gx, t * B, G), at(s.gh, t * B, G), at(s.hs, prev(t) * B, H), at(s.dy, t * B, H), s.dh, at(s.dgx, t * B, G), at(s.dgh, t * B, G), mt(t));
                  gemmPackedB(k, false, B, 1, at(s.dgh, t * B, G), G, s.whhB, 1, s.dh, H);
                } else {
                  rnnCellBackward(k, { B, H }, at(s.hs, slot(t) * B, H), at(s.dy, t * B, H), s.dh, at(s.dgx, t * B, G), c.act, mt(t));
                  gemmPackedB(k, false, B, 1, at(s.dgx, t * B, G), G, s.whhB, 1, s.dh, H);
                }
              }
              s.outputs.forEach(([p, n], o) => {
                const got = new Uint32Array(k.memory.buffer, p, n);
                const i = want[o]!.findIndex((v, j) => v !== got[j]);
                expect(i, `${c.name} ${T}x${B}x${H} reverse ${reverse} mask ${m !== 0}: output ${o} differs at ${i}`).toBe(-1);
              });
              expect(new Float32Array(k.memory.buffer, s.dh, s.BH).some((v) => v !== 0)).toBe(true);
            }
          }
        }
      });

      it(`${c.name}: the same bits at 1, 2, 3 and 4 threads`, async () => {
        const k = await loadKernels({ isa });
        await splittingEverything(async () => {
          for (const [T, B, H] of SHAPES) {
            const s = setup(k, T, B, H, c.gates, 3 * T + B);
            for (const reverse of [false, true]) {
              for (const m of [0, s.mask]) {
                await expectSameBitsAcrossThreads(k, `${c.name} sequence ${T}x${B}x${H} reverse ${reverse} mask ${m !== 0}`, () => s.reset(reverse), () => run(k, s, T, B, H, m, reverse), s.outputs);
              }
            }
          }
        });
      });
    }

    it('name the op and the sizes when a packed W_hh does not fit', async () => {
      const k = await loadKernels({ isa });
      const s = setup(k, 2, 3, 5, 3, 1);
      expect(() => gruSequenceForward(k, { T: 2, B: 3, H: 5 }, s.gx, s.gh, s.hs, s.whhB, 0, false)).toThrow(/gruSequenceForward: whhT is packed as 15 x 5, expected 5 x 15/);
      expect(() => rnnSequenceBackward(k, { T: 2, B: 3, H: 5 }, s.hs, s.dy, s.dh, s.dgx, s.whhB, 'tanh', 0, false)).toThrow(/rnnSequenceBackward: whh is packed as 15 x 5, expected 5 x 5/);
    });
  });
}
