/**
 * The multi-tensor Adam (adamUpdateMulti: one call for several parameters) against one adamUpdate per
 * tensor: the same bits, on tensors of awkward sizes (1, 3, 4, 5, 17, 1001 floats), with and without
 * AMSGrad and decoupled weight decay, over several steps; and across threads (the tensors laid end to
 * end and cut at multiples of 16 floats, inside tensors too): the same bits at 1 to 4 threads.
 */
import { describe, expect, it } from 'vitest';
import { adamUpdate, adamUpdateMulti, loadKernels, type AdamArgs, type AdamTensor, type Isa, type Kernels } from '../src/index.js';
import { rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

const SIZES = [1, 3, 4, 5, 17, 1001, 37];

/** Tensors p, g, m, v, vmax of each size, filled from a seeded generator. */
function make(k: Kernels, amsgrad: boolean): { tensors: AdamTensor[]; all: number[]; reset: () => void } {
  const rand = rng(9);
  const init = SIZES.map((n) => [uniform(rand, n, -1, 1), uniform(rand, n, -1, 1), uniform(rand, n, -0.1, 0.1), uniform(rand, n, 0, 0.01), uniform(rand, n, 0, 0.02)]);
  const tensors = SIZES.map((n) => {
    const [p, g, m, v, vmax] = [0, 1, 2, 3, 4].map(() => k.arena.alloc(n * 4));
    return { p: p!, g: g!, m: m!, v: v!, vmax: amsgrad ? vmax! : 0, n, spare: vmax! };
  });
  const reset = () =>
    tensors.forEach((t, i) => [t.p, t.g, t.m, t.v, t.spare].forEach((ptr, b) => k.arena.f32(ptr, t.n).set(init[i]![b]!)));
  reset();
  return { tensors, all: tensors.flatMap((t) => [t.p, t.g, t.m, t.v, t.spare]), reset };
}

const VARIANTS: Array<[string, Omit<AdamArgs, 'step'>]> = [
  ['Adam', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false }],
  ['Adam, L2 decay, AMSGrad', { lr: 3e-3, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, decoupled: false, amsgrad: true }],
  ['AdamW', { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, amsgrad: false }],
];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`multi-tensor Adam (${isa})`, () => {
    it.each(VARIANTS)('%s: the bits of one adamUpdate per tensor', async (_n, a) => {
      const k = await loadKernels({ isa });
      const one = make(k, a.amsgrad);
      const multi = make(k, a.amsgrad);
      for (let step = 1; step <= 4; step++) {
        for (const t of one.tensors) adamUpdate(k, t.p, t.g, t.m, t.v, t.vmax, t.n, { ...a, step });
        adamUpdateMulti(k, multi.tensors, { ...a, step });
      }
      one.tensors.forEach((t, i) => {
        const u = multi.tensors[i]!;
        for (const [x, y, what] of [[t.p, u.p, 'p'], [t.m, u.m, 'm'], [t.v, u.v, 'v']] as const) {
          expect(Array.from(k.arena.f32(y, t.n)), `${what} of the ${t.n}-float tensor`).toEqual(Array.from(k.arena.f32(x, t.n)));
        }
      });
    });

    it('across threads: the same bits at 1 to 4 threads', async () => {
      const k = await loadKernels({ isa });
      await splittingEverything(async () => {
        for (const [name, a] of VARIANTS) {
          const { tensors, reset } = make(k, a.amsgrad);
          const outputs = tensors.flatMap((t) => [[t.p, t.n], [t.m, t.n], [t.v, t.n]] as Array<[number, number]>);
          await expectSameBitsAcrossThreads(k, name, reset, () => {
            adamUpdateMulti(k, tensors, { ...a, step: 1 });
            adamUpdateMulti(k, tensors, { ...a, step: 2 });
          }, outputs);
        }
      });
    });

    it('rejects a step below 1', async () => {
      const k = await loadKernels({ isa });
      expect(() => adamUpdateMulti(k, [], { ...VARIANTS[0]![1], step: 0 })).toThrow(/step must be >= 1/);
    });
  });
}
