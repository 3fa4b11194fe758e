/**
 * The annealing loop of annealedImportanceSampling (rbm-partition.ts): per temperature two GEMMs
 * against the weights packed once (W^T for the hidden inputs, W for the visible ones), and one fused
 * kernel call per half-step (kernels' aisHiddenStep: the log-weight increment and the hidden sample;
 * aisVisibleStep: the visible logits and sample), split over threads by rows. Buffers are allocated
 * once for all temperatures. The samples are the bits the separate ops (linear, bernoulliSigmoid,
 * add / affine) gave, with the same keys drawn from the generator in the same order.
 */
import { aisHiddenStep, aisVisibleStep, copy, copyStrided, gemmPackedB, packB, packedBFloats } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { add, affine, sub } from '../functional/elementwise.js';
import { fromArray, zeros } from '../functional/creation.js';
import type { Generator } from '../random/generator.js';
import { bernoulliSigmoid, normalAround } from './sampling.js';
import type { RBM } from './rbm.js';

/**
 * Runs `runs` annealing chains from the base-rate model (visible biases bA) through `betas` (0 .. 1),
 * adding each step's log p*_k(v) - log p*_{k-1}(v) into logW. Call inside noGrad.
 */
export function annealRuns(rbm: RBM, bA: Float32Array, betas: Float64Array, runs: number, logW: Float64Array, g: Generator): void {
  const V = rbm.nVisible, H = rbm.nHidden, gaussian = rbm.visible === 'gaussian';
  const k = rbm.weight.k, W = rbm.weight.ptr;
  const gen = { generator: g };
  const owned: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (owned.push(t.keep()), t);
  try {
    const baseBias = keep(fromArray(bA, [V]));
    const bDiff = keep(sub(rbm.visibleBias, baseBias)); // b - bA
    // v_0 from the base model; then v is overwritten in place by each visible half-step.
    const v = keep(tidy(() => {
      const logits = add(zeros([runs, V]), baseBias);
      return gaussian ? normalAround(logits, 1, gen) : bernoulliSigmoid(logits, gen).sample;
    }));
    const wT = packB(k, true, V, H, W, V, keep(Tensor.empty([packedBFloats(k, V, H)], k)).ptr); // op(B) = W^T: v W^T
    const w = packB(k, false, H, V, W, V, keep(Tensor.empty([packedBFloats(k, H, V)], k)).ptr); // B = W: h W
    const x = keep(Tensor.empty([runs, H], k)), h = keep(Tensor.empty([runs, H], k)), y = keep(Tensor.empty([runs, V], k));
    const inc = keep(Tensor.empty([runs], k));
    for (let t = 1; t < betas.length; t++) {
      const b1 = betas[t - 1]!, b2 = betas[t]!, last = t === betas.length - 1;
      // x = v W^T + c, written as linear writes it (bias rows, then the GEMM onto them).
      copyStrided(k, x.ptr, [H, 1], rbm.hiddenBias.ptr, [0, 1], [runs, H]);
      gemmPackedB(k, false, runs, 1, v.ptr, V, wT, 1, x.ptr, H);
      // The last step needs only the increment: its sample is discarded, so it takes no key from g.
      const key = last ? { k0: 0, k1: 0 } : { k0: g.nextU32(), k1: g.nextU32() };
      aisHiddenStep(k, x.ptr, v.ptr, bDiff.ptr, inc.ptr, h.ptr, runs, H, V, b1, b2, key);
      const d = inc.data;
      for (let r = 0; r < runs; r++) logW[r] += d[r]!;
      if (last) break;
      gemmPackedB(k, false, runs, 1, h.ptr, H, w, 0, y.ptr, V);
      if (!gaussian) {
        aisVisibleStep(k, y.ptr, bDiff.ptr, baseBias.ptr, v.ptr, runs, V, b2, { k0: g.nextU32(), k1: g.nextU32() });
      } else {
        // (1 - β) bA + β (b + W^T h) as the mean of unit-variance Gaussian units.
        tidy(() => copy(k, v.ptr, normalAround(add(affine(add(y, bDiff), b2), baseBias), 1, gen).ptr, runs * V));
      }
    }
  } finally {
    for (const t of owned) t.dispose();
  }
}
