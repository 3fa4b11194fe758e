/**
 * Generative models in the worker, on the 8,000 training digits: a VAE (PyTorch's examples/vae MLP,
 * 400 hidden units) with a 2-D latent space, trained batch by batch on the negative ELBO, whose
 * latent map is drawn (the test digits' mean codes, and the decoder over a lattice of codes); or a GAN
 * (MLPs, Goodfellow et al.) trained by @deepwasm/models' trainGan, whose samples from fixed codes are
 * shown after every epoch (so a GAN run pauses and stops at epoch ends).
 */
import * as nn from '@deepwasm/nn';
import { GAN, VAE, trainGan } from '@deepwasm/models';
import { option, type Job, type JobContext } from './job.js';
import { loadMnistSplit, type MnistSplit } from './mnist-data.js';

export interface GenProgress {
  model: 'vae' | 'gan';
  /** Epochs done (fractional). */
  x: number;
  epochs: number;
  /** VAE: negative ELBO (nats per image) of the last batches, and of the test digits. */
  loss?: number;
  testLoss?: number;
  /** GAN: mean discriminator and generator losses of the epoch. */
  dLoss?: number;
  gLoss?: number;
  /** 100 images (bytes, 784 each). */
  samples?: Uint8Array;
  /** VAE: the test digits' mean codes [x0, y0, ...] with their classes, and the decoder over a lattice. */
  codes?: Float32Array;
  labels?: Uint8Array;
  lattice?: Uint8Array;
  images: number;
  elapsed: number;
  done: number;
}

export const LATTICE = 12;
const BATCH = 128;
const STOP = Symbol('stop');

const bytes = (t: Float32Array) => Uint8Array.from(t, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));

export class GenJob implements Job {
  private data: Promise<MnistSplit> | null = null;

  async run(options: Record<string, unknown>, ctx: JobContext): Promise<{ model: string; epochs: number }> {
    this.data ??= loadMnistSplit(ctx.dataBase);
    const { train, test } = await this.data;
    const epochs = option(options, 'epochs', 10, 1, 200);
    return options.model === 'gan'
      ? this.gan(train, epochs, option(options, 'lr', 2e-4, 1e-6, 1, false), ctx)
      : this.vae(train, test, epochs, option(options, 'lr', 1e-3, 1e-6, 1, false), ctx);
  }

  private async vae(train: nn.Dataset, test: nn.Dataset, epochs: number, lr: number, ctx: JobContext): Promise<{ model: string; epochs: number }> {
    const g = new nn.Generator(0);
    const model = new VAE({ latentDim: 2, generator: g });
    const opt = new nn.Adam(model.parameters(), { lr });
    const n = train.count;
    const x = nn.fromArray(train.x, [n, 784]).keep();
    const testX = nn.fromArray(test.x, [test.count, 784]).keep();
    const batches = Math.ceil(n / BATCH);
    const ctl = ctx.control;
    let images = 0;
    let done = 0;
    const report = (p: Partial<GenProgress>, transfer: Transferable[] = []) =>
      ctx.progress({ model: 'vae', x: done / batches, epochs, images, elapsed: ctl.elapsed, done: done / (epochs * batches), ...p } satisfies GenProgress, transfer);
    const pictures = () => {
      const testLoss = nn.noGrad(() => nn.tidy(() => model.loss(testX, undefined, new nn.Generator(1)).item()));
      const mu = nn.tidy(() => nn.noGrad(() => model.encode(testX).mu.toArray()));
      const z = new Float32Array(LATTICE * LATTICE * 2);
      for (let r = 0; r < LATTICE; r++) {
        for (let c = 0; c < LATTICE; c++) {
          z[(r * LATTICE + c) * 2] = -3 + (6 * c) / (LATTICE - 1);
          z[(r * LATTICE + c) * 2 + 1] = 3 - (6 * r) / (LATTICE - 1);
        }
      }
      const lattice = bytes(nn.tidy(() => nn.noGrad(() => model.decode(nn.fromArray(z, [LATTICE * LATTICE, 2])).toArray())));
      const samples = bytes(nn.tidy(() => model.sample(100, { generator: new nn.Generator(2) }).toArray()));
      const labels = Uint8Array.from(test.y as Uint8Array);
      report({ testLoss, codes: mu, labels, lattice, samples }, [mu.buffer as ArrayBuffer, lattice.buffer as ArrayBuffer, samples.buffer as ArrayBuffer, labels.buffer as ArrayBuffer]);
    };
    let epoch = 0;
    try {
      pictures();
      outer: for (; epoch < epochs; epoch++) {
        model.train();
        const order = g.permutation(n);
        let sum = 0, seen = 0;
        for (let b = 0; b < batches; b++) {
          const idx = order.subarray(b * BATCH, Math.min(n, (b + 1) * BATCH));
          const loss = nn.tidy(() => {
            opt.zeroGrad();
            const l = model.loss(nn.gather(x, idx), undefined, g);
            l.backward();
            opt.step();
            return l.item();
          });
          sum += loss * idx.length;
          seen += idx.length;
          images += idx.length;
          done++;
          if (done % 8 === 0) {
            report({ loss: sum / seen });
            sum = seen = 0;
          }
          if (!(await ctl.between())) break outer;
        }
        pictures();
      }
      if (ctl.isStopped) pictures();
    } finally {
      x.dispose();
      testX.dispose();
      opt.dispose();
      model.dispose();
    }
    return { model: 'vae', epochs: epoch };
  }

  private async gan(train: nn.Dataset, epochs: number, lr: number, ctx: JobContext): Promise<{ model: string; epochs: number }> {
    const g = new nn.Generator(0);
    const model = new GAN({ generator: g });
    const ctl = ctx.control;
    let done = 0;
    ctx.progress({ model: 'gan', x: 0, epochs, images: 0, elapsed: 0, done: 0, samples: bytes(nn.tidy(() => model.sample(100, { generator: new nn.Generator(2) }).toArray())) } satisfies GenProgress);
    try {
      await trainGan(model, train, {
        epochs, lr, generator: g, progress: false,
        onEpoch: async (e) => {
          done = e.epoch + 1;
          const samples = bytes(e.samples);
          ctx.progress({ model: 'gan', x: done, epochs, dLoss: e.dLoss, gLoss: e.gLoss, samples, images: done * train.count, elapsed: ctl.elapsed, done: done / epochs } satisfies GenProgress, [samples.buffer as ArrayBuffer]);
          if (!(await ctl.between(true))) throw STOP;
        },
      });
    } catch (e) {
      if (e !== STOP) throw e;
    } finally {
      model.dispose();
    }
    return { model: 'gan', epochs: done };
  }

  call(method: string): unknown {
    throw new Error(`generative: no method "${method}"`);
  }
}
