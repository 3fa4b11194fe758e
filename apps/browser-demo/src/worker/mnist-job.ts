/**
 * MNIST in the worker: trains LeNet-5 (the Node demo's recipe: ReLU, max pooling, random 2-pixel
 * shifts, Adam with cosine annealing) or the MLP 784-256-128-10 on the 8,000 bundled digits, reports
 * the training loss and accuracy every few batches and the test figures twice per epoch; classifies
 * drawn digits at any time (between steps while training); saves and loads the model file (the Node
 * demo's safetensors format, so its out/lenet5.safetensors loads here).
 */
import * as nn from '@deepwasm/nn';
import { lenet5 } from '@deepwasm/models';
import { option, type Job, type JobContext } from './job.js';
import { loadMnistSplit, type MnistSplit } from './mnist-data.js';
import { classifyDigit, digitInputShape, testReport, type TestReport } from './classify.js';

export type MnistArch = 'lenet5' | 'mlp';

const ARCHS: Record<MnistArch, { build(): nn.Module; shape: number[]; describe: string }> = {
  lenet5: { build: () => lenet5(), shape: [1, 28, 28], describe: 'LeNet-5 (C1 6@5x5, S2, C3 16@5x5, S4, C5 120, F6 84, 10)' },
  mlp: {
    build: () => new nn.Sequential(
      new nn.Linear(784, 256), new nn.ReLU(), new nn.Dropout(0.2),
      new nn.Linear(256, 128), new nn.ReLU(), new nn.Dropout(0.2),
      new nn.Linear(128, 10),
    ),
    shape: [784],
    describe: 'MLP 784-256-128-10, ReLU, dropout 0.2',
  },
};

/** What the page shows of a model: its name, size and test figures. */
export interface ModelSummary {
  name: string;
  describe: string;
  parameters: number;
  test: TestReport;
}

/** Points reported while training: x in epochs (fractional). */
export interface MnistProgress {
  epoch: number;
  epochs: number;
  train?: { loss: number; accuracy: number };
  test?: { loss: number; accuracy: number };
  report?: TestReport;
  images: number;
  elapsed: number;
  done: number;
}

const REPORT_EVERY = 8;

/** "Sequential: Conv2d, ReLU, MaxPool2d, …" for a model read from a file. */
function describeLayers(model: nn.Module): string {
  const layers = model.namedChildren().map(([, m]) => nn.moduleTypeName(m));
  const name = nn.moduleTypeName(model);
  return layers.length === 0 ? name : `${name} of ${layers.length} layers (${layers.join(', ')})`;
}

export class MnistJob implements Job {
  private data: Promise<MnistSplit> | null = null;
  private model: nn.Module | null = null;
  private shape: number[] = [784];
  private name = '';
  private describe = '';

  private split(base: string): Promise<MnistSplit> {
    this.data ??= loadMnistSplit(base);
    return this.data;
  }

  async run(options: Record<string, unknown>, ctx: JobContext): Promise<ModelSummary | null> {
    const arch = options.arch === 'mlp' ? 'mlp' : 'lenet5';
    const epochs = option(options, 'epochs', 3, 1, 100);
    const batchSize = option(options, 'batchSize', 64, 1, 1024);
    const lr = option(options, 'lr', arch === 'mlp' ? 1e-3 : 2e-3, 1e-6, 1, false);
    const seed = option(options, 'seed', 0, 0, 2 ** 31);
    const { train, test } = await this.split(ctx.dataBase);
    const spec = ARCHS[arch];
    this.model?.dispose();
    nn.manualSeed(seed);
    const model = (this.model = spec.build());
    this.shape = spec.shape;
    this.name = arch;
    this.describe = spec.describe;
    const optimizer = new nn.Adam(model.parameters(), { lr });
    const scheduler = new nn.CosineAnnealingLR(optimizer, epochs);
    const loader = new nn.DataLoader({ ...train, sampleShape: spec.shape }, { batchSize, shuffle: true, seed });
    const g = new nn.Generator(seed + 1);
    const ctl = ctx.control;
    const perEpoch = loader.length;
    const total = epochs * perEpoch;
    let step = 0;
    let images = 0;
    let lossSum = 0;
    let right = 0;
    let seen = 0;
    const report = (p: Partial<MnistProgress>) =>
      ctx.progress({ epoch: step / perEpoch, epochs, images, elapsed: ctl.elapsed, done: step / total, ...p } satisfies MnistProgress);
    model.train();
    try {
      outer: for (let epoch = 0; epoch < epochs; epoch++) {
        for (const { x, y } of loader) {
          const r = nn.tidy(() => {
            optimizer.zeroGrad();
            const input = arch === 'lenet5' ? nn.randomTranslate(x, 2, g) : x;
            const out = model.forward(input);
            const loss = nn.crossEntropy(out, y);
            loss.backward();
            optimizer.step();
            const pred = nn.noGrad(() => nn.argmax(out, 1));
            let ok = 0;
            for (let i = 0; i < pred.length; i++) if (pred[i] === (y as Int32Array)[i]) ok++;
            return { loss: loss.item(), ok };
          });
          const n = x.shape[0]!;
          step++;
          images += n;
          lossSum += r.loss * n;
          right += r.ok;
          seen += n;
          if (step % REPORT_EVERY === 0 || step % perEpoch === 0) {
            report({ train: { loss: lossSum / seen, accuracy: right / seen } });
            lossSum = right = seen = 0;
          }
          const half = step % perEpoch === Math.floor(perEpoch / 2);
          if (half || step % perEpoch === 0) {
            const t = testReport(model, test, spec.shape);
            report({ test: { loss: t.loss, accuracy: t.accuracy }, report: step % perEpoch === 0 ? t : undefined });
          }
          if (!(await ctl.between())) break outer;
        }
        scheduler.step();
      }
    } finally {
      loader.dispose();
      optimizer.dispose();
    }
    return this.summary(test);
  }

  private summary(test: nn.Dataset): ModelSummary | null {
    if (this.model === null) return null;
    return { name: this.name, describe: this.describe, parameters: this.model.numParameters(), test: testReport(this.model, test, this.shape) };
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    switch (method) {
      case 'predict':
        return this.model === null ? null : classifyDigit(this.model, args[0] as Float32Array, this.shape);
      case 'save':
        if (this.model === null) throw new Error('no model to save yet: train one or load one');
        return { name: this.name, bytes: nn.modelToBytes(this.model) };
      case 'load': {
        const [bytes, fileName, base] = args as [ArrayBuffer, string, string];
        const model = nn.modelFromBuffers(bytes);
        let shape: number[];
        try {
          shape = digitInputShape(model);
        } catch (e) {
          model.dispose();
          throw new Error(`${fileName}: ${(e as Error).message}`);
        }
        this.model?.dispose();
        this.model = model;
        this.shape = shape;
        this.name = fileName.replace(/\.safetensors$/, '');
        this.describe = describeLayers(model);
        return this.summary((await this.split(base)).test);
      }
      default:
        throw new Error(`mnist: no method "${method}"`);
    }
  }
}
