/**
 * Deep belief network (Hinton, Osindero and Teh 2006): a stack of RBMs trained greedily, layer by layer,
 * each on the hidden probabilities of the one below. With `numClasses`, the label units join the top
 * RBM's visible layer (one-hot, binary units clamped when given), so the top RBM models (penultimate
 * features, label) jointly and the network generates digits of a chosen class: Gibbs sampling in the
 * top RBM with the label clamped, then one down pass through the generative weights.
 *
 * `toClassifier()` unrolls the recognition weights into an ordinary Sequential (Linear + Sigmoid per
 * layer, then a new output layer) for fine-tuning with fit. Layer i is `rbm{i}` in the state dict.
 * `untie()` then `upDown()` fine-tune the generative model by the up-down algorithm (up-down.ts): the
 * lower layers' generative weights become `generative{i}`, and `sample` goes down through them.
 */
import * as nn from '@deepwasm/nn';
import { pretrainSteps, type PretrainOptions, type PretrainStep } from './dbn-pretrain.js';
import { GenerativeLayer, UP_DOWN_OPTIONS, logProbabilityBound, upDownStep, type UpDownOptions } from './up-down.js';

export interface DBNOptions {
  /** Label units joined to the top RBM (Hinton et al. 2006). */
  numClasses?: number;
  /** Separate generative weights for the lower layers (as after untie(); used when loading). */
  untied?: boolean;
  generator?: nn.Generator;
}
const DBN_OPTIONS = nn.check.optionKeys<DBNOptions>({ numClasses: true, untied: true, generator: true });

export interface BoundOptions {
  /** Labels of the rows (required when the DBN has label units): the bound is then on log p(v, y). */
  labels?: ArrayLike<number>;
  /** log Z of the top RBM (default: exact, by enumeration; pass an AIS estimate for a large top RBM). */
  logZ?: number;
  /** Up passes per row (default 10). */
  samples?: number;
  generator?: nn.Generator;
}
const BOUND_OPTIONS = nn.check.optionKeys<BoundOptions>({ labels: true, logZ: true, samples: true, generator: true });

export interface SampleOptions {
  /** The class to generate (one label for all, or one per sample); without it the label units are sampled too. */
  label?: number | ArrayLike<number>;
  /** Gibbs steps in the top RBM (default 1,000). */
  gibbsSteps?: number;
  /**
   * Temperature of the top RBM's Gibbs sampling (default 1, the model's own distribution); below 1 the
   * chains settle in the modes of p(top | label), sharper digits of the class at the cost of variety.
   */
  temperature?: number;
  generator?: nn.Generator;
}
const SAMPLE_OPTIONS = nn.check.optionKeys<SampleOptions>({ label: true, gibbsSteps: true, temperature: true, generator: true });

export class DBN extends nn.Module {
  static override readonly typeName = 'DBN';
  readonly rbms: nn.RBM[];
  readonly numClasses: number;
  /** The lower layers' generative weights once untied (null while tied to the RBMs). */
  generative: GenerativeLayer[] | null = null;

  constructor(
    readonly sizes: readonly number[],
    readonly options: DBNOptions = {},
  ) {
    super();
    nn.check.checkOptions('DBN', options, DBN_OPTIONS);
    if (!Array.isArray(sizes) || sizes.length < 2) throw new Error(`DBN: sizes must list at least two layer sizes, got ${JSON.stringify(sizes)}`);
    sizes.forEach((s, i) => nn.check.int('DBN', `sizes[${i}]`, s));
    this.numClasses = options.numClasses === undefined ? 0 : nn.check.int('DBN', 'numClasses', options.numClasses);
    const L = sizes.length - 1;
    this.rbms = Array.from({ length: L }, (_, i) => {
      const extra = i === L - 1 ? this.numClasses : 0;
      return this.registerModule(`rbm${i}`, new nn.RBM(sizes[i]! + extra, sizes[i + 1]!, { generator: options.generator }));
    });
    if (options.untied) this.untie();
  }

  /**
   * Unties the lower layers: their generative weights become separate parameters `generative{i}`,
   * copies of RBM i's weight and visible bias, while the RBMs keep the recognition weights. Idempotent.
   */
  untie(): this {
    if (this.generative !== null) return this;
    this.generative = this.rbms.slice(0, -1).map((rbm, i) => {
      const layer = this.registerModule(`generative${i}`, new GenerativeLayer(rbm.nVisible, rbm.nHidden));
      layer.weight.data.set(rbm.weight.data);
      layer.bias.data.set(rbm.visibleBias.data);
      layer.weight.version++;
      layer.bias.version++;
      return layer;
    });
    return this;
  }

  /**
   * Up-down fine-tuning of the generative model (Hinton, Osindero and Teh 2006): unties the weights if
   * needed, then per batch a stochastic up pass trains the generative weights, CD-k trains the top RBM
   * (with the labels), and a down pass from its negative phase trains the recognition weights.
   */
  upDown(data: nn.Dataset, opts: UpDownOptions = {}): void {
    nn.check.checkOptions('DBN.upDown', opts, UP_DOWN_OPTIONS);
    const epochs = opts.epochs === undefined ? 10 : nn.check.int('DBN.upDown', 'epochs', opts.epochs, 0);
    const batchSize = opts.batchSize === undefined ? 64 : nn.check.int('DBN.upDown', 'batchSize', opts.batchSize);
    const k = opts.k === undefined ? 3 : nn.check.int('DBN.upDown', 'k', opts.k);
    const g = opts.generator ?? this.options.generator ?? nn.defaultGenerator;
    const n = data.count, V = this.sizes[0]!, C = this.numClasses;
    if (data.x.length !== n * V) throw new Error(`DBN.upDown: samples must have ${V} values, got ${data.x.length / n}`);
    const labels = C > 0 ? this.oneHot('DBN.upDown', data.y as ArrayLike<number>, n) : null;
    this.untie();
    const params = [...this.rbms.flatMap((r, i) => (i === this.rbms.length - 1 ? r.parameters() : [r.weight, r.hiddenBias])), ...this.generative!.flatMap((l) => l.parameters())];
    const opt = new nn.SGD(params, { lr: opts.lr ?? 0.003, momentum: opts.momentum ?? 0.5, weightDecay: opts.weightDecay ?? 0 });
    const batches = Math.ceil(n / batchSize);
    const bar = opts.progress ? new nn.ProgressBar(epochs * batches, 'up-down', opts.progress === true ? undefined : opts.progress) : null;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = g.permutation(n);
      for (let b = 0; b < batches; b++) {
        const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const x = new Float32Array(idx.length * V), y = labels ? new Float32Array(idx.length * C) : null;
        idx.forEach((r, i) => {
          x.set(data.x.subarray(r * V, (r + 1) * V), i * V);
          y?.set(labels!.subarray(r * C, (r + 1) * C), i * C);
        });
        opt.zeroGrad();
        nn.tidy(() => upDownStep(this, nn.fromArray(x, [idx.length, V]), y ? nn.fromArray(y, [idx.length, C]) : null, k, g));
        opt.step();
        bar?.update(epoch * batches + b + 1, `epoch ${epoch + 1}/${epochs}`);
      }
    }
    bar?.finish();
    opt.dispose();
  }

  /**
   * The variational lower bound on the average log p(v) (log p(v, y) with labels) of the rows of x, in
   * nats: what greedy training raises layer by layer and the up-down algorithm's wake phase climbs.
   */
  logProbabilityBound(x: nn.Tensor, opts: BoundOptions = {}): number {
    nn.check.checkOptions('DBN.logProbabilityBound', opts, BOUND_OPTIONS);
    const V = this.sizes[0]!, C = this.numClasses;
    if (x.ndim !== 2 || x.shape[1] !== V) throw new Error(`DBN.logProbabilityBound: expected x [batch, ${V}], got [${x.shape.join(', ')}]`);
    if (C > 0 && opts.labels === undefined) throw new Error('DBN.logProbabilityBound: this DBN has label units; pass labels (the bound is on log p(v, y))');
    const samples = opts.samples === undefined ? 10 : nn.check.int('DBN.logProbabilityBound', 'samples', opts.samples);
    const logZ = opts.logZ ?? nn.exactLogPartition(this.rbms[this.rbms.length - 1]!);
    const g = opts.generator ?? this.options.generator ?? nn.defaultGenerator;
    return nn.tidy(() => {
      const y = C > 0 ? nn.fromArray(this.oneHot('DBN.logProbabilityBound', opts.labels!, x.shape[0]!), [x.shape[0]!, C]) : null;
      return logProbabilityBound(this, x, y, logZ, samples, g);
    });
  }

  private oneHot(where: string, ys: ArrayLike<number>, n: number): Float32Array {
    const C = this.numClasses;
    if (ys.length !== n) throw new Error(`${where}: ${ys.length} labels for ${n} samples`);
    const out = new Float32Array(n * C);
    for (let i = 0; i < n; i++) {
      const y = ys[i]!;
      if (!Number.isInteger(y) || y < 0 || y >= C) throw new Error(`${where}: label ${i} is ${y}, expected 0..${C - 1}`);
      out[i * C + y] = 1;
    }
    return out;
  }

  /** Top-level features: hidden probabilities of every layer in turn (the top RBM sees a zero label). */
  forward(x: nn.Tensor): nn.Tensor {
    return this.upPass(x, this.rbms.length);
  }

  /** Hidden probabilities after `layers` RBMs (the label units of the top RBM set to `labels` or 0). */
  upPass(x: nn.Tensor, layers: number, labels?: nn.Tensor): nn.Tensor {
    return nn.noGrad(() =>
      nn.tidy(() => {
        let h = x;
        for (let i = 0; i < layers; i++) {
          if (i === this.rbms.length - 1 && this.numClasses > 0) h = nn.concat([h, labels ?? nn.zeros([h.shape[0]!, this.numClasses])], 1);
          h = this.rbms[i]!.hiddenProbabilities(h);
        }
        return h;
      }),
    );
  }

  /**
   * Greedy layer-wise pretraining: RBM i is trained with CD-k (or PCD) on the hidden probabilities of
   * RBMs 0..i-1 over the data; the top RBM also sees the one-hot labels when the DBN has label units.
   * Returns each layer's reconstruction error per epoch.
   */
  pretrain(data: nn.Dataset, opts: PretrainOptions = {}): number[][] {
    const steps = this.pretrainSteps(data, opts);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * The same pretraining one batch at a time: each step is yielded after its parameter update, so a
   * caller can report, pause or stop between batches (breaking out of the loop cleans up). The
   * generator's return value is pretrain's.
   */
  pretrainSteps(data: nn.Dataset, opts: PretrainOptions = {}): Generator<PretrainStep, number[][], void> {
    return pretrainSteps(this, data, opts);
  }

  /**
   * The recognition weights unrolled into a feed-forward classifier: Linear(sizes[i], sizes[i+1]) +
   * Sigmoid per RBM (weights and hidden biases copied; the top RBM's label columns dropped), then a new
   * Linear(top, numClasses) output layer, initialised as PyTorch does.
   */
  toClassifier(opts: { numClasses?: number; generator?: nn.Generator } = {}): nn.Sequential {
    const classes = opts.numClasses ?? this.numClasses;
    nn.check.int('DBN.toClassifier', 'numClasses', classes);
    const layers: nn.Module[] = [];
    this.rbms.forEach((rbm, i) => {
      const inF = this.sizes[i]!, outF = this.sizes[i + 1]!;
      const lin = new nn.Linear(inF, outF, { generator: opts.generator });
      const w = rbm.weight.data, lw = lin.weight.data;
      for (let j = 0; j < outF; j++) lw.set(w.subarray(j * rbm.nVisible, j * rbm.nVisible + inF), j * inF);
      lin.bias!.data.set(rbm.hiddenBias.data);
      layers.push(lin, new nn.Sigmoid());
    });
    layers.push(new nn.Linear(this.sizes[this.sizes.length - 1]!, classes, { generator: opts.generator }));
    return new nn.Sequential(...layers);
  }

  /**
   * n samples of the visible layer, [n, sizes[0]] (probabilities of the last down step): alternating
   * Gibbs sampling in the top RBM (label units clamped to `label` when given) for gibbsSteps, then a
   * down pass through the lower RBMs' generative weights.
   */
  sample(n: number, opts: SampleOptions = {}): nn.Tensor {
    nn.check.checkOptions('DBN.sample', opts, SAMPLE_OPTIONS);
    nn.check.int('DBN.sample', 'n', n);
    const steps = opts.gibbsSteps === undefined ? 1000 : nn.check.int('DBN.sample', 'gibbsSteps', opts.gibbsSteps, 0);
    const T = opts.temperature === undefined ? 1 : nn.check.num('DBN.sample', 'temperature', opts.temperature, 0);
    if (!(T > 0)) throw new Error(`DBN.sample: temperature must be above 0, got ${T}`);
    const gen = { generator: opts.generator ?? this.options.generator ?? nn.defaultGenerator, beta: 1 / T };
    const top = this.rbms[this.rbms.length - 1]!;
    const C = this.numClasses, P = top.nVisible - C;
    let clamp: nn.Tensor | null = null;
    if (opts.label !== undefined) {
      if (C === 0) throw new Error('DBN.sample: label given, but this DBN has no label units (build it with numClasses)');
      const ls = typeof opts.label === 'number' ? Array.from({ length: n }, () => opts.label as number) : Array.from(opts.label);
      if (ls.length !== n) throw new Error(`DBN.sample: ${ls.length} labels for ${n} samples`);
      const oh = new Float32Array(n * C);
      ls.forEach((y, i) => {
        if (!Number.isInteger(y) || y < 0 || y >= C) throw new Error(`DBN.sample: label ${y} is not in 0..${C - 1}`);
        oh[i * C + y] = 1;
      });
      clamp = nn.fromArray(oh, [n, C]).keep();
    }
    return nn.noGrad(() => {
      let v = nn.tidy(() => {
        const pen = nn.bernoulli(nn.full([n, P], 0.5), { generator: gen.generator });
        return (clamp ? nn.concat([pen, clamp], 1) : C > 0 ? nn.concat([pen, nn.zeros([n, C])], 1) : pen).keep();
      });
      for (let s = 0; s < steps; s++) {
        const next = nn.tidy(() => {
          const x = top.sampleVisible(top.sampleHidden(v, gen).sample, gen);
          const out = s === steps - 1 ? x.prob : x.sample;
          return (clamp ? nn.concat([nn.narrow(out, 1, 0, P), clamp], 1) : out).keep();
        });
        v.dispose();
        v = next;
      }
      clamp?.dispose();
      const result = nn.tidy(() => {
        let h = C > 0 ? nn.narrow(v, 1, 0, P) : v;
        for (let i = this.rbms.length - 2; i >= 0; i--) h = this.generative ? this.generative[i]!.forward(h) : this.rbms[i]!.visibleProbabilities(h);
        return h;
      });
      v.dispose();
      return result;
    });
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'DBN', config: { sizes: [...this.sizes], numClasses: this.numClasses, untied: this.generative !== null } };
  }
}

/** dbn([784, 500, 500, 2000], { numClasses: 10 }): Hinton, Osindero and Teh's network. */
export function dbn(sizes: readonly number[], options: DBNOptions = {}): DBN {
  return new DBN(sizes, options);
}

nn.registerModuleType('DBN', (c) => new DBN(c.sizes, { numClasses: c.numClasses === 0 ? undefined : c.numClasses, untied: c.untied }), {
  sizes: nn.configFields.ints({ min: 1 }),
  numClasses: nn.configFields.int({ min: 0, default: 0 }),
  untied: nn.configFields.bool(false),
});
