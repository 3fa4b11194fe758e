/**
 * GCN on Cora in the worker: PyG's example (GCNConv 16, ReLU, dropout 0.5, Adam, weight decay 5e-4
 * on the first layer), full-batch epochs on the standard Planetoid split; every 5 epochs the loss,
 * validation accuracy and the hidden layer projected to 2-D (PCA), coloured by class.
 */
import * as nn from '@deepwasm/nn';
import { GCN } from '@deepwasm/models';
import { fetchPlanetoid, type NodeClassificationData } from '@deepwasm/data/graph';
import { option, type Job, type JobContext } from './job.js';
import { pca2 } from '../lib/pca.js';

export interface GcnProgress {
  epoch: number;
  epochs: number;
  loss: number;
  val?: number;
  /** Hidden layer in 2-D, [x0, y0, x1, y1, ...] (float32), with the classes. */
  embedding?: Float32Array;
  labels?: Int32Array;
  explained?: number;
  elapsed: number;
  done: number;
}

export class GcnJob implements Job {
  private data: Promise<NodeClassificationData> | null = null;

  private cora(): Promise<NodeClassificationData> {
    // The package's own cora.json, which Vite finds through its new URL(..., import.meta.url).
    this.data ??= fetchPlanetoid('cora');
    return this.data;
  }

  async run(options: Record<string, unknown>, ctx: JobContext): Promise<{ val: number; test: number; epochs: number }> {
    const epochs = option(options, 'epochs', 200, 1, 5000);
    const hidden = option(options, 'hidden', 16, 2, 256);
    const lr = option(options, 'lr', 0.01, 1e-6, 1, false);
    const data = await this.cora();
    nn.manualSeed(0);
    const model = new GCN({ inChannels: data.numFeatures, outChannels: data.numClasses, hiddenChannels: hidden });
    const opt = new nn.Adam(model.parameterGroups(5e-4), { lr });
    const labels = data.trainIndex.map((i) => data.y[i]!);
    const ctl = ctx.control;
    const accuracy = (index: Int32Array) => {
      model.eval();
      const pred = nn.noGrad(() => nn.tidy(() => nn.argmax(nn.gather(model.forward(data.x, data.graph), index), -1)));
      model.train();
      let right = 0;
      for (let i = 0; i < index.length; i++) if (pred[i] === data.y[index[i]!]) right++;
      return right / index.length;
    };
    const embed = () => {
      model.eval();
      const h = nn.noGrad(() => nn.tidy(() => model.hidden(data.x, data.graph).toArray()));
      model.train();
      const { points, explained } = pca2(h, data.numNodes, h.length / data.numNodes);
      return { embedding: Float32Array.from(points), labels: Int32Array.from(data.y), explained };
    };
    ctx.progress({ epoch: 0, epochs, loss: NaN, val: accuracy(data.valIndex), ...embed(), elapsed: 0, done: 0 } satisfies GcnProgress);
    let epoch = 0;
    try {
      model.train();
      while (epoch < epochs) {
        const loss = nn.tidy(() => {
          opt.zeroGrad();
          const l = nn.crossEntropy(nn.gather(model.forward(data.x, data.graph), data.trainIndex), labels);
          l.backward();
          opt.step();
          return l.item();
        });
        epoch++;
        const report = epoch % 5 === 0 || epoch === epochs;
        const p: GcnProgress = { epoch, epochs, loss, elapsed: ctl.elapsed, done: epoch / epochs };
        if (report) Object.assign(p, { val: accuracy(data.valIndex) }, embed());
        ctx.progress(p, p.embedding ? [p.embedding.buffer as ArrayBuffer, p.labels!.buffer as ArrayBuffer] : []);
        if (!(await ctl.between(report))) break;
      }
      return { val: accuracy(data.valIndex), test: accuracy(data.testIndex), epochs: epoch };
    } finally {
      opt.dispose();
      model.dispose();
    }
  }

  call(method: string): unknown {
    throw new Error(`gcn: no method "${method}"`);
  }
}
