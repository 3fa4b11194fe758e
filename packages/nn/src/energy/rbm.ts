/**
 * Restricted Boltzmann machine (Smolensky 1986; Hinton 2002): visible units v, hidden binary units h,
 * energy E(v, h) = -b.v - c.h - h^T W v for binary visible units and |v - b|^2 / 2 - c.h - h^T W v for
 * Gaussian visible units of unit variance. PyTorch-style parameters: `weight` [hidden, visible],
 * `visible_bias` [visible], `hidden_bias` [hidden].
 *
 * Training writes the gradient estimate of the mean negative log-likelihood into each parameter's
 * .grad (contrastive divergence CD-k, or persistent CD with chains kept as state), so any optimizer
 * (momentum, weight decay, schedules) does the update. The partition function, exactly and by
 * annealed importance sampling, is in rbm-partition.ts.
 */
import { copyStrided, gemmPackedB, packB, packedBFloats } from '@deepwasm/kernels';
import { Module, type ModuleConfig } from '../modules/module.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad, tidy } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import { add, affine, mul, sub } from '../functional/elementwise.js';
import { sum } from '../functional/reduce.js';
import { linear, matmul } from '../functional/matmul.js';
import { sigmoid } from '../functional/activations.js';
import { zeros } from '../functional/creation.js';
import { normal_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { checkGenerator, checkOptions, int, num, oneOf, optionKeys } from '../check/options.js';
import { accumulateBiasGrad, accumulateOuterGrad, bernoulliSigmoid, normalAround, ownGrad, type SigmoidSampleOptions } from './sampling.js';
import { BinaryGibbs, type BinaryStates } from './binary-gibbs.js';
import { softplusRowSum } from './softplus.js';
import { registerModuleType } from '../modules/registry.js';
import * as fields from '../modules/config-schema.js';

export type VisibleUnits = 'binary' | 'gaussian';

export interface RBMOptions {
  /** 'binary' (default) or 'gaussian' (unit variance, for real-valued data). */
  visible?: VisibleUnits;
  /** Standard deviation of the initial weights (default 0.01, Hinton's practical guide); biases start at 0. */
  initStd?: number;
  generator?: Generator;
}
const RBM_OPTIONS = optionKeys<RBMOptions>({ visible: true, initStd: true, generator: true });

export interface CDOptions {
  /** Gibbs steps of the negative phase (default 1). */
  k?: number;
  /** Persistent CD (Tieleman 2008): the negative phase continues chains kept between calls. */
  persistent?: boolean;
  /** Persistent chains (default: the first batch's size). */
  numChains?: number;
  /**
   * Compute the batch's reconstruction error (default true). Free with CD (it is the first Gibbs
   * step's visible probabilities); with PCD it costs one more GEMM, so benchmarks turn it off (NaN).
   */
  reconstructionError?: boolean;
  generator?: Generator;
}
const CD_OPTIONS = optionKeys<CDOptions>({ k: true, persistent: true, numChains: true, reconstructionError: true, generator: true });

export interface GibbsResult {
  visible: Tensor;
  visibleProb: Tensor;
  hidden: Tensor;
  hiddenProb: Tensor;
}

export class RBM extends Module {
  static override readonly typeName = 'RBM';
  readonly weight: Tensor;
  readonly visibleBias: Tensor;
  readonly hiddenBias: Tensor;
  readonly visible: VisibleUnits;
  private chains: Tensor | null = null;
  /** The chains' lists of ones (binary visible units), made with them by the last step, and the chains' version then. */
  private chainLists: { lists: Tensor; version: number } | null = null;

  constructor(
    readonly nVisible: number,
    readonly nHidden: number,
    opts: RBMOptions = {},
  ) {
    super();
    checkOptions('RBM', opts, RBM_OPTIONS);
    int('RBM', 'nVisible', nVisible);
    int('RBM', 'nHidden', nHidden);
    this.visible = opts.visible === undefined ? 'binary' : oneOf('RBM', 'visible', opts.visible, ['binary', 'gaussian']);
    const std = opts.initStd === undefined ? 0.01 : num('RBM', 'initStd', opts.initStd, 0);
    if (opts.generator !== undefined) checkGenerator('RBM', opts.generator);
    const g = opts.generator ?? defaultGenerator;
    this.weight = this.registerParameter('weight', normal_(Tensor.empty([nHidden, nVisible]), 0, std, g));
    this.visibleBias = this.registerParameter('visible_bias', zeros([nVisible]));
    this.hiddenBias = this.registerParameter('hidden_bias', zeros([nHidden]));
  }

  private check(where: string, x: Tensor, n: number, what: string): void {
    if (x.ndim !== 2 || x.shape[1] !== n) {
      throw new Error(`RBM(${this.nVisible}, ${this.nHidden}).${where}: expected ${what} [batch, ${n}], got ${formatShape(x.shape)}`);
    }
  }

  /** Hidden units' probabilities given v (so an RBM is also a layer: Linear + Sigmoid). */
  forward(v: Tensor): Tensor {
    return this.hiddenProbabilities(v);
  }

  /** c + W v, [batch, hidden]. */
  hiddenInput(v: Tensor): Tensor {
    this.check('hiddenInput', v, this.nVisible, 'visible states');
    return noGrad(() => linear(v, this.weight, this.hiddenBias));
  }

  /** b + W^T h, [batch, visible]. */
  visibleInput(h: Tensor): Tensor {
    this.check('visibleInput', h, this.nHidden, 'hidden states');
    return noGrad(() => add(matmul(h, this.weight), this.visibleBias));
  }

  /** p(h_j = 1 | v) = sigmoid(c_j + W_j v). */
  hiddenProbabilities(v: Tensor): Tensor {
    return noGrad(() => sigmoid(this.hiddenInput(v)));
  }

  /** p(h | v) and a sample from it, in one fused kernel. */
  sampleHidden(v: Tensor, opts: SigmoidSampleOptions = {}): { prob: Tensor; sample: Tensor } {
    return tidy(() => bernoulliSigmoid(this.hiddenInput(v), opts));
  }

  /** E[v | h]: sigmoid(b + W^T h) for binary units, b + W^T h for Gaussian ones. */
  visibleProbabilities(h: Tensor): Tensor {
    return noGrad(() => (this.visible === 'binary' ? sigmoid(this.visibleInput(h)) : this.visibleInput(h)));
  }

  /** E[v | h] and a sample from p(v | h). */
  sampleVisible(h: Tensor, opts: SigmoidSampleOptions = {}): { prob: Tensor; sample: Tensor } {
    return tidy(() => {
      if (this.visible === 'binary') return bernoulliSigmoid(this.visibleInput(h), opts);
      const mean = this.visibleInput(h);
      return { prob: mean, sample: normalAround(mean, 1, { generator: opts.generator }) };
    });
  }

  /** k steps of block Gibbs sampling v -> h -> v from v; returns the last states and their probabilities. */
  gibbs(v: Tensor, k = 1, opts: { generator?: Generator } = {}): GibbsResult {
    int('RBM.gibbs', 'k', k);
    return tidy(() => {
      let h = this.sampleHidden(v, opts);
      let x = this.sampleVisible(h.sample, opts);
      for (let i = 1; i < k; i++) {
        h = this.sampleHidden(x.sample, opts);
        x = this.sampleVisible(h.sample, opts);
      }
      return { visible: x.sample, visibleProb: x.prob, hidden: h.sample, hiddenProb: h.prob };
    });
  }

  /** E(v, h) per row, [batch]. */
  energy(v: Tensor, h: Tensor): Tensor {
    this.check('energy', v, this.nVisible, 'visible states');
    this.check('energy', h, this.nHidden, 'hidden states');
    return tidy(() =>
      noGrad(() => {
        const hv = sum(mul(this.hiddenInput(v), h), 1); // c.h + h^T W v
        const vis = this.visible === 'binary' ? sum(mul(v, this.visibleBias), 1) : affine(sum(mul(sub(v, this.visibleBias), sub(v, this.visibleBias)), 1), -0.5);
        return affine(add(hv, vis), -1);
      }),
    );
  }

  /** F(v) = -log sum_h exp(-E(v, h)) per row, [batch]. */
  freeEnergy(v: Tensor): Tensor {
    this.check('freeEnergy', v, this.nVisible, 'visible states');
    return tidy(() =>
      noGrad(() => {
        const vis = this.visible === 'binary' ? affine(sum(mul(v, this.visibleBias), 1), -1) : affine(sum(mul(sub(v, this.visibleBias), sub(v, this.visibleBias)), 1), 0.5);
        return sub(vis, softplusRowSum(this.hiddenInput(v)));
      }),
    );
  }

  /** Mean squared error of the mean-field reconstruction E[v | p(h | v)], per element. */
  reconstructionError(v: Tensor): number {
    return tidy(() => {
      const d = sub(v, this.visibleProbabilities(this.hiddenProbabilities(v)));
      return noGrad(() => sum(mul(d, d))).item() / v.size;
    });
  }

  /**
   * Contrastive divergence: adds to .grad the estimate of the gradient of the mean negative
   * log-likelihood over the batch, -(<h v^T>_data - <h v^T>_model) with the model term from k Gibbs
   * steps started at the data (CD-k) or at persistent chains (PCD). Hidden statistics use
   * probabilities, visible ones samples. Returns the batch's reconstruction error: mean squared
   * difference between v and p(v | h), h sampled from p(h | v).
   */
  contrastiveDivergence(v0: Tensor, opts: CDOptions = {}): { reconstructionError: number } {
    checkOptions('RBM.contrastiveDivergence', opts, CD_OPTIONS);
    this.check('contrastiveDivergence', v0, this.nVisible, 'visible states');
    const k = opts.k === undefined ? 1 : int('RBM.contrastiveDivergence', 'k', opts.k);
    const gen = { generator: opts.generator };
    const batch = v0.shape[0]!;
    const wantRecon = opts.reconstructionError !== false;
    return tidy(() => {
      if (this.visible === 'binary') return this.binaryStep(v0, k, opts.persistent === true, wantRecon, opts.numChains, gen.generator);
      // W^T packed once for this step's hidden inputs (linear would pack it again on each of them).
      const hiddenInput = this.packedHiddenInput(batch);
      const sampleHidden = (v: Tensor) => noGrad(() => bernoulliSigmoid(hiddenInput(v), gen));
      // Only the samples a step uses are drawn: the data's hidden sample starts CD's chain (and gives
      // PCD's reconstruction); the last hidden layer of the negative phase enters only as probabilities.
      // The key a skipped sample would have drawn is still taken, so seeded runs keep their random streams.
      const pos = opts.persistent && !wantRecon ? { prob: noGrad(() => sigmoid(hiddenInput(v0))), sample: skipKey(gen.generator) } : sampleHidden(v0);
      let start: Tensor;
      if (opts.persistent) {
        this.chains ??= this.startChains(v0, opts.numChains, (v) => sampleHidden(v).sample, gen.generator);
        start = sampleHidden(this.chains).sample;
      } else {
        start = pos.sample!;
      }
      let x = this.sampleVisible(start, gen);
      // Reconstruction from the data's hidden sample: the chain's first step under CD, one more GEMM under PCD.
      const recon = !wantRecon ? null : opts.persistent ? this.visibleProbabilities(pos.sample!) : x.prob;
      for (let i = 1; i < k; i++) x = this.sampleVisible(sampleHidden(x.sample).sample, gen);
      const vk = x.sample, hk = noGrad(() => sigmoid(hiddenInput(vk))), m = vk.shape[0]!;
      skipKey(gen.generator);
      if (opts.persistent) {
        this.resetChains();
        this.chains = vk.keep();
      }
      noGrad(() => {
        // grad W += hk^T vk / m - h0^T v0 / B: two GEMMs straight into .grad.
        accumulateOuterGrad(this.weight, hk, vk, 1 / m);
        accumulateOuterGrad(this.weight, pos.prob, v0, -1 / batch);
        this.accumulateBiasGrads(hk, vk, pos.prob, v0);
      });
      return { reconstructionError: recon === null ? NaN : meanSquaredDifference(v0, recon) };
    });
  }

  /**
   * contrastiveDivergence for binary visible units: the same steps, keys and estimate, with the 0/1
   * states as lists of their ones (BinaryGibbs: each half-step one kernel call, products as sums of
   * picked rows where that is cheaper than a GEMM, the weight statistics in one pass over .grad).
   */
  private binaryStep(v0: Tensor, k: number, persistent: boolean, wantRecon: boolean, numChains: number | undefined, generator: Generator | undefined): { reconstructionError: number } {
    const batch = v0.shape[0]!;
    const gibbs = new BinaryGibbs(this, generator);
    const data = gibbs.lists(v0);
    const pos = persistent && !wantRecon ? { prob: gibbs.hidden(data, false).prob, sample: skipKey(generator) } : gibbs.hidden(data, true);
    let start: BinaryStates;
    if (persistent) {
      this.chains ??= this.startChains(v0, numChains, (v) => gibbs.hidden(gibbs.lists(v), true).sample!.states, generator);
      const kept = this.chainLists !== null && this.chainLists.version === this.chains.version ? this.chainLists.lists : null;
      start = gibbs.hidden(kept === null ? gibbs.lists(this.chains) : { states: this.chains, lists: kept }, true).sample!;
    } else {
      start = pos.sample!;
    }
    let x = gibbs.visible(start, wantRecon && !persistent);
    const recon = !wantRecon ? null : persistent ? this.visibleProbabilities(pos.sample!.states) : x.prob!;
    for (let i = 1; i < k; i++) x = gibbs.visible(gibbs.hidden(x.sample, true).sample!, false);
    const vk = x.sample, hk = gibbs.hidden(vk, false).prob;
    skipKey(generator);
    if (persistent) {
      this.resetChains();
      this.chains = vk.states.keep();
      this.chainLists = { lists: vk.lists!.keep(), version: this.chains.version };
    }
    const fresh = ownGrad(this.weight);
    gibbs.weightGrad(this.weight.grad!, fresh, hk, vk, pos.prob, data);
    this.accumulateBiasGrads(hk, vk.states, pos.prob, v0);
    return { reconstructionError: recon === null ? NaN : meanSquaredDifference(v0, recon) };
  }

  /** First persistent chains: n rows (default the batch's) cycling through v0's, one Gibbs step on. */
  private startChains(v0: Tensor, numChains: number | undefined, sampleHidden: (v: Tensor) => Tensor, generator: Generator | undefined): Tensor {
    const batch = v0.shape[0]!;
    const n = numChains === undefined ? batch : int('RBM.contrastiveDivergence', 'numChains', numChains);
    return this.sampleVisible(sampleHidden(n === batch ? v0 : repeatRows(v0, n)), { generator }).sample.keep();
  }

  /** grad b += mean(vk) - mean(v0), grad c += mean(hk) - mean(h0): one kernel each, into .grad. */
  private accumulateBiasGrads(hk: Tensor, vk: Tensor, h0: Tensor, v0: Tensor): void {
    noGrad(() => {
      accumulateBiasGrad(this.visibleBias, vk, 1 / vk.shape[0]!, v0, 1 / v0.shape[0]!);
      accumulateBiasGrad(this.hiddenBias, hk, 1 / hk.shape[0]!, h0, 1 / h0.shape[0]!);
    });
  }

  /**
   * c + W v for the batches of one training step, with W^T packed once (when batches have 2+ rows and
   * there are 2+ hidden units: otherwise linear takes its matrix-vector path, whose bits differ): the
   * bias rows, then the packed GEMM onto them, as linear computes them. The packed copy lives in the
   * caller's scope.
   */
  private packedHiddenInput(rows: number): (v: Tensor) => Tensor {
    const V = this.nVisible, H = this.nHidden, k = this.weight.k;
    if (rows < 2 || H < 2) return (v) => this.hiddenInput(v);
    const wT = packB(k, true, V, H, this.weight.ptr, V, Tensor.empty([packedBFloats(k, V, H)], k).ptr);
    return (v) => {
      if (v.shape[0]! < 2) return this.hiddenInput(v);
      const out = Tensor.empty([v.shape[0]!, H], k);
      copyStrided(k, out.ptr, [H, 1], this.hiddenBias.ptr, [0, 1], [v.shape[0]!, H]);
      gemmPackedB(k, false, v.shape[0]!, 1, v.ptr, V, wT, 1, out.ptr, H);
      return out;
    };
  }

  /**
   * Sets the visible biases from data (Hinton's practical guide, section 8): log(p / (1 - p)) of each
   * unit's mean for binary units (p clipped to [1e-3, 1 - 1e-3]), the mean for Gaussian ones.
   */
  initVisibleBias(v: Tensor): this {
    this.check('initVisibleBias', v, this.nVisible, 'visible states');
    const V = this.nVisible, rows = v.shape[0]!, d = v.toArray();
    const m = new Float64Array(V);
    for (let r = 0; r < rows; r++) for (let i = 0; i < V; i++) m[i] += d[r * V + i]! / rows;
    const b = this.visibleBias.data;
    for (let i = 0; i < V; i++) {
      const p = Math.min(1 - 1e-3, Math.max(1e-3, m[i]!));
      b[i] = this.visible === 'binary' ? Math.log(p / (1 - p)) : m[i]!;
    }
    this.visibleBias.version++;
    return this;
  }

  /** The persistent chains' visible states (null before the first persistent step). */
  get persistentChains(): Tensor | null {
    return this.chains;
  }

  /** Frees the persistent chains; the next persistent step starts new ones. */
  resetChains(): void {
    this.chains?.dispose();
    this.chains = null;
    this.chainLists?.lists.dispose();
    this.chainLists = null;
  }

  override getConfig(): ModuleConfig {
    return { type: 'RBM', config: { nVisible: this.nVisible, nHidden: this.nHidden, visible: this.visible } };
  }
}

/** Advances the generator past the key one sampling op draws (two 32-bit words); returns null. */
function skipKey(g: Generator | undefined): null {
  const gen = g ?? defaultGenerator;
  gen.nextU32();
  gen.nextU32();
  return null;
}

/** Mean squared difference per element of v and its reconstruction. */
function meanSquaredDifference(v: Tensor, recon: Tensor): number {
  const d = sub(v, recon);
  return noGrad(() => sum(mul(d, d))).item() / v.size;
}

/** n rows cycling through x's rows. */
function repeatRows(x: Tensor, n: number): Tensor {
  const rows = x.shape[0]!, cols = x.shape[1]!;
  const out = Tensor.empty([n, cols]);
  const src = x.data, dst = out.data;
  for (let i = 0; i < n; i++) dst.set(src.subarray((i % rows) * cols, (i % rows + 1) * cols), i * cols);
  return out;
}

registerModuleType('RBM', (c) => new RBM(c.nVisible, c.nHidden, { visible: c.visible }), {
  nVisible: fields.int({ min: 1 }),
  nHidden: fields.int({ min: 1 }),
  visible: fields.oneOf(['binary', 'gaussian'], 'binary'),
});
