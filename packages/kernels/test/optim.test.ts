/** Fused optimizer kernels against their references, on awkward sizes, several steps, both builds. */
import { describe, expect, it } from 'vitest';
import {
  adadeltaReference, adadeltaUpdate, adagradReference, adagradUpdate, adamReference, adamUpdate,
  loadKernels, rmspropReference, rmspropUpdate, sgdReference, sgdUpdate, sumSquares, type Kernels,
} from '../src/index.js';

const SIZES = [1, 3, 4, 5, 17, 1001];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
}

/** Runs `steps` updates on `buffers` (first is the parameter, second the gradient) both ways and compares. */
function compare(
  k: Kernels,
  n: number,
  nBuffers: number,
  kernelStep: (ptrs: number[], step: number) => void,
  refStep: (arrs: Float32Array[], step: number) => void,
  init: (i: number, rnd: () => number) => number = (_i, rnd) => rnd(),
): void {
  const rnd = lcg(n * 13 + nBuffers);
  const ref = Array.from({ length: nBuffers }, (_, b) => Float32Array.from({ length: n }, () => (b < 2 ? init(b, rnd) : 0)));
  const ptrs = ref.map((a) => {
    const p = k.arena.alloc(n * 4);
    k.arena.f32(p, n).set(a);
    return p;
  });
  for (let step = 1; step <= 5; step++) {
    // A new gradient each step, the same on both sides.
    const g = Float32Array.from({ length: n }, rnd);
    ref[1]!.set(g);
    k.arena.f32(ptrs[1]!, n).set(g);
    kernelStep(ptrs, step);
    refStep(ref, step);
  }
  ref.forEach((want, b) => {
    const got = k.arena.f32(ptrs[b]!, n);
    for (let i = 0; i < n; i++) {
      if (!(Math.abs(got[i]! - want[i]!) <= 1e-5 * Math.max(1, Math.abs(want[i]!)))) {
        throw new Error(`buffer ${b} [${i}] of ${n}: expected ${want[i]}, got ${got[i]}`);
      }
    }
  });
  ptrs.forEach((p) => k.arena.free(p));
}

for (const isa of ['simd128', 'relaxed'] as const) {
  describe(`optimizer kernels (${isa})`, async () => {
    const k = await loadKernels({ isa });

    it.each(SIZES)('SGD with momentum, dampening, Nesterov and weight decay (n = %i)', (n) => {
      for (const a of [
        { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
        { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: false },
        { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0.001, nesterov: true },
      ]) {
        compare(k, n, 3, ([p, g, b], t) => sgdUpdate(k, p!, g!, b!, n, { ...a, first: t === 1 }), ([p, g, b], t) =>
          sgdReference(p!, g!, b!, { ...a, first: t === 1 }),
        );
      }
    });

    it.each(SIZES)('Adam, AMSGrad and AdamW (n = %i)', (n) => {
      for (const a of [
        { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false },
        { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, decoupled: false, amsgrad: true },
        { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, amsgrad: false },
      ]) {
        compare(k, n, 5, ([p, g, m, v, vm], t) => adamUpdate(k, p!, g!, m!, v!, vm!, n, { ...a, step: t }), ([p, g, m, v, vm], t) =>
          adamReference(p!, g!, m!, v!, vm!, { ...a, step: t }),
        );
      }
    });

    it.each(SIZES)('Adagrad, RMSprop (plain, centered with momentum) and Adadelta (n = %i)', (n) => {
      const ag = { lr: 0.1, lrDecay: 0.01, eps: 1e-10, weightDecay: 0.01 };
      compare(k, n, 3, ([p, g, s], t) => adagradUpdate(k, p!, g!, s!, n, { ...ag, step: t }), ([p, g, s], t) =>
        adagradReference(p!, g!, s!, { ...ag, step: t }),
      );
      for (const r of [
        { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
        { lr: 0.01, alpha: 0.9, eps: 1e-8, weightDecay: 0.01, momentum: 0.9, centered: true },
      ]) {
        compare(k, n, 5, ([p, g, s, ga, b]) => rmspropUpdate(k, p!, g!, s!, ga!, b!, n, r), ([p, g, s, ga, b]) =>
          rmspropReference(p!, g!, s!, ga!, b!, r),
        );
      }
      const ad = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0.01 };
      compare(k, n, 4, ([p, g, s, a]) => adadeltaUpdate(k, p!, g!, s!, a!, n, ad), ([p, g, s, a]) => adadeltaReference(p!, g!, s!, a!, ad));
    });

    it.each(SIZES)('sums squares in float64 (n = %i)', (n) => {
      const rnd = lcg(n);
      const x = Float32Array.from({ length: n }, () => rnd() * 100);
      const p = k.arena.alloc(n * 4);
      k.arena.f32(p, n).set(x);
      const want = x.reduce((s, v) => s + v * v, 0);
      expect(sumSquares(k, p, n)).toBeCloseTo(want, 6);
      k.arena.free(p);
    });
  });
}
