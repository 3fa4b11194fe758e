/**
 * Training and evaluation of the autoencoders and VAEs on a Dataset of images in [0, 1], as PyTorch's
 * examples/vae does it: shuffled batches (default 128), Adam (default lr 1e-3), the model's loss (the
 * negative ELBO per image for a VAE, the summed binary cross-entropy for an autoencoder), with the
 * labels of the data for a conditional VAE. A progress bar shows the running loss; after each epoch
 * `onEpoch` receives the training loss and, given test data, the test loss. Seeded: shuffling and the
 * VAE's noise come from one generator.
 */
import * as nn from '@deepwasm/nn';
import type { Autoencoder } from './autoencoder.js';
import type { VAE } from './vae.js';

export interface VaeEpoch {
  epoch: number;
  /** Mean training loss over the epoch (nats per image). */
  loss: number;
  /** Mean loss on `test` after the epoch (eval mode), when given. */
  testLoss?: number;
  seconds: number;
}

export interface VaeTrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Seed of the shuffling and of the VAE's samples (default 0); ignored when `generator` is given. */
  seed?: number;
  generator?: nn.Generator;
  /** Transforms each batch (e.g. random shifts) before the loss; the target is the transformed batch. */
  augment?: (x: nn.Tensor, generator: nn.Generator) => nn.Tensor;
  test?: nn.Dataset;
  progress?: boolean | nn.ProgressWriter;
  onEpoch?: (e: VaeEpoch) => void | Promise<void>;
}
const TRAIN_OPTIONS = nn.check.optionKeys<VaeTrainOptions>({
  epochs: true, batchSize: true, lr: true, seed: true, generator: true, augment: true, test: true, progress: true, onEpoch: true,
});

type Trainable = VAE | Autoencoder;

function labelsOf(model: Trainable, data: nn.Dataset, idx: ArrayLike<number>): Int32Array | undefined {
  if (!('numClasses' in model) || model.numClasses === 0) return undefined;
  return Int32Array.from(idx as ArrayLike<number>, (i) => (data.y as ArrayLike<number>)[i]!);
}

function lossOf(model: Trainable, x: nn.Tensor, labels: Int32Array | undefined, g: nn.Generator): nn.Tensor {
  return 'fc21' in model ? model.loss(x, labels, g) : model.loss(x);
}

/** Trains `model` on `data`; returns the training (and test) loss per epoch. */
export async function trainVae(model: Trainable, data: nn.Dataset, opts: VaeTrainOptions = {}): Promise<VaeEpoch[]> {
  const where = 'trainVae';
  nn.check.checkOptions(where, opts, TRAIN_OPTIONS);
  const epochs = opts.epochs === undefined ? 10 : nn.check.int(where, 'epochs', opts.epochs, 0);
  const batchSize = opts.batchSize === undefined ? 128 : nn.check.int(where, 'batchSize', opts.batchSize);
  const lr = opts.lr === undefined ? 1e-3 : nn.check.num(where, 'lr', opts.lr, 0);
  if (opts.generator !== undefined) nn.check.checkGenerator(where, opts.generator);
  const g = opts.generator ?? new nn.Generator(opts.seed === undefined ? 0 : nn.check.num(where, 'seed', opts.seed));
  const n = data.count;
  if (n === 0) throw new Error(`${where}: the training data is empty`);
  const per = model.options.inputSize;
  if (data.x.length !== n * per) throw new Error(`${where}: the model reads images of ${per} values, the data has ${data.x.length / n} per sample`);
  const x = nn.fromArray(data.x, [n, per]).keep();
  const opt = new nn.Adam(model.parameters(), { lr });
  const writer = typeof opts.progress === 'object' ? opts.progress : opts.progress === false ? null : undefined;
  const batches = Math.ceil(n / batchSize);
  const out: VaeEpoch[] = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      model.train();
      const bar = writer === null ? null : new nn.ProgressBar(batches, `epoch ${epoch + 1}/${epochs}`, writer);
      const order = g.permutation(n);
      const t0 = performance.now();
      let sum = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const value = nn.tidy(() => {
          let xb = nn.gather(x, idx);
          if (opts.augment) xb = nn.reshape(opts.augment(xb, g), [idx.length, per]);
          opt.zeroGrad();
          const loss = lossOf(model, xb, labelsOf(model, data, idx), g);
          loss.backward();
          nn.noGrad(() => opt.step());
          return loss.item();
        });
        if (!Number.isFinite(value)) throw new Error(`${where}: the loss became ${value} at epoch ${epoch + 1}, batch ${b + 1}`);
        sum += value * idx.length;
        bar?.update(b + 1, `loss ${(sum / Math.min(n, (b + 1) * batchSize)).toFixed(2)}`);
      }
      const e: VaeEpoch = { epoch, loss: sum / n, seconds: (performance.now() - t0) / 1000 };
      if (opts.test) e.testLoss = evaluateVae(model, opts.test, { generator: g });
      bar?.finish(`loss ${e.loss.toFixed(2)}${e.testLoss !== undefined ? ` test ${e.testLoss.toFixed(2)}` : ''} ${e.seconds.toFixed(1)} s`);
      out.push(e);
      await opts.onEpoch?.(e);
    }
  } finally {
    x.dispose();
    opt.dispose();
  }
  return out;
}

/** The model's mean loss over `data` in eval mode (a VAE still draws one z per image, as PyTorch's example tests). */
export function evaluateVae(model: Trainable, data: nn.Dataset, opts: { batchSize?: number; generator?: nn.Generator } = {}): number {
  const g = opts.generator ?? new nn.Generator(0);
  const batch = opts.batchSize ?? 500;
  const per = model.options.inputSize;
  const was = model.training;
  model.eval();
  let sum = 0;
  try {
    nn.noGrad(() => {
      for (let s = 0; s < data.count; s += batch) {
        const m = Math.min(batch, data.count - s);
        const idx = Int32Array.from({ length: m }, (_, i) => s + i);
        sum += nn.tidy(() => lossOf(model, nn.fromArray(data.x.subarray(s * per, (s + m) * per), [m, per]), labelsOf(model, data, idx), g).item()) * m;
      }
    });
  } finally {
    model.train(was);
  }
  return sum / data.count;
}
