/**
 * An RBM's partition function Z = sum over v, h of exp(-E(v, h)): exactly by enumerating the smaller
 * layer (up to 24 units; for Gaussian visible units the hidden layer, integrating v in closed form),
 * and by annealed importance sampling (Neal 2001; Salakhutdinov and Murray 2008). With log Z, the
 * average log-likelihood of data is mean(-F(v)) - log Z, in nats.
 */
import { Tensor } from '../tensor/tensor.js';
import { noGrad, tidy } from '../tensor/scope.js';
import { add, affine, mul } from '../functional/elementwise.js';
import { sum } from '../functional/reduce.js';
import { fromArray } from '../functional/creation.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { checkGenerator, checkOptions, int, optionKeys } from '../check/options.js';
import { formatShape } from '../tensor/shape.js';
import { softplusRowSum } from './softplus.js';
import { annealRuns } from './ais-runs.js';
import type { RBM } from './rbm.js';

/** Largest layer enumerated by exactLogPartition (2^24 states). */
export const MAX_ENUMERATED_UNITS = 24;

/** log(sum_i exp(x_i)) of plain numbers without overflow (-Infinity for none or all -Infinity). */
export function logSumExp(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, xs[i]!);
  if (m === -Infinity) return m;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i]! - m);
  return m + Math.log(s);
}

/** States start .. start + count - 1 of n binary units, one per row (bit j of the index is unit j). */
export function binaryStates(n: number, start: number, count: number): Tensor {
  const t = Tensor.empty([count, n]);
  const d = t.data;
  for (let r = 0; r < count; r++) {
    const s = start + r;
    for (let j = 0; j < n; j++) d[r * n + j] = Math.floor(s / 2 ** j) % 2;
  }
  return t;
}

/** log Z exactly, enumerating the smaller layer (the hidden one for Gaussian visible units). */
export function exactLogPartition(rbm: RBM): number {
  const { nVisible: V, nHidden: H } = rbm;
  const overHidden = rbm.visible === 'gaussian' || H <= V;
  const n = overHidden ? H : V;
  if (n > MAX_ENUMERATED_UNITS) {
    throw new Error(`exactLogPartition: RBM(${V}, ${H}) would enumerate 2^${n} states; at most 2^${MAX_ENUMERATED_UNITS} (use annealedImportanceSampling)`);
  }
  const total = 2 ** n;
  const chunk = Math.max(1, Math.min(total, Math.floor(2 ** 22 / Math.max(V, H))));
  const terms: number[] = [];
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start);
    const part = tidy(() =>
      noGrad(() => {
        const s = binaryStates(n, start, count);
        if (!overHidden) return affine(rbm.freeEnergy(s), -1).toArray(); // -F(v)
        // sum over v for fixed h: binary: prod_i (1 + e^{b_i + (W^T h)_i}); Gaussian: a Gaussian integral.
        const a = rbm.visibleInput(s); // b + W^T h
        const ch = sum(mul(s, rbm.hiddenBias), 1);
        if (rbm.visible === 'binary') return add(ch, softplusRowSum(a)).toArray();
        const bb = sum(mul(rbm.visibleBias, rbm.visibleBias)).item();
        return add(ch, affine(sum(mul(a, a), 1), 0.5, -0.5 * bb + 0.5 * V * Math.log(2 * Math.PI))).toArray();
      }),
    );
    terms.push(logSumExp(part));
  }
  return logSumExp(terms);
}

export interface AISOptions {
  /** Independent annealing runs (default 100). */
  runs?: number;
  /** Intermediate distributions (default 14,501: 500 steps of 1e-3 to 0.5, 4,000 of 1e-4 to 0.9, 10,000 of 1e-5 to 1, as Salakhutdinov and Murray). */
  betas?: number | number[];
  /**
   * Visible biases of the base-rate model (default: zeros, the uniform distribution). Prefer `data`:
   * from the uniform base, AIS underestimates log Z badly on sharp models (PCD-trained RBMs on MNIST:
   * 40+ nats low at 3,000 temperatures, the runs' log weights 60 nats apart).
   */
  baseVisibleBias?: Float32Array | number[];
  /**
   * Binary training data [n, visible]: the base-rate model's visible biases become the log-odds of each
   * unit's mean, clipped to [1e-3, 1 - 1e-3] (Salakhutdinov and Murray's base rate). Not with baseVisibleBias.
   */
  data?: Tensor;
  generator?: Generator;
}
const AIS_OPTIONS = optionKeys<AISOptions>({ runs: true, betas: true, baseVisibleBias: true, data: true, generator: true });

/** Log-odds of each column's mean of binary data [n, visible], means clipped to [1e-3, 1 - 1e-3]: the base-rate model's visible biases. */
export function baseRateBias(data: Tensor): Float32Array {
  if (data.ndim !== 2) throw new Error(`baseRateBias: expected data [n, visible], got ${formatShape(data.shape)}`);
  const rows = data.shape[0]!, V = data.shape[1]!, d = data.toArray();
  const m = new Float64Array(V);
  for (let r = 0; r < rows; r++) for (let i = 0; i < V; i++) m[i] += d[r * V + i]!;
  return Float32Array.from(m, (s) => {
    const p = Math.min(1 - 1e-3, Math.max(1e-3, s / rows));
    return Math.log(p / (1 - p));
  });
}

export interface AISResult {
  /** log of the mean importance weight: the estimate of log Z. */
  logZ: number;
  /** log(mean w -+ 3 standard errors): the estimate's spread (low is -Infinity when the band reaches 0). */
  logZLow: number;
  logZHigh: number;
  /** Each run's log importance weight plus log Z_A. */
  logWeights: Float64Array;
  runs: number;
  betas: number;
}

/** Salakhutdinov and Murray's schedule with `count` points from 0 to 1 (14,501 gives theirs exactly). */
export function aisSchedule(count: number): Float64Array {
  if (count === 14501) {
    const b: number[] = [];
    for (let i = 0; i < 500; i++) b.push(i * 1e-3);
    for (let i = 0; i < 4000; i++) b.push(0.5 + i * 1e-4);
    for (let i = 0; i <= 10000; i++) b.push(0.9 + i * 1e-5);
    return Float64Array.from(b);
  }
  return Float64Array.from({ length: count }, (_, i) => i / (count - 1));
}

/**
 * Annealed importance sampling from the base-rate model A (visible biases bA, no weights) to the RBM B
 * through p_k(v) ∝ exp(((1 - β_k) bA + β_k b).v) prod_j (1 + exp(β_k (W v + c)_j)) (binary units; for
 * Gaussian ones the quadratic term -|v|^2 / 2 is shared). Each step adds log p*_k(v) - log p*_{k-1}(v)
 * to a run's weight, then moves v by one Gibbs step that leaves p_k invariant.
 */
export function annealedImportanceSampling(rbm: RBM, opts: AISOptions = {}): AISResult {
  checkOptions('annealedImportanceSampling', opts, AIS_OPTIONS);
  const runs = opts.runs === undefined ? 100 : int('annealedImportanceSampling', 'runs', opts.runs);
  if (opts.generator !== undefined) checkGenerator('annealedImportanceSampling', opts.generator);
  const gen = { generator: opts.generator ?? defaultGenerator };
  const betas = Array.isArray(opts.betas) ? Float64Array.from(opts.betas) : aisSchedule(opts.betas === undefined ? 14501 : int('annealedImportanceSampling', 'betas', opts.betas, 2));
  if (betas[0] !== 0 || betas[betas.length - 1] !== 1) throw new Error('annealedImportanceSampling: betas must run from 0 to 1');
  const V = rbm.nVisible, H = rbm.nHidden;
  const gaussian = rbm.visible === 'gaussian';
  if (opts.data !== undefined && opts.baseVisibleBias !== undefined) throw new Error('annealedImportanceSampling: pass data or baseVisibleBias, not both');
  if (opts.data !== undefined && (opts.data.ndim !== 2 || opts.data.shape[1] !== V)) {
    throw new Error(`annealedImportanceSampling: data must be [n, ${V}] for RBM(${V}, ${H}), got ${formatShape(opts.data.shape)}`);
  }
  if (opts.data !== undefined && gaussian) throw new Error('annealedImportanceSampling: data sets a binary base rate; pass baseVisibleBias for Gaussian visible units');
  const bA = opts.data !== undefined ? baseRateBias(opts.data) : opts.baseVisibleBias === undefined ? new Float32Array(V) : Float32Array.from(opts.baseVisibleBias);
  if (bA.length !== V) throw new Error(`annealedImportanceSampling: baseVisibleBias has ${bA.length} entries, the RBM ${V} visible units`);
  const logW = new Float64Array(runs);
  return noGrad(() => {
    annealRuns(rbm, bA, betas, runs, logW, gen.generator);
    // log Z_A: binary prod_i (1 + e^{bA_i}) 2^H; Gaussian (2 pi)^{V/2} e^{|bA|^2 / 2} 2^H.
    let logZA = H * Math.LN2;
    for (const b of bA) logZA += gaussian ? 0.5 * b * b : Math.max(b, 0) + Math.log1p(Math.exp(-Math.abs(b)));
    if (gaussian) logZA += 0.5 * V * Math.log(2 * Math.PI);
    const m = Math.max(...logW);
    const w = Array.from(logW, (l) => Math.exp(l - m));
    const meanW = w.reduce((a, b) => a + b, 0) / runs;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - meanW) ** 2, 0) / Math.max(1, runs - 1));
    const se = sd / Math.sqrt(runs);
    const logZ = logZA + m + Math.log(meanW);
    return {
      logZ,
      logZLow: meanW - 3 * se > 0 ? logZA + m + Math.log(meanW - 3 * se) : -Infinity,
      logZHigh: logZA + m + Math.log(meanW + 3 * se),
      logWeights: logW.map((l) => l + logZA),
      runs,
      betas: betas.length,
    };
  });
}

/** Average log-likelihood of the rows of v in nats, given log Z: mean(-F(v)) - log Z. */
export function averageLogLikelihood(rbm: RBM, v: Tensor, logZ: number): number {
  let total = 0;
  const rows = v.shape[0]!;
  for (let s = 0; s < rows; s += 1000) {
    const n = Math.min(1000, rows - s);
    total += tidy(() => noGrad(() => sum(rbm.freeEnergy(sliceRows(v, s, n))).item()));
  }
  return -total / rows - logZ;
}

/**
 * A sure lower bound on log Z: log sum over the rows of v of exp(-F(v)), which is at most log Z when
 * the rows are distinct visible states (for instance the distinct training images). An AIS estimate
 * below it has not converged.
 */
export function logPartitionLowerBound(rbm: RBM, distinctStates: Tensor): number {
  if (rbm.visible !== 'binary') throw new Error('logPartitionLowerBound: defined here for binary visible units');
  const rows = distinctStates.shape[0]!, terms: number[] = [];
  for (let s = 0; s < rows; s += 1000) {
    const n = Math.min(1000, rows - s);
    terms.push(logSumExp(tidy(() => noGrad(() => affine(rbm.freeEnergy(sliceRows(distinctStates, s, n)), -1).toArray()))));
  }
  return logSumExp(terms);
}

function sliceRows(v: Tensor, start: number, n: number): Tensor {
  if (start === 0 && n === v.shape[0]) return v;
  const cols = v.shape[1]!;
  return fromArray(v.data.subarray(start * cols, (start + n) * cols), [n, cols]);
}

/**
 * Pseudo-log-likelihood of binary data, sum_i log p(v_i | v_-i) = sum_i log sigmoid(F(v~i) - F(v)) with
 * v~i = v with unit i flipped; averaged over rows. `exact` sums all units; otherwise one random unit
 * per row, scaled by the visible count (an unbiased estimate, as scikit-learn's score_samples).
 */
export function pseudoLogLikelihood(rbm: RBM, v: Tensor, opts: { exact?: boolean; generator?: Generator } = {}): number {
  checkOptions('pseudoLogLikelihood', opts, optionKeys<{ exact?: boolean; generator?: Generator }>({ exact: true, generator: true }));
  if (rbm.visible !== 'binary') throw new Error('pseudoLogLikelihood: defined here for binary visible units');
  const g = opts.generator ?? defaultGenerator;
  const rows = v.shape[0]!, V = rbm.nVisible;
  return tidy(() =>
    noGrad(() => {
      const f = rbm.freeEnergy(v).toArray();
      const units = opts.exact ? Array.from({ length: V }, (_, i) => i) : [-1];
      let total = 0;
      for (const unit of units) {
        const flipped = v.toArray();
        for (let r = 0; r < rows; r++) {
          const i = unit >= 0 ? unit : g.int(V);
          flipped[r * V + i] = 1 - flipped[r * V + i]!;
        }
        const ff = rbm.freeEnergy(fromArray(flipped, [rows, V])).toArray();
        for (let r = 0; r < rows; r++) {
          const d = ff[r]! - f[r]!; // log sigmoid(d), stably
          total += (d >= 0 ? -Math.log1p(Math.exp(-d)) : d - Math.log1p(Math.exp(d))) * (opts.exact ? 1 : V);
        }
      }
      return total / rows;
    }),
  );
}

