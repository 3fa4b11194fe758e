/**
 * Deep Boltzmann machine (Salakhutdinov and Hinton 2009): binary layers v - h1 - ... - hL with undirected
 * weights between neighbours only. Unlike a DBN every layer gets input from above and below, so the
 * posterior over the hidden layers is approximated by mean-field fixed-point iterations, and joint
 * training uses mean-field statistics for the data term and persistent Gibbs chains for the model term.
 *
 * Parameters are RBMs, one per pair of layers (`rbm{i}`), so greedy stacking pretrains them as the seed
 * chapter describes (`pretrain`, with Salakhutdinov and Hinton's doubled input of the first and last
 * RBMs); layer i's bias is rbm{i}.hidden_bias for the hidden layers and rbm0.visible_bias for v
 * (rbm{i}.visible_bias, i > 0, is used only while pretraining).
 */
import * as nn from '@deepwasm/nn';
import { dbmAnnealedImportanceSampling, dbmExactLogPartition, dbmVariationalBound, type DBMAISOptions } from './dbm-partition.js';

export interface DBMOptions {
  generator?: nn.Generator;
}
const DBM_OPTIONS = nn.check.optionKeys<DBMOptions>({ generator: true });

export interface DBMTrainOptions {
  /** Mean-field iterations for the data term (default 10). */
  meanFieldIterations?: number;
  /** Persistent chains (default 100) and Gibbs sweeps per update (default 1). */
  numChains?: number;
  gibbsSteps?: number;
  /**
   * Gibbs sweeps of new chains (random states) before their first statistics (default 0): without them
   * the first updates push the model towards noise, far off at a high rate.
   */
  burnIn?: number;
  generator?: nn.Generator;
}
const TRAIN_OPTIONS = nn.check.optionKeys<DBMTrainOptions>({ meanFieldIterations: true, numChains: true, gibbsSteps: true, burnIn: true, generator: true });

export class DBM extends nn.Module {
  static override readonly typeName = 'DBM';
  readonly rbms: nn.RBM[];
  private chains: nn.Tensor[] | null = null;

  constructor(
    readonly sizes: readonly number[],
    readonly options: DBMOptions = {},
  ) {
    super();
    nn.check.checkOptions('DBM', options, DBM_OPTIONS);
    if (!Array.isArray(sizes) || sizes.length < 3) throw new Error(`DBM: sizes must list the visible and at least two hidden layers, got ${JSON.stringify(sizes)}`);
    sizes.forEach((s, i) => nn.check.int('DBM', `sizes[${i}]`, s));
    this.rbms = sizes.slice(1).map((h, i) => this.registerModule(`rbm${i}`, new nn.RBM(sizes[i]!, h, { generator: options.generator })));
  }

  /** Mean-field posterior of the top hidden layer. */
  forward(v: nn.Tensor): nn.Tensor {
    const mu = this.meanField(v);
    return mu[mu.length - 1]!;
  }

  /** Total input of layer l (1..L) given its neighbours' states (below[l-1], above[l+1] if any). */
  private input(l: number, below: nn.Tensor, above: nn.Tensor | null): nn.Tensor {
    const up = this.rbms[l - 1]!.hiddenInput(below); // W_l x_{l-1} + c_l
    return above === null ? up : nn.add(up, nn.matmul(above, this.rbms[l]!.weight));
  }

  /**
   * Mean-field posterior q(h | v): mu_l = sigmoid(W_l mu_{l-1} + W_{l+1}^T mu_{l+1} + c_l), updated in
   * order for `iterations` sweeps from a bottom-up pass (doubled inputs, as the pretraining assumed).
   */
  meanField(v: nn.Tensor, iterations = 10): nn.Tensor[] {
    nn.check.int('DBM.meanField', 'iterations', iterations, 0);
    const L = this.rbms.length;
    return nn.noGrad(() =>
      nn.tidy(() => {
        const mu: nn.Tensor[] = [];
        const fromV = this.rbms[0]!.hiddenInput(v); // W_1 v + c_1 does not change between sweeps
        let x = v;
        for (let l = 1; l <= L; l++) {
          x = nn.sigmoid(nn.affine(l === 1 ? fromV : this.rbms[l - 1]!.hiddenInput(x), l < L ? 2 : 1));
          mu.push(x);
        }
        for (let t = 0; t < iterations; t++) {
          for (let l = 1; l <= L; l++) {
            mu[l - 1] = nn.sigmoid(l === 1 ? nn.add(fromV, nn.matmul(mu[1]!, this.rbms[1]!.weight)) : this.input(l, mu[l - 2]!, l < L ? mu[l]! : null));
          }
        }
        return mu;
      }),
    );
  }

  /** One Gibbs sweep of full states [v, h1, ..., hL]: odd layers given even ones, then even given odd. */
  private gibbsSweep(states: nn.Tensor[], g: nn.Generator): nn.Tensor[] {
    const L = this.rbms.length;
    const s = [...states];
    for (const parity of [1, 0]) {
      for (let l = parity; l <= L; l += 2) {
        if (l === 0) s[0] = this.rbms[0]!.sampleVisible(s[1]!, { generator: g }).sample;
        else s[l] = nn.bernoulliSigmoid(this.input(l, s[l - 1]!, l < L ? s[l + 1]! : null), { generator: g }).sample;
      }
    }
    return s;
  }

  /**
   * Greedy stacking (the seed's DBM): rbm0 with its hidden input doubled, middle RBMs plain, the top
   * RBM with its visible input doubled, each CD-1 on the layer below's probabilities, then halving the
   * middle weights (Salakhutdinov and Hinton 2009, section 3.1) so each layer's total input is right.
   */
  pretrain(x: nn.Tensor, opts: { epochs?: number; batchSize?: number; lr?: number; generator?: nn.Generator } = {}): void {
    const epochs = opts.epochs ?? 10, batch = opts.batchSize ?? 64;
    const g = opts.generator ?? this.options.generator ?? nn.defaultGenerator;
    let data = x;
    const L = this.rbms.length;
    this.rbms[0]!.initVisibleBias(x);
    for (let l = 0; l < L; l++) {
      const rbm = this.rbms[l]!;
      const opt = new nn.SGD(rbm.parameters(), { lr: opts.lr ?? 0.05, momentum: 0.5, weightDecay: 2e-4 });
      const n = data.shape[0]!;
      for (let e = 0; e < epochs; e++) {
        const order = g.permutation(n);
        for (let s = 0; s < n; s += batch) {
          const idx = order.subarray(s, Math.min(n, s + batch));
          opt.zeroGrad();
          nn.tidy(() => {
            const v = rowsOf(data, idx);
            // Doubling: the first RBM sees its hidden input twice (it will get as much from above), the top one its visible input.
            const up = l === 0 ? 2 : 1, down = l === L - 1 ? 2 : 1;
            if (up === 1 && down === 1) return rbm.contrastiveDivergence(v, { generator: g });
            const ph = nn.sigmoid(nn.affine(rbm.hiddenInput(v), up));
            const h = nn.bernoulli(ph, { generator: g });
            const vk = nn.bernoulliSigmoid(nn.affine(rbm.visibleInput(h), down), { generator: g }).sample;
            const phk = nn.sigmoid(nn.affine(rbm.hiddenInput(vk), up));
            accumulate(rbm, v, ph, vk, phk);
            return null;
          });
          opt.step();
        }
      }
      const next = nn.noGrad(() => nn.tidy(() => nn.sigmoid(nn.affine(rbm.hiddenInput(data), l === 0 ? 2 : 1)).keep()));
      if (data !== x) data.dispose();
      data = next;
    }
    if (data !== x) data.dispose();
    for (let l = 1; l < L - 1; l++) nn.scale_(this.rbms[l]!.weight, 0.5);
  }

  /**
   * Adds to .grad the joint-training estimate of the negative log-likelihood gradient for the batch:
   * mean-field statistics for the data, persistent chains (kept here) for the model.
   */
  jointGradient(v: nn.Tensor, opts: DBMTrainOptions = {}): void {
    nn.check.checkOptions('DBM.jointGradient', opts, TRAIN_OPTIONS);
    const g = opts.generator ?? this.options.generator ?? nn.defaultGenerator;
    const L = this.rbms.length;
    if (this.chains === null) {
      const n = nn.check.int('DBM.jointGradient', 'numChains', opts.numChains ?? 100);
      this.chains = this.sizes.map((s) => nn.bernoulli(nn.full([n, s], 0.5), { generator: g }).keep());
      for (let t = 0; t < nn.check.int('DBM.jointGradient', 'burnIn', opts.burnIn ?? 0, 0); t++) {
        const next = nn.noGrad(() => nn.tidy(() => this.gibbsSweep(this.chains!, g).map((x) => x.keep())));
        this.chains.forEach((c) => c.dispose());
        this.chains = next;
      }
    }
    nn.noGrad(() =>
      nn.tidy(() => {
        const pos = [v, ...this.meanField(v, opts.meanFieldIterations ?? 10)];
        let neg = this.chains!;
        for (let t = 0; t < (opts.gibbsSteps ?? 1); t++) neg = this.gibbsSweep(neg, g);
        for (let l = 1; l <= L; l++) accumulate(this.rbms[l - 1]!, pos[l - 1]!, pos[l]!, neg[l - 1]!, neg[l]!, l === 1);
        this.chains!.forEach((c) => c.dispose());
        this.chains = neg.map((t) => t.keep());
      }),
    );
  }

  /** n samples of v (probabilities of the last step) after gibbsSteps sweeps from random states. */
  sample(n: number, opts: { gibbsSteps?: number; generator?: nn.Generator } = {}): nn.Tensor {
    const g = opts.generator ?? this.options.generator ?? nn.defaultGenerator;
    return nn.noGrad(() => {
      let s = this.sizes.map((d) => nn.bernoulli(nn.full([n, d], 0.5), { generator: g }).keep());
      for (let t = 0; t < (opts.gibbsSteps ?? 1000); t++) {
        const next = nn.tidy(() => this.gibbsSweep(s, g).map((x) => x.keep()));
        s.forEach((x) => x.dispose());
        s = next;
      }
      const out = nn.tidy(() => this.rbms[0]!.visibleProbabilities(s[1]!));
      s.forEach((x) => x.dispose());
      return out;
    });
  }

  /** log Z exactly, enumerating the odd layers (h1, h3, ...: at most 24 units in all), the even ones summed out. */
  exactLogPartition(): number {
    return dbmExactLogPartition(this);
  }

  /** log Z by annealed importance sampling on the odd layers (see dbm-partition.ts); `{ data }` starts from the data's base rate. */
  annealedImportanceSampling(opts: DBMAISOptions = {}): nn.AISResult {
    return dbmAnnealedImportanceSampling(this, opts);
  }

  /** The mean-field variational lower bound on log p(v) of each row of v, in nats, given log Z (Salakhutdinov and Hinton's figure for a DBM). */
  variationalBound(v: nn.Tensor, logZ: number, meanFieldIterations = 30): Float64Array {
    return dbmVariationalBound(this, v, logZ, meanFieldIterations);
  }

  /** Frees the persistent chains. */
  resetChains(): void {
    this.chains?.forEach((c) => c.dispose());
    this.chains = null;
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'DBM', config: { sizes: [...this.sizes] } };
  }
}

/** dbm([784, 500, 1000]): Salakhutdinov and Hinton's MNIST DBM. */
export function dbm(sizes: readonly number[], options: DBMOptions = {}): DBM {
  return new DBM(sizes, options);
}

function rowsOf(x: nn.Tensor, idx: Int32Array): nn.Tensor {
  const cols = x.shape[1]!, src = x.data;
  const out = new Float32Array(idx.length * cols);
  idx.forEach((r, i) => out.set(src.subarray(r * cols, (r + 1) * cols), i * cols));
  return nn.fromArray(out, [idx.length, cols]);
}

/** .grad += -(data - model) statistics of one weight layer (and its biases: the upper one, the lower one only for v). */
function accumulate(rbm: nn.RBM, v0: nn.Tensor, h0: nn.Tensor, vk: nn.Tensor, hk: nn.Tensor, visibleBias = true): void {
  nn.noGrad(() =>
    nn.tidy(() => {
      const a = 1 / v0.shape[0]!, b = 1 / vk.shape[0]!;
      const gW = nn.sub(nn.affine(nn.matmul(nn.transpose(hk), vk), b), nn.affine(nn.matmul(nn.transpose(h0), v0), a));
      const gc = nn.sub(nn.affine(nn.sum(hk, 0), b), nn.affine(nn.sum(h0, 0), a));
      addGrad(rbm.weight, gW);
      addGrad(rbm.hiddenBias, gc);
      if (visibleBias) addGrad(rbm.visibleBias, nn.sub(nn.affine(nn.sum(vk, 0), b), nn.affine(nn.sum(v0, 0), a)));
    }),
  );
}

function addGrad(p: nn.Tensor, g: nn.Tensor): void {
  if (p.grad === null || p.grad.isDisposed) p.grad = nn.clone(g).keep();
  else nn.addScaled_(p.grad, g, 1);
}

nn.registerModuleType('DBM', (c) => new DBM(c.sizes), { sizes: nn.configFields.ints({ min: 1 }) });
