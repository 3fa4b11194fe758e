/**
 * Boltzmann machine (Ackley, Hinton and Sejnowski 1985): binary units s (the first nVisible visible,
 * the rest hidden), symmetric weights W with a zero diagonal, biases b, energy E(s) = -s^T W s / 2 - b.s
 * and p(s) ∝ exp(-E(s) / T). Two problems, as the seed chapter puts them:
 *  - search: the lowest-energy state for given weights, by simulated annealing (Gibbs sampling while
 *    the temperature falls along a schedule);
 *  - learning: weights from observations, by the Boltzmann learning rule
 *    dW_ij ∝ <s_i s_j>_clamped - <s_i s_j>_free, the statistics gathered by Gibbs sampling at T = 1
 *    with the visible units clamped to the data and free. The estimate of the negative gradient of
 *    the log-likelihood goes into .grad, so the ordinary optimizers do the update.
 * Units update one at a time (systematic scan), in JavaScript over float64 fields; the uniforms come
 * from the Philox kernel in one call per sweep. A `mask` buffer [n, n] (0/1, symmetric) fixes which
 * connections exist (the 4-2-4 encoder has no visible-visible links between its two groups).
 */
import { Module, type ModuleConfig } from '../modules/module.js';
import { Tensor } from '../tensor/tensor.js';
import { fromArray, ones, zeros } from '../functional/creation.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { checkGenerator, checkOptions, int, num, oneOf, optionKeys } from '../check/options.js';
import { registerModuleType } from '../modules/registry.js';
import * as fields from '../modules/config-schema.js';
import { accumulateGrad, uniformArray } from './sampling.js';

export interface BoltzmannMachineOptions {
  /** Connections allowed, [n, n] 0/1 (symmetric; the diagonal is ignored). Default: all pairs. */
  mask?: ArrayLike<number>;
  /** Standard deviation of the initial weights (default 0; biases start at 0). */
  initStd?: number;
  generator?: Generator;
}
const BM_OPTIONS = optionKeys<BoltzmannMachineOptions>({ mask: true, initStd: true, generator: true });

export interface GibbsOptions {
  /** Full sweeps over the free units (default 1). */
  sweeps?: number;
  /** Temperature T (default 1). */
  temperature?: number;
  /** Keep units 0 .. clamp - 1 fixed (clamp = nVisible: the clamped phase; fewer: pattern completion). Default 0. */
  clamp?: number;
  generator?: Generator;
}
const GIBBS_OPTIONS = optionKeys<GibbsOptions>({ sweeps: true, temperature: true, clamp: true, generator: true });

export interface AnnealOptions {
  /** Temperatures in order (default geometricSchedule(10, 0.05, 60)). */
  schedule?: number[];
  /** Sweeps at each temperature (default 2). */
  sweepsPerTemperature?: number;
  /** Independent runs (default 1), or the starting states [chains, n]. */
  chains?: number;
  initial?: Tensor;
  /** As in GibbsOptions: units 0 .. clamp - 1 keep their initial values. */
  clamp?: number;
  generator?: Generator;
}
const ANNEAL_OPTIONS = optionKeys<AnnealOptions>({ schedule: true, sweepsPerTemperature: true, chains: true, initial: true, clamp: true, generator: true });

export interface LearningOptions {
  /** 'sampled' (Gibbs, default) or 'exact' (by enumeration, n <= 20). */
  statistics?: 'sampled' | 'exact';
  /** Chains per data vector in the clamped phase and in all for the free phase (default 10). */
  chains?: number;
  /** Sweeps before collecting (default 20), then sweeps collected (default 20). */
  burnIn?: number;
  samples?: number;
  /** Anneal from this temperature down to 1 during burn-in (default 1: no annealing). */
  startTemperature?: number;
  generator?: Generator;
}
const LEARNING_OPTIONS = optionKeys<LearningOptions>({ statistics: true, chains: true, burnIn: true, samples: true, startTemperature: true, generator: true });

/** count temperatures from start to end, evenly spaced in log T. */
export function geometricSchedule(start: number, end: number, count: number): number[] {
  num('geometricSchedule', 'start', start, 0, Infinity, { lo: true });
  num('geometricSchedule', 'end', end, 0, Infinity, { lo: true });
  int('geometricSchedule', 'count', count, 2);
  return Array.from({ length: count }, (_, i) => start * (end / start) ** (i / (count - 1)));
}

export class BoltzmannMachine extends Module {
  static override readonly typeName = 'BoltzmannMachine';
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly mask: Tensor;
  readonly n: number;

  constructor(
    readonly nVisible: number,
    readonly nHidden: number,
    opts: BoltzmannMachineOptions = {},
  ) {
    super();
    checkOptions('BoltzmannMachine', opts, BM_OPTIONS);
    int('BoltzmannMachine', 'nVisible', nVisible);
    int('BoltzmannMachine', 'nHidden', nHidden, 0);
    const n = (this.n = nVisible + nHidden);
    const std = opts.initStd === undefined ? 0 : num('BoltzmannMachine', 'initStd', opts.initStd, 0);
    if (opts.generator !== undefined) checkGenerator('BoltzmannMachine', opts.generator);
    const g = opts.generator ?? defaultGenerator;
    const mask = new Float32Array(n * n).fill(1);
    if (opts.mask !== undefined) {
      if (opts.mask.length !== n * n) throw new Error(`BoltzmannMachine: mask must have ${n}x${n} = ${n * n} entries, got ${opts.mask.length}`);
      for (let i = 0; i < n * n; i++) {
        const m = opts.mask[i]!;
        if (m !== 0 && m !== 1) throw new Error(`BoltzmannMachine: mask entries must be 0 or 1, got ${m} at ${i}`);
        mask[i] = m;
      }
    }
    const w = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      mask[i * n + i] = 0;
      for (let j = 0; j < i; j++) {
        if (mask[i * n + j] !== mask[j * n + i]) throw new Error(`BoltzmannMachine: mask must be symmetric; [${i}, ${j}] != [${j}, ${i}]`);
        w[i * n + j] = w[j * n + i] = std === 0 ? 0 : mask[i * n + j]! * std * g.normal();
      }
    }
    this.weight = this.registerParameter('weight', fromArray(w, [n, n]));
    this.bias = this.registerParameter('bias', zeros([n]));
    this.mask = this.registerBuffer('mask', opts.mask === undefined ? ones([n, n]) : fromArray(mask, [n, n]));
  }

  forward(s: Tensor): Tensor {
    return this.energy(s);
  }

  private checkStates(where: string, s: Tensor): void {
    if (s.ndim !== 2 || s.shape[1] !== this.n) {
      throw new Error(`BoltzmannMachine(${this.nVisible}, ${this.nHidden}).${where}: expected states [batch, ${this.n}], got [${s.shape.join(', ')}]`);
    }
  }

  /** E(s) per row: -s^T W s / 2 - b.s. */
  energy(s: Tensor): Tensor {
    this.checkStates('energy', s);
    const out = energies(this.weight.toArray(), this.bias.toArray(), s.toArray(), this.n);
    return fromArray(out, [out.length]);
  }

  /** Gibbs sampling at temperature T from the states s (returns new states; s is unchanged). */
  gibbs(s: Tensor, opts: GibbsOptions = {}): Tensor {
    checkOptions('BoltzmannMachine.gibbs', opts, GIBBS_OPTIONS);
    this.checkStates('gibbs', s);
    const sweeps = opts.sweeps === undefined ? 1 : int('BoltzmannMachine.gibbs', 'sweeps', opts.sweeps, 0);
    const T = opts.temperature === undefined ? 1 : num('BoltzmannMachine.gibbs', 'temperature', opts.temperature, 0, Infinity, { lo: true });
    const st = s.toArray();
    const sampler = this.sampler(opts.generator, this.clampCount('gibbs', opts.clamp));
    for (let t = 0; t < sweeps; t++) sampler.sweep(st, T);
    return fromArray(st, s.shape);
  }

  /**
   * Simulated annealing: Gibbs sweeps while the temperature follows `schedule`; returns each chain's
   * lowest-energy state seen and, over all chains, the best one.
   */
  anneal(opts: AnnealOptions = {}): { states: Tensor; energies: Float64Array; best: Float32Array; bestEnergy: number } {
    checkOptions('BoltzmannMachine.anneal', opts, ANNEAL_OPTIONS);
    const schedule = opts.schedule ?? geometricSchedule(10, 0.05, 60);
    schedule.forEach((T, i) => num('BoltzmannMachine.anneal', `schedule[${i}]`, T, 0, Infinity, { lo: true }));
    const per = opts.sweepsPerTemperature === undefined ? 2 : int('BoltzmannMachine.anneal', 'sweepsPerTemperature', opts.sweepsPerTemperature);
    const g = opts.generator ?? defaultGenerator;
    const n = this.n;
    let st: Float32Array;
    if (opts.initial !== undefined) {
      this.checkStates('anneal', opts.initial);
      st = opts.initial.toArray();
    } else {
      const chains = opts.chains === undefined ? 1 : int('BoltzmannMachine.anneal', 'chains', opts.chains);
      st = Float32Array.from(uniformArray(this.weight.k, chains * n, g), (u) => (u < 0.5 ? 1 : 0));
    }
    const chains = st.length / n;
    const W = this.weight.toArray(), b = this.bias.toArray();
    const sampler = this.sampler(g, this.clampCount('anneal', opts.clamp));
    const best = st.slice();
    const bestE = energies(W, b, st, n);
    for (const T of schedule) {
      for (let t = 0; t < per; t++) {
        sampler.sweep(st, T);
        const e = energies(W, b, st, n);
        for (let c = 0; c < chains; c++) {
          if (e[c]! < bestE[c]!) {
            bestE[c] = e[c]!;
            best.set(st.subarray(c * n, (c + 1) * n), c * n);
          }
        }
      }
    }
    let arg = 0;
    for (let c = 1; c < chains; c++) if (bestE[c]! < bestE[arg]!) arg = c;
    return { states: fromArray(best, [chains, n]), energies: bestE, best: best.slice(arg * n, (arg + 1) * n), bestEnergy: bestE[arg]! };
  }

  private clampCount(where: string, clamp: number | undefined): number {
    if (clamp === undefined) return 0;
    const c = int(`BoltzmannMachine.${where}`, 'clamp', clamp, 0);
    if (c > this.n) throw new RangeError(`BoltzmannMachine.${where}: clamp ${c} is more than the ${this.n} units`);
    return c;
  }

  /** Exact p(s) over all 2^n states at temperature T (state index bit j = unit j); n <= 20. */
  probabilities(temperature = 1): Float64Array {
    if (this.n > 20) throw new Error(`BoltzmannMachine.probabilities: 2^${this.n} states is too many (at most 2^20)`);
    const e = energies(this.weight.toArray(), this.bias.toArray(), allStates(this.n), this.n);
    let m = Infinity;
    for (const x of e) m = Math.min(m, x);
    const p = e.map((x) => Math.exp(-(x - m) / temperature));
    const z = p.reduce((a, x) => a + x, 0);
    return p.map((x) => x / z);
  }

  /**
   * The Boltzmann learning rule: adds -(<s s^T>_clamped - <s s^T>_free) (masked, zero diagonal) to
   * weight.grad and -(<s>_clamped - <s>_free) to bias.grad: the gradient of the mean negative
   * log-likelihood of the visible data rows. Returns both phases' statistics.
   */
  boltzmannGradient(data: Tensor, opts: LearningOptions = {}): { clamped: Float64Array; free: Float64Array } {
    checkOptions('BoltzmannMachine.boltzmannGradient', opts, LEARNING_OPTIONS);
    if (data.ndim !== 2 || data.shape[1] !== this.nVisible) {
      throw new Error(`BoltzmannMachine.boltzmannGradient: expected data [batch, ${this.nVisible}], got [${data.shape.join(', ')}]`);
    }
    const mode = opts.statistics === undefined ? 'sampled' : oneOf('BoltzmannMachine.boltzmannGradient', 'statistics', opts.statistics, ['sampled', 'exact']);
    const n = this.n, V = this.nVisible, rows = data.shape[0]!;
    const x = data.toArray();
    let clamped: Float64Array, free: Float64Array;
    if (mode === 'exact') {
      ({ clamped, free } = this.exactStatistics(x, rows));
    } else {
      const chains = opts.chains === undefined ? 10 : int('BoltzmannMachine.boltzmannGradient', 'chains', opts.chains);
      const burnIn = opts.burnIn === undefined ? 20 : int('BoltzmannMachine.boltzmannGradient', 'burnIn', opts.burnIn, 0);
      const samples = opts.samples === undefined ? 20 : int('BoltzmannMachine.boltzmannGradient', 'samples', opts.samples);
      const T0 = opts.startTemperature === undefined ? 1 : num('BoltzmannMachine.boltzmannGradient', 'startTemperature', opts.startTemperature, 1);
      const g = opts.generator ?? defaultGenerator;
      const collect = (clamp: number, init: Float32Array): Float64Array => {
        const sampler = this.sampler(g, clamp);
        for (let t = 0; t < burnIn; t++) sampler.sweep(init, T0 * (1 / T0) ** (t / Math.max(1, burnIn - 1)));
        const stats = new Float64Array(n * n + n);
        for (let t = 0; t < samples; t++) {
          sampler.sweep(init, 1);
          addStatistics(stats, init, n, 1 / ((init.length / n) * samples));
        }
        return stats;
      };
      const ci = new Float32Array(rows * chains * n);
      const u = uniformArray(this.weight.k, ci.length, g);
      for (let r = 0; r < rows * chains; r++) {
        const d = Math.floor(r / chains);
        for (let i = 0; i < n; i++) ci[r * n + i] = i < V ? x[d * V + i]! : u[r * n + i]! < 0.5 ? 1 : 0;
      }
      clamped = collect(V, ci);
      const fi = Float32Array.from(uniformArray(this.weight.k, rows * chains * n, g), (v) => (v < 0.5 ? 1 : 0));
      free = collect(0, fi);
    }
    const m = this.mask.toArray();
    const gw = new Float32Array(n * n), gb = new Float32Array(n);
    for (let i = 0; i < n * n; i++) gw[i] = m[i]! * -(clamped[i]! - free[i]!);
    for (let i = 0; i < n; i++) gb[i] = -(clamped[n * n + i]! - free[n * n + i]!);
    accumulateGrad(this.weight, fromArray(gw, [n, n]));
    accumulateGrad(this.bias, fromArray(gb, [n]));
    return { clamped, free };
  }

  private exactStatistics(x: Float32Array, rows: number): { clamped: Float64Array; free: Float64Array } {
    const n = this.n, V = this.nVisible;
    const all = allStates(n);
    const p = this.probabilities();
    const free = new Float64Array(n * n + n);
    for (let s = 0; s < p.length; s++) addStatistics(free, all.subarray(s * n, (s + 1) * n), n, p[s]!);
    const clamped = new Float64Array(n * n + n);
    for (let r = 0; r < rows; r++) {
      // p(h | v) ∝ p(v, h): the states whose visible bits are the row's.
      let z = 0;
      const idx: number[] = [];
      for (let s = 0; s < p.length; s++) {
        let ok = true;
        for (let i = 0; i < V && ok; i++) ok = all[s * n + i] === x[r * V + i];
        if (ok) (z += p[s]!), idx.push(s);
      }
      for (const s of idx) addStatistics(clamped, all.subarray(s * n, (s + 1) * n), n, p[s]! / z / rows);
    }
    return { clamped, free };
  }

  /** Single-site Gibbs sweeps over units clamp..n-1 of each row of a state array. */
  private sampler(generator: Generator | undefined, clamp: number): { sweep(st: Float32Array, T: number): void } {
    if (generator !== undefined) checkGenerator('BoltzmannMachine', generator);
    const g = generator ?? defaultGenerator;
    const n = this.n, W = this.weight.toArray(), b = this.bias.toArray(), k = this.weight.k;
    return {
      sweep(st: Float32Array, T: number): void {
        const u = uniformArray(k, st.length, g);
        for (let r = 0; r < st.length / n; r++) {
          const o = r * n;
          for (let i = clamp; i < n; i++) {
            let a = b[i]!;
            for (let j = 0; j < n; j++) a += W[i * n + j]! * st[o + j]!;
            st[o + i] = u[o + i]! < 1 / (1 + Math.exp(-a / T)) ? 1 : 0;
          }
        }
      },
    };
  }

  override getConfig(): ModuleConfig {
    return { type: 'BoltzmannMachine', config: { nVisible: this.nVisible, nHidden: this.nHidden } };
  }
}

function energies(W: Float32Array, b: Float32Array, st: Float32Array, n: number): Float64Array {
  const rows = st.length / n;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let e = 0;
    for (let i = 0; i < n; i++) {
      if (st[o + i] === 0) continue;
      e -= b[i]!;
      for (let j = 0; j < i; j++) e -= W[i * n + j]! * st[o + j]!;
    }
    out[r] = e;
  }
  return out;
}

/** All 2^n states, row s holding the bits of s (bit j = unit j). */
function allStates(n: number): Float32Array {
  const out = new Float32Array(2 ** n * n);
  for (let s = 0; s < 2 ** n; s++) for (let j = 0; j < n; j++) out[s * n + j] = (s >> j) & 1;
  return out;
}

function addStatistics(stats: Float64Array, st: Float32Array, n: number, w: number): void {
  for (let r = 0; r < st.length / n; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) {
      if (st[o + i] === 0) continue;
      stats[n * n + i] += w;
      for (let j = 0; j < n; j++) if (st[o + j] !== 0) stats[i * n + j] += w;
    }
  }
}

registerModuleType('BoltzmannMachine', (c) => new BoltzmannMachine(c.nVisible, c.nHidden), {
  nVisible: fields.int({ min: 1 }),
  nHidden: fields.int({ min: 0 }),
});

