/**
 * Greedy layer-wise pretraining of a DBN as a generator of batch steps: RBM i is trained with CD-k (or
 * PCD) on the hidden probabilities of RBMs 0..i-1 over the data (the top RBM also sees the one-hot
 * labels), then optionally refined with persistent CD. `DBN.pretrain` runs the steps to the end; a
 * caller that must pause, stop or report between batches (the browser app's worker) iterates them
 * itself, awaiting what it needs between steps. Leaving the loop early disposes the optimizer and
 * resets the persistent chains.
 */
import * as nn from '@deepwasm/nn';

export interface PretrainOptions {
  /** Epochs per layer (default 10). */
  epochs?: number;
  batchSize?: number;
  /** SGD on the CD gradient (defaults lr 0.05, momentum 0.5, weight decay 2e-4, Hinton's guide). */
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  /** Gibbs steps per CD update (default 1) and persistent chains (default false). */
  k?: number;
  persistent?: boolean;
  /**
   * Epochs of persistent CD for the top RBM after its CD-k epochs, at a fifth of the learning rate with
   * 100 chains (default 0). CD-1 leaves spurious modes that long Gibbs chains fall into (class-conditional
   * samples turn into the same blob); PCD removes them (Tieleman 2008).
   */
  topPcdEpochs?: number;
  /**
   * Decay the top RBM's PCD learning rate linearly to 0 over its PCD epochs (default false). On MNIST,
   * 4 PCD epochs at 0.01 decayed to 0, after 10 at a constant 0.01, raised LeNet-5's recognition of
   * class-conditional samples from 39% to 93% (100 samples, 10 per class), as a decayed rate turned the
   * 784-500 RBM's PCD samples into clean digits.
   */
  topPcdDecay?: boolean;
  /** Show a progress bar per layer (default false); or a writer for it. */
  progress?: boolean | nn.ProgressWriter;
  /** Called after each layer's epoch with the layer index and the epoch's mean reconstruction error. */
  onEpoch?: (layer: number, epoch: number, reconstructionError: number) => void;
  generator?: nn.Generator;
}
export const PRETRAIN_OPTIONS = nn.check.optionKeys<PretrainOptions>({
  epochs: true, batchSize: true, lr: true, momentum: true, weightDecay: true, k: true, persistent: true, topPcdEpochs: true, topPcdDecay: true, progress: true, onEpoch: true, generator: true,
});

/** One parameter update of one RBM, yielded after the optimizer's step. */
export interface PretrainStep {
  /** Index of the RBM being trained, and the number of RBMs. */
  layer: number;
  layers: number;
  /** 'cd': the CD-k (or PCD) epochs every layer gets; 'pcd': the top RBM's extra persistent-CD epochs. */
  phase: 'cd' | 'pcd';
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** This batch's mean squared reconstruction error (null in the 'pcd' phase, which skips it). */
  reconstructionError: number | null;
  /** The learning rate this batch's update used (it falls to 0 through the 'pcd' phase with topPcdDecay). */
  lr: number;
}

/** What pretraining needs of the DBN (kept structural so dbn.ts and this file do not import each other). */
export interface Stack {
  readonly rbms: nn.RBM[];
  readonly sizes: readonly number[];
  readonly numClasses: number;
  readonly options: { generator?: nn.Generator };
}

/** The batch steps of greedy pretraining; returns each layer's mean reconstruction error per epoch. */
export function* pretrainSteps(dbn: Stack, data: nn.Dataset, opts: PretrainOptions = {}): Generator<PretrainStep, number[][], void> {
  nn.check.checkOptions('DBN.pretrain', opts, PRETRAIN_OPTIONS);
  const epochs = opts.epochs === undefined ? 10 : nn.check.int('DBN.pretrain', 'epochs', opts.epochs, 0);
  const batchSize = opts.batchSize === undefined ? 64 : nn.check.int('DBN.pretrain', 'batchSize', opts.batchSize);
  const pcdEpochs = opts.topPcdEpochs === undefined ? 0 : nn.check.int('DBN.pretrain', 'topPcdEpochs', opts.topPcdEpochs, 0);
  const g = opts.generator ?? dbn.options.generator ?? nn.defaultGenerator;
  const n = data.count, L = dbn.rbms.length, C = dbn.numClasses;
  if (data.x.length !== n * dbn.sizes[0]!) throw new Error(`DBN.pretrain: samples must have ${dbn.sizes[0]} values, got ${data.x.length / n}`);
  let labels: Float32Array | null = null;
  if (C > 0) {
    labels = new Float32Array(n * C);
    for (let i = 0; i < n; i++) {
      const y = (data.y as ArrayLike<number>)[i]!;
      if (!Number.isInteger(y) || y < 0 || y >= C) throw new Error(`DBN.pretrain: label ${i} is ${y}, expected 0..${C - 1}`);
      labels[i * C + y] = 1;
    }
  }
  const lr = opts.lr ?? 0.05, momentum = opts.momentum ?? 0.5, weightDecay = opts.weightDecay ?? 2e-4;
  const batches = Math.ceil(n / batchSize);
  const history: number[][] = [];
  let input = data.x;
  for (let layer = 0; layer < L; layer++) {
    const rbm = dbn.rbms[layer]!;
    const width = rbm.nVisible;
    const rows = layer === L - 1 && labels !== null ? joinColumns(input, labels, n) : input;
    if (layer === 0) nn.tidy(() => void rbm.initVisibleBias(nn.fromArray(rows, [n, width])));
    const errors: number[] = [];
    const phases = [{ phase: 'cd' as const, count: epochs }, { phase: 'pcd' as const, count: layer === L - 1 ? pcdEpochs : 0 }];
    for (const { phase, count } of phases) {
      if (count === 0) continue;
      const pcd = phase === 'pcd';
      const opt = new nn.SGD(rbm.parameters(), { lr: pcd ? lr / 5 : lr, momentum, weightDecay });
      const title = `RBM ${layer + 1}/${L} ${pcd ? 'PCD' : `${width}-${rbm.nHidden}`}`;
      const bar = opts.progress ? new nn.ProgressBar(count * batches, title, opts.progress === true ? undefined : opts.progress) : null;
      const cdOptions = pcd
        ? { persistent: true, numChains: 100, reconstructionError: false, generator: g }
        : { k: opts.k ?? 1, persistent: opts.persistent ?? false, generator: g };
      try {
        for (let epoch = 0; epoch < count; epoch++) {
          const order = g.permutation(n);
          let err = 0;
          for (let b = 0; b < batches; b++) {
            const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
            if (pcd && opts.topPcdDecay) opt.lr = (lr / 5) * (1 - (epoch * batches + b) / (count * batches));
            opt.zeroGrad();
            const e = nn.tidy(() => {
              // The batch's rows gathered straight into kernel memory (no JavaScript copy per batch to collect).
              const batch = nn.Tensor.empty([idx.length, width]), d = batch.data;
              idx.forEach((r, i) => d.set(rows.subarray(r * width, (r + 1) * width), i * width));
              return rbm.contrastiveDivergence(batch, cdOptions).reconstructionError;
            });
            opt.step();
            err += e;
            bar?.update(epoch * batches + b + 1, `epoch ${epoch + 1}/${count}${pcd ? '' : ` reconstruction ${(err / (b + 1)).toFixed(4)}`}`);
            yield { layer, layers: L, phase, epoch, epochs: count, batch: b, batches, reconstructionError: pcd ? null : e, lr: opt.lr };
          }
          if (!pcd) {
            errors.push(err / batches);
            opts.onEpoch?.(layer, epoch, err / batches);
          }
        }
        bar?.finish(pcd ? undefined : `reconstruction ${errors[errors.length - 1]?.toFixed(4) ?? '-'}`);
      } finally {
        opt.dispose();
        rbm.resetChains();
      }
    }
    history.push(errors);
    if (layer < L - 1) input = propagate(rbm, rows, n, width);
  }
  return history;
}

function joinColumns(a: Float32Array, b: Float32Array, rows: number): Float32Array {
  const ca = a.length / rows, cb = b.length / rows;
  const out = new Float32Array(rows * (ca + cb));
  for (let r = 0; r < rows; r++) {
    out.set(a.subarray(r * ca, (r + 1) * ca), r * (ca + cb));
    out.set(b.subarray(r * cb, (r + 1) * cb), r * (ca + cb) + ca);
  }
  return out;
}

/** Hidden probabilities of `rbm` for all rows, in chunks. */
function propagate(rbm: nn.RBM, rows: Float32Array, n: number, width: number): Float32Array {
  const out = new Float32Array(n * rbm.nHidden);
  for (let s = 0; s < n; s += 1024) {
    const m = Math.min(1024, n - s);
    nn.tidy(() => out.set(rbm.hiddenProbabilities(nn.fromArray(rows.subarray(s * width, (s + m) * width), [m, width])).data, s * rbm.nHidden));
  }
  return out;
}
