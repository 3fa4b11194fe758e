/** GEMM split over threads: the same bits at 1, 2, 3 and 4 threads, on both builds, at awkward shapes. */
import { describe, expect, it } from 'vitest';
import { gemm, gemmMany, gemmPackedB, loadKernels, packB, packedBFloats, type Isa } from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

// M x N x K: one row or column (the matrix-vector path), tile remainders, more threads than rows, a deep K,
// a C twice as tall as wide (row panels although wide enough for column panels), A packed once for
// 32-column panels (2^24+ multiply-adds: odd rows, two K blocks, A packed by the threads; a small A packed
// by the caller).
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [1, 37, 5], [5, 1, 9], [2, 3, 1], [3, 5, 7], [4, 8, 16], [5, 9, 17], [7, 13, 33],
  [9, 70, 3], [65, 129, 513], [130, 9, 17], [33, 1030, 20], [1, 300, 40], [301, 1, 40], [520, 260, 9], [131, 520, 530], [9, 30101, 62],
];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`GEMM across threads (${isa})`, () => {
    it('gives the same bits at 1, 2, 3 and 4 threads', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(7);
      await splittingEverything(async () => {
        for (const [M, N, K] of SHAPES) {
          for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            for (const beta of [0, 0.5]) {
              const A = uniform(rand, M * K, -1, 1);
              const B = uniform(rand, K * N, -1, 1);
              const C = uniform(rand, M * N, -1, 1);
              const pa = put(k, A), pb = put(k, B), pc = put(k, C);
              await expectSameBitsAcrossThreads(
                k, `gemm ${M}x${N}x${K} tA=${tA} tB=${tB} beta=${beta}`,
                () => k.arena.f32(pc, C.length).set(C),
                () => gemm(k, tA, tB, M, N, K, 1.25, pa, tA ? M : K, pb, tB ? K : N, beta, pc, N),
                [[pc, M * N]],
              );
              for (const p of [pa, pb, pc]) k.arena.free(p);
            }
          }
        }
      });
    });

    // The column panels that pack op(A) between them as they need it (f32_gemm_4x8_shared_a, 2^24+
    // multiply-adds, 128+ columns a thread): odd sizes and tile remainders, one to four blocks of 128
    // rows (fewer than threads at 3 and 4), packing units of 8 to 128 rows (8 units of one block:
    // 61 x 2100), several K blocks, padded leading dimensions, alpha/beta.
    it('gives the same bits when the threads pack op(A) between them', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(9);
      const pad = 3;
      await splittingEverything(async () => {
        for (const [M, N, K] of [[261, 263, 257], [130, 600, 230], [5, 2053, 1700], [300, 1030, 57], [389, 521, 90], [61, 530, 2100]] as const) {
          const A = uniform(rand, Math.max(M, K) * (Math.max(M, K) + pad), -1, 1);
          const B = uniform(rand, Math.max(N, K) * (Math.max(N, K) + pad), -1, 1);
          const C = uniform(rand, M * (N + pad), -1, 1);
          const pa = put(k, A), pb = put(k, B), pc = put(k, C);
          for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            for (const [alpha, beta] of [[1.25, 0], [-0.5, 0.5], [1, 1]] as const) {
              await expectSameBitsAcrossThreads(
                k, `gemm ${M}x${N}x${K} tA=${tA} tB=${tB} alpha=${alpha} beta=${beta}`,
                () => k.arena.f32(pc, C.length).set(C),
                () => gemm(k, tA, tB, M, N, K, alpha, pa, (tA ? M : K) + pad, pb, (tB ? K : N) + pad, beta, pc, N + pad),
                [[pc, C.length]],
              );
            }
          }
          for (const p of [pa, pb, pc]) k.arena.free(p);
        }
      });
    });

    // One call of the kernel alone, against f32_gemm_4x8's bits: from any slot, with packing units of
    // 4 to 128 rows (3 blocks of 128 rows, the last partial), and with units another call claimed and
    // never finished packing (flag 2 gen - 1): it waits, then packs them itself. The flags hold what
    // earlier GEMMs left (0 or 2 gen - 2: free for GEMM number gen).
    it('packs the units of op(A) it needs, whoever claimed them', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(10);
      const f = (name: string) => k.exports[name] as (...a: number[]) => number;
      const [M, N, K] = [301, 70, 600];
      const A = uniform(rand, M * K, -1, 1);
      const B = uniform(rand, K * N, -1, 1);
      const C = uniform(rand, M * N, -1, 1);
      const pa = put(k, A), pb = put(k, B), pc = put(k, C);
      const work = k.arena.alloc(f('gemm_workspace_bytes')());
      const packedFloats = ((M + 3) & ~3) * K;
      const packed = k.arena.alloc(packedFloats * 4 + 4 * 76);
      const flags = packed + packedFloats * 4;
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const args = [+tA, +tB, M, N, K, 0.75, pa, tA ? M : K, pb, tB ? K : N, 0.5, pc, N, work];
        k.arena.f32(pc, C.length).set(C);
        f('f32_gemm_4x8')(...args);
        const want = new Uint32Array(k.memory.buffer, pc, C.length).slice();
        const cases = [[128, 0, 1, [], 1], [128, 2, 3, [0, 2], 2], [4, 1, 2, [0, 5, 75], 7], [16, 3, 4, [1, 2, 3, 18], 1], [64, 1, 2, [0, 1, 2, 3, 4], 3]] as const;
        for (const [rows, slot, slots, stalled, gen] of cases) {
          const units = Math.ceil(M / rows);
          const claimed = Array.from({ length: units }, (_, u) => ((stalled as readonly number[]).includes(u) ? 2 * gen - 1 : u % 2 === 0 ? 0 : 2 * gen - 2));
          k.arena.f32(pc, C.length).set(C);
          k.arena.f32(packed, packedFloats).fill(NaN);
          k.arena.i32(flags, units).set(claimed);
          f('f32_gemm_4x8_shared_a')(...args, packed, flags, rows, slot, slots, 0, 8, 8, gen);
          const what = `tA=${tA} tB=${tB} ${rows}-row units, slot ${slot} of ${slots}, stalled ${stalled.join(',')}, GEMM ${gen}`;
          const got = new Uint32Array(k.memory.buffer, pc, C.length);
          const i = want.findIndex((v, j) => v !== got[j]);
          expect(i, `${what}: C[${i}]`).toBe(-1);
          // The units it claimed are marked packed; those of the stalled call stay claimed.
          expect(Array.from(k.arena.i32(flags, units)), what).toEqual(claimed.map((c) => (c === 2 * gen - 1 ? c : 2 * gen)));
        }
      }
      for (const p of [pa, pb, pc, work, packed]) k.arena.free(p);
    });

    // The claims of columns: regions of whole 8-column slivers, one i64 word each 64 bytes apart (the
    // GEMM's number, then the columns taken). A call takes what is left of every region from its own on,
    // in chunks of [minCols, maxCols]; columns a stalled call took (the words preset with this GEMM's
    // number) stay as they were, a word an earlier GEMM left counts as none taken, and every word ends
    // at its region's size with this GEMM's number.
    it('computes the columns left in every region, from any slot', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(11);
      const f = (name: string) => k.exports[name] as (...a: number[]) => number;
      const [M, N, K] = [37, 203, 530];
      const A = uniform(rand, M * K, -1, 1);
      const B = uniform(rand, K * N, -1, 1);
      const C = uniform(rand, M * N, -1, 1);
      const pa = put(k, A), pb = put(k, B), pc = put(k, C);
      const work = k.arena.alloc(f('gemm_workspace_bytes')());
      const packedFloats = ((M + 3) & ~3) * K;
      const packed = k.arena.alloc(packedFloats * 4 + 64 + 4 * 64);
      const flags = packed + packedFloats * 4;
      const claims = flags + 64;
      const args = [0, 1, M, N, K, -0.75, pa, K, pb, K, 0.5, pc, N, work];
      k.arena.f32(pc, C.length).set(C);
      f('f32_gemm_4x8')(...args);
      const want = new Uint32Array(k.memory.buffer, pc, C.length).slice();
      const before = new Uint32Array(new Float32Array(C).buffer);
      // [slots, slot, minCols, maxCols, columns already taken per region, GEMM number]
      const cases = [[1, 0, 8, 8, [0], 1], [2, 1, 8, 16, [0, 0], 2], [3, 2, 16, 64, [24, 0, 8], 5], [4, 0, 8, 24, [48, 16, 0, 40], 1], [2, 0, 8, 1024, [104, 0], 9]] as const;
      for (const [slots, slot, minCols, maxCols, taken, gen] of cases) {
        const slivers = Math.ceil(N / 8);
        const start = (r: number) => Math.floor((r * slivers) / slots) * 8;
        const size = (r: number) => Math.min(N, Math.floor(((r + 1) * slivers) / slots) * 8) - start(r);
        k.arena.f32(pc, C.length).set(C);
        k.arena.i32(flags, 1).fill(0);
        const words = k.arena.i32(claims, 64);
        // None taken: an earlier GEMM's word (its number below gen, any count).
        taken.forEach((t, r) => ([words[r * 16], words[r * 16 + 1]] = t > 0 ? [t, gen] : [77, gen - 1]));
        f('f32_gemm_4x8_shared_a')(...args, packed, flags, 128, slot, slots, claims, minCols, maxCols, gen);
        const what = `slot ${slot} of ${slots}, chunks ${minCols}-${maxCols}, taken ${taken.join(',')}, GEMM ${gen}`;
        const got = new Uint32Array(k.memory.buffer, pc, C.length);
        for (let r = 0; r < slots; r++) {
          expect(Array.from(k.arena.i32(claims + r * 64, 2)), `${what}: region ${r}'s word`).toEqual([size(r), gen]);
          for (let i = 0; i < M; i++) {
            for (let j = start(r); j < start(r) + size(r); j++) {
              const expected = j - start(r) < taken[r]! ? before[i * N + j] : want[i * N + j];
              if (got[i * N + j] !== expected) expect(got[i * N + j], `${what}: C[${i}][${j}]`).toBe(expected);
            }
          }
        }
      }
      for (const p of [pa, pb, pc, work, packed]) k.arena.free(p);
    });

    // With `states`, slot 0 never waits for a descheduled thread: the others compute each chunk in their
    // own buffer and commit it by compare-exchange. Slot 0 alone, region 1 all taken but chunk X still
    // COMPUTING in slot 1 (its other columns written): slot 0 computes its own region and X, marks slot 1
    // ABANDONED and returns 1. Slot 1 alone (region 0 done): its region through its buffer, back to IDLE,
    // returns 0. A call that finds a newer GEMM's words (it was abandoned, its GEMM is over) writes nothing.
    it('lets slot 0 take over a chunk a descheduled thread holds', async () => {
      const [M, N] = [37, 203];
      const { k, f, pc, C, args, want, before, claims, states, flags, packed, maxCols, free } = await sharedASetup(isa, 12, M, N, 130, 0.75, 0.5);
      const slivers = Math.ceil(N / 8);
      const start = (r: number) => Math.floor((r * slivers) / 2) * 8;
      const size = (r: number) => Math.min(N, Math.floor(((r + 1) * slivers) / 2) * 8) - start(r);
      const words = (p: number, n: number) => k.arena.i32(p, n);
      const cBits = () => new Uint32Array(k.memory.buffer, pc, C.length);
      const gen = 4;
      const [COMPUTING, ABANDONED, IDLE] = [2, 5, 6];
      const x0 = start(1) + 8, xCols = 16;
      // Slot 0: C holds region 1's columns other than X as computed, the rest as before.
      const c0 = Uint32Array.from(before, (v, i) => (i % N >= start(1) && (i % N < x0 || i % N >= x0 + xCols) ? want[i]! : v));
      cBits().set(c0);
      words(flags, 16).fill(0);
      words(claims, 32).set([0, gen - 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, size(1), gen, size(1) - xCols, gen]);
      words(states, 32).set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COMPUTING, gen, xCols, x0]);
      expect(f('f32_gemm_4x8_shared_a')(...args, packed, flags, 32, 0, 2, claims, 8, maxCols, gen, states), 'slot 0 ends the job').toBe(1);
      expect(cBits().findIndex((v, i) => v !== want[i]), 'slot 0: first wrong element').toBe(-1);
      expect(Array.from(words(states + 64, 2)), "slot 1's phase").toEqual([ABANDONED, gen]);
      expect([0, 1].map((r) => Array.from(words(claims + 64 * r + 8, 2))), 'columns written per region').toEqual([[size(0), gen], [size(1), gen]]);
      expect(words(states + 8, 1)[0], 'chunks taken over').toBe(1);
      // Slot 1: region 0 computed and counted, region 1 free.
      cBits().set(Uint32Array.from(before, (v, i) => (i % N < start(1) ? want[i]! : v)));
      words(claims, 32).set([size(0), gen + 1, size(0), gen + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, gen, 0, 0]);
      words(states + 64, 4).fill(0);
      expect(f('f32_gemm_4x8_shared_a')(...args, packed, flags, 32, 1, 2, claims, 8, maxCols, gen + 1, states), 'slot 1').toBe(0);
      expect(cBits().findIndex((v, i) => v !== want[i]), 'slot 1: first wrong element').toBe(-1);
      expect(Array.from(words(states + 64, 2)), "slot 1's phase").toEqual([IDLE, gen + 1]);
      expect(Array.from(words(claims + 64 + 8, 2)), "region 1's columns written").toEqual([size(1), gen + 1]);
      // A late call of GEMM gen + 1 finds GEMM gen + 2's words: it leaves, C and the words untouched.
      cBits().set(before);
      words(claims, 32).set([0, gen + 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, gen + 2, 0, 0]);
      const claimWords = Array.from(words(claims, 32));
      expect(f('f32_gemm_4x8_shared_a')(...args, packed, flags, 32, 1, 2, claims, 8, maxCols, gen + 1, states), 'late call').toBe(0);
      expect(cBits().findIndex((v, i) => v !== before[i]), 'late call: first element written').toBe(-1);
      expect(Array.from(words(claims, 32)), 'late call: claim words').toEqual(claimWords);
      free();
    });

    // A thread that stays PACKING (it failed there, or the OS holds it) cannot be taken over: slot 0,
    // its own region done, gives up after about a second and returns 0, so the pool waits for every call
    // (and reports a failed one) instead of slot 0 spinning in WebAssembly for good. It writes nothing
    // of the chunk it left, and the other slot's phase stays as it was.
    it("leaves a thread stuck packing to the pool's wait", async () => {
      const N = 64;
      const { k, f, pc, C, args, want, before, claims, states, flags, packed, maxCols, free } = await sharedASetup(isa, 13, 21, N, 130, 1, 0);
      const words = (p: number, n: number) => k.arena.i32(p, n);
      const gen = 7, PACKING = 3;
      // Region 1 (columns 32-63) all taken by slot 1, none written; slot 1 PACKING for columns 32-47.
      words(flags, 16).fill(0);
      words(claims, 32).set([0, gen - 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, gen, 0, gen]);
      words(states, 32).set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, PACKING, gen, 16, 32]);
      expect(f('f32_gemm_4x8_shared_a')(...args, packed, flags, 32, 0, 2, claims, 8, maxCols, gen, states), 'slot 0 gives up').toBe(0);
      const got = new Uint32Array(k.memory.buffer, pc, C.length);
      expect(got.findIndex((v, i) => (i % N < 32 ? v !== want[i] : v !== before[i])), 'first element not as expected').toBe(-1);
      expect(Array.from(words(states + 64, 4)), "slot 1's phase and chunk").toEqual([PACKING, gen, 16, 32]);
      expect(Array.from(words(claims + 64 + 8, 2)), "region 1's columns written").toEqual([0, gen]);
      free();
    });

    it('gives the same bits with a packed B', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(8);
      await splittingEverything(async () => {
        for (const [M, N, K] of [[1, 9, 3], [5, 8, 7], [13, 17, 600], [64, 130, 33], [3, 300, 5], [2, 1001, 3]] as const) {
          const A = uniform(rand, M * K, -1, 1);
          const B = uniform(rand, K * N, -1, 1);
          const C = uniform(rand, M * N, -1, 1);
          const pa = put(k, A), pb = put(k, B), pc = put(k, C);
          const packed = packB(k, false, K, N, pb, N, k.arena.alloc(packedBFloats(k, K, N) * 4));
          // Packing itself splits by panels: the same packed bits, from B and from its transpose.
          const other = k.arena.alloc(packedBFloats(k, K, N) * 4);
          for (const tB of [false, true]) {
            await expectSameBitsAcrossThreads(
              k, `packB ${K}x${N} tB=${tB}`, () => k.arena.f32(other, packedBFloats(k, K, N)).fill(NaN),
              () => packB(k, tB, K, N, pb, tB ? K : N, other), [[other, packedBFloats(k, K, N)]],
            );
          }
          k.arena.free(other);
          for (const tA of [false, true]) {
            await expectSameBitsAcrossThreads(
              k, `gemmPackedB ${M}x${N}x${K} tA=${tA}`,
              () => k.arena.f32(pc, C.length).set(C),
              () => gemmPackedB(k, tA, M, 0.75, pa, tA ? M : K, packed, 1, pc, N),
              [[pc, M * N]],
            );
          }
          for (const p of [pa, pb, pc, packed.ptr]) k.arena.free(p);
        }
      });
    });
  
    // Several products in one job (an LSTM's input and weight gradients): the bits of separate gemm()
    // calls at one thread, and the same at 1-4 threads: transposed A over a deep K (row panels), a
    // tile remainder, a matrix-vector product and a product that packs op(A) once (both run apart),
    // K = 0 (C scaled by beta), and more threads than rows.
    it('runs several products in one job with the bits of separate calls', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(11);
      const shapes: Array<[boolean, boolean, number, number, number]> = [
        [true, false, 68, 9, 130], [true, false, 68, 17, 130], [false, false, 130, 9, 68], [false, true, 3, 5, 7],
        [false, false, 1, 40, 33], [false, false, 5, 2053, 1700], [true, true, 6, 11, 0], [false, false, 2, 70, 300],
      ];
      const calls = shapes.map(([transA, transB, M, N, K]) => {
        const a = put(k, uniform(rand, Math.max(1, M * K), -1, 1));
        const b = put(k, uniform(rand, Math.max(1, K * N), -1, 1));
        const C = uniform(rand, M * N, -1, 1);
        const c = put(k, C);
        return { C, call: { transA, transB, M, N, K, alpha: 1, a, lda: Math.max(1, transA ? M : K), b, ldb: Math.max(1, transB ? K : N), beta: K === 0 ? 0.5 : 0, c, ldc: N } };
      });
      const outputs = calls.map(({ call }) => [call.c, call.M * call.N] as const);
      const prepare = () => calls.forEach(({ C, call }) => k.arena.f32(call.c, C.length).set(C));
      prepare();
      for (const { call: g } of calls) gemm(k, g.transA, g.transB, g.M, g.N, g.K, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc);
      const want = outputs.map(([p, n]) => new Uint32Array(k.memory.buffer, p, n).slice());
      prepare();
      gemmMany(k, calls.map((c) => c.call));
      outputs.forEach(([p, n], o) => expect(new Uint32Array(k.memory.buffer, p, n).findIndex((v, j) => v !== want[o]![j]), `product ${o}`).toBe(-1));
      await splittingEverything(() => expectSameBitsAcrossThreads(k, 'gemmMany', prepare, () => gemmMany(k, calls.map((c) => c.call)), outputs));
    });
  });
}

/**
 * A GEMM for calling f32_gemm_4x8_shared_a by hand with states (the takeover tests): C = alpha A B +
 * beta C from seeded A, B, C; `want` the bits f32_gemm_4x8 gives, C reset to `before` after; one block
 * holding the claim words, the states (64 bytes a slot), the unit flags and the packed op(A); a workspace
 * with room for a chunk of maxCols columns.
 */
async function sharedASetup(isa: Isa, seed: number, M: number, N: number, K: number, alpha: number, beta: number) {
  const k = await loadKernels({ isa });
  const rand = rng(seed);
  const f = (name: string) => k.exports[name] as (...a: number[]) => number;
  const A = uniform(rand, M * K, -1, 1);
  const B = uniform(rand, K * N, -1, 1);
  const C = uniform(rand, M * N, -1, 1);
  const pa = put(k, A), pb = put(k, B), pc = put(k, C);
  const maxCols = 16;
  const work = k.arena.alloc(f('gemm_workspace_bytes')() + M * maxCols * 4);
  const block = k.arena.alloc(((M + 3) & ~3) * K * 4 + 64 + 2 * 64 * 64);
  const claims = block, states = block + 64 * 64, flags = block + 2 * 64 * 64, packed = flags + 64;
  const args = [0, 0, M, N, K, alpha, pa, K, pb, N, beta, pc, N, work];
  f('f32_gemm_4x8')(...args);
  const want = new Uint32Array(k.memory.buffer, pc, C.length).slice();
  k.arena.f32(pc, C.length).set(C);
  const before = new Uint32Array(new Float32Array(C).buffer);
  const free = () => { for (const p of [pa, pb, pc, work, block]) k.arena.free(p); };
  return { k, f, pc, C, args, want, before, block, claims, states, flags, packed, maxCols, free };
}
