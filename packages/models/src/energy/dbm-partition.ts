/**
 * A DBM's partition function and its variational bound on log p(v) (Salakhutdinov and Hinton 2009).
 *
 * Given the odd layers (h1, h3, ...), the even layers (v, h2, ...) are independent, so they are summed
 * out in closed form: log p*(odd) = sum over odd l of c_l.h_l + sum over even l of
 * sum_j softplus(input_j), the input of an even layer coming from its odd neighbours. log Z is then
 * exact by enumerating the odd layers (up to 24 units) and estimated by annealed importance sampling
 * on the odd layers' states otherwise, as nn.annealedImportanceSampling does for an RBM's hidden layer.
 * The mean-field posterior q gives the lower bound
 *   log p(v) >= E_q[-E(v, h)] + H(q) - log Z,
 * which is what Salakhutdinov and Hinton report for a DBM (a "variational lower bound" in nats).
 */
import * as nn from '@deepwasm/nn';
import type { DBM } from './dbm.js';

/** Largest number of odd-layer units exactLogPartition enumerates (2^24 states). */
export const MAX_ENUMERATED_DBM_UNITS = 24;

/** Layer l's total input from its neighbours' states (states[l - 1] and states[l + 1] where they exist), biases included. */
export function layerInput(model: DBM, l: number, states: ReadonlyArray<nn.Tensor | null>): nn.Tensor {
  const L = model.rbms.length;
  if (l === 0) return model.rbms[0]!.visibleInput(states[1]!);
  const up = model.rbms[l - 1]!.hiddenInput(states[l - 1]!); // W_l x_{l-1} + c_l
  return l < L ? nn.add(up, nn.matmul(states[l + 1]!, model.rbms[l]!.weight)) : up;
}

/** Layer l's bias: rbm0.visible_bias for v, rbm{l-1}.hidden_bias for h_l. */
function bias(model: DBM, l: number): nn.Tensor {
  return l === 0 ? model.rbms[0]!.visibleBias : model.rbms[l - 1]!.hiddenBias;
}

/**
 * log p*_beta(odd layers) per row with the even layers summed out, for the path
 * E_beta = beta E + (1 - beta) E_A, where the base model A has visible biases bA and nothing else
 * (no weights, hidden biases 0). `evenInputs[l]` are the even layers' inputs at beta = 1.
 */
function logUnnormalised(model: DBM, states: ReadonlyArray<nn.Tensor | null>, evenInputs: ReadonlyArray<nn.Tensor | null>, beta: number, bA: nn.Tensor | null): nn.Tensor {
  const L = model.rbms.length;
  let total: nn.Tensor | null = null;
  const plus = (t: nn.Tensor) => (total = total === null ? t : nn.add(total, t));
  for (let l = 0; l <= L; l++) {
    if (l % 2 === 1) plus(nn.affine(nn.sum(nn.mul(states[l]!, bias(model, l)), 1), beta));
    else if (l === 0 && bA !== null) plus(nn.softplusRowSum(nn.add(nn.affine(evenInputs[0]!, beta), nn.affine(bA, 1 - beta))));
    else plus(nn.softplusRowSum(evenInputs[l]!, beta));
  }
  return total!;
}

/** log Z exactly, enumerating the odd layers (h1, h3, ...; at most 24 units in all). */
export function dbmExactLogPartition(model: DBM): number {
  const L = model.rbms.length, sizes = model.sizes;
  const odd = sizes.map((_, l) => l).filter((l) => l % 2 === 1);
  const n = odd.reduce((a, l) => a + sizes[l]!, 0);
  if (n > MAX_ENUMERATED_DBM_UNITS) throw new Error(`DBM.exactLogPartition: the odd layers have ${n} units (2^${n} states); at most ${MAX_ENUMERATED_DBM_UNITS} (use annealedImportanceSampling)`);
  const total = 2 ** n, chunk = Math.min(total, 4096), terms: number[] = [];
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start);
    terms.push(
      nn.logSumExp(
        nn.tidy(() =>
          nn.noGrad(() => {
            const states: Array<nn.Tensor | null> = new Array(L + 1).fill(null);
            let bit = 0;
            for (const l of odd) {
              const t = nn.Tensor.empty([count, sizes[l]!]), d = t.data;
              for (let r = 0; r < count; r++) for (let j = 0; j < sizes[l]!; j++) d[r * sizes[l]! + j] = Math.floor((start + r) / 2 ** (bit + j)) % 2;
              bit += sizes[l]!;
              states[l] = t;
            }
            const even = states.map((_, l) => (l % 2 === 0 ? layerInput(model, l, states) : null));
            return logUnnormalised(model, states, even, 1, null).toArray();
          }),
        ),
      ),
    );
  }
  return nn.logSumExp(terms);
}

export interface DBMAISOptions {
  /** Independent annealing runs (default 100). */
  runs?: number;
  /** Intermediate distributions (default 14,501, Salakhutdinov and Murray's schedule; or the list of betas from 0 to 1). */
  betas?: number | number[];
  /** Binary training data [n, visible]: the base model's visible biases are the log-odds of its pixel means (default: uniform). */
  data?: nn.Tensor;
  generator?: nn.Generator;
}
const AIS_OPTIONS = nn.check.optionKeys<DBMAISOptions>({ runs: true, betas: true, data: true, generator: true });

/**
 * Annealed importance sampling of log Z on the odd layers' states: from the base model (visible biases
 * from the data's base rate or 0, nothing else) to the DBM through E_beta = beta E + (1 - beta) E_A; each
 * step adds log p*_k - log p*_{k-1} at the current state, then one Gibbs sweep at beta_k (even layers
 * given odd, then odd given even). Returns the same fields as nn.annealedImportanceSampling.
 */
export function dbmAnnealedImportanceSampling(model: DBM, opts: DBMAISOptions = {}): nn.AISResult {
  nn.check.checkOptions('DBM.annealedImportanceSampling', opts, AIS_OPTIONS);
  const runs = opts.runs === undefined ? 100 : nn.check.int('DBM.annealedImportanceSampling', 'runs', opts.runs);
  const g = opts.generator ?? model.options.generator ?? nn.defaultGenerator;
  const betas = Array.isArray(opts.betas) ? Float64Array.from(opts.betas) : nn.aisSchedule(opts.betas === undefined ? 14501 : nn.check.int('DBM.annealedImportanceSampling', 'betas', opts.betas, 2));
  if (betas[0] !== 0 || betas[betas.length - 1] !== 1) throw new Error('DBM.annealedImportanceSampling: betas must run from 0 to 1');
  const L = model.rbms.length, sizes = model.sizes;
  if (opts.data !== undefined && (opts.data.ndim !== 2 || opts.data.shape[1] !== sizes[0])) {
    throw new Error(`DBM.annealedImportanceSampling: data must be [n, ${sizes[0]}] for DBM(${sizes.join(', ')}), got [${opts.data.shape.join(', ')}]`);
  }
  const bAValues = opts.data !== undefined ? nn.baseRateBias(opts.data) : new Float32Array(sizes[0]!);
  const logW = new Float64Array(runs);
  return nn.noGrad(() => {
    const bA = nn.fromArray(bAValues, [sizes[0]!]).keep();
    // Odd layers start uniform (the base model has no hidden biases).
    let states: Array<nn.Tensor | null> = sizes.map((s, l) => (l % 2 === 1 ? nn.bernoulli(nn.full([runs, s], 0.5), { generator: g }).keep() : null));
    for (let k = 1; k < betas.length; k++) {
      const b1 = betas[k - 1]!, b2 = betas[k]!;
      const next = nn.tidy(() => {
        const even = states.map((_, l) => (l % 2 === 0 ? layerInput(model, l, states) : null));
        const inc = nn.sub(logUnnormalised(model, states, even, b2, bA), logUnnormalised(model, states, even, b1, bA)).data;
        for (let r = 0; r < runs; r++) logW[r] += inc[r]!;
        if (k === betas.length - 1) return null;
        // Gibbs sweep at b2: even layers given odd ones, then odd given even.
        const s: Array<nn.Tensor | null> = [...states];
        for (let l = 0; l <= L; l += 2) {
          const x = l === 0 ? nn.add(nn.affine(even[0]!, b2), nn.affine(bA, 1 - b2)) : nn.affine(even[l]!, b2);
          s[l] = nn.bernoulliSigmoid(x, { generator: g }).sample;
        }
        for (let l = 1; l <= L; l += 2) s[l] = nn.bernoulliSigmoid(layerInput(model, l, s), { beta: b2, generator: g }).sample.keep();
        return s;
      });
      if (next !== null) {
        states.forEach((t) => t?.dispose());
        states = next.map((t, l) => (l % 2 === 1 ? t : null));
      }
    }
    states.forEach((t) => t?.dispose());
    bA.dispose();
    // log Z_A = sum_i softplus(bA_i) + (hidden units) log 2.
    let logZA = sizes.slice(1).reduce((a, s) => a + s, 0) * Math.LN2;
    for (const b of bAValues) logZA += Math.max(b, 0) + Math.log1p(Math.exp(-Math.abs(b)));
    const m = Math.max(...logW);
    const w = Array.from(logW, (l) => Math.exp(l - m));
    const meanW = w.reduce((a, b) => a + b, 0) / runs;
    const se = Math.sqrt(w.reduce((a, b) => a + (b - meanW) ** 2, 0) / Math.max(1, runs - 1)) / Math.sqrt(runs);
    return {
      logZ: logZA + m + Math.log(meanW),
      logZLow: meanW - 3 * se > 0 ? logZA + m + Math.log(meanW - 3 * se) : -Infinity,
      logZHigh: logZA + m + Math.log(meanW + 3 * se),
      logWeights: logW.map((l) => l + logZA),
      runs,
      betas: betas.length,
    };
  });
}

/**
 * The mean-field variational lower bound on log p(v) per row: E_q[-E(v, h)] + H(q) - logZ, with q the
 * factorised posterior of `meanField(v, iterations)`; E_q[-E] = b.v + sum_l c_l.mu_l + mu_1^T W_1 v +
 * sum_{l > 1} mu_l^T W_l mu_{l-1}. Returns [rows].
 */
export function dbmVariationalBound(model: DBM, v: nn.Tensor, logZ: number, iterations = 30): Float64Array {
  const L = model.rbms.length;
  return nn.tidy(() =>
    nn.noGrad(() => {
      const mu = [v, ...model.meanField(v, iterations)];
      let total = nn.sum(nn.mul(v, bias(model, 0)), 1);
      for (let l = 1; l <= L; l++) {
        const m = mu[l]!;
        // E[h_l . (W_l h_{l-1} + c_l)] under the factorised q: mu_l . (W_l mu_{l-1} + c_l).
        total = nn.add(total, nn.sum(nn.mul(m, model.rbms[l - 1]!.hiddenInput(mu[l - 1]!)), 1));
        // Entropy of independent Bernoullis, with mu clipped away from 0 and 1 so 0 log 0 = 0.
        const p = nn.clamp(m, 1e-7, 1 - 1e-7), q = nn.affine(p, -1, 1);
        total = nn.sub(total, nn.sum(nn.add(nn.mul(p, nn.log(p)), nn.mul(q, nn.log(q))), 1));
      }
      return Float64Array.from(total.toArray(), (x) => x - logZ);
    }),
  );
}
