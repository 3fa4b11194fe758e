/**
 * Graph classification (demo --task graphs): a GIN (Xu et al., 2019) learns how many independent
 * cycles a random connected graph has (0, 1 or 2; chance 1/3) from its structure alone (every node's
 * feature is 1): three GINConv layers with two-layer MLPs, global add pooling over each graph of a
 * mini-batch (batchGraphs), a linear classifier; Adam, mini-batches of 32 graphs.
 */
import * as nn from '@deepwasm/nn';
import { cycleCountGraphs, type GraphSample } from '@deepwasm/data';
import { bar, type TaskOptions } from './common.js';

export interface GraphsTaskOptions extends TaskOptions {
  trainGraphs?: number;
  testGraphs?: number;
  epochs?: number;
  hidden?: number;
}

export interface GraphsTaskResult {
  trainAccuracy: number;
  testAccuracy: number;
  losses: number[];
}

class GIN extends nn.GraphModule {
  readonly convs: nn.GINConv[] = [];
  readonly head: nn.Linear;
  constructor(inF: number, hidden: number, classes: number, layers = 3) {
    super();
    for (let l = 0; l < layers; l++) {
      const mlp = new nn.Sequential(new nn.Linear(l === 0 ? inF : hidden, hidden), new nn.ReLU(), new nn.Linear(hidden, hidden), new nn.ReLU());
      this.convs.push(this.registerModule(`conv${l + 1}`, new nn.GINConv(mlp)));
    }
    this.head = this.registerModule('head', new nn.Linear(hidden, classes));
  }
  forward(x: nn.Tensor, graph: nn.Graph): nn.Tensor {
    let h = x;
    for (const conv of this.convs) h = conv.forward(h, graph);
    return this.head.forward(nn.globalAddPool(h, graph));
  }
}

/** One disjoint graph of the samples, constant features, labels. */
function batchOf(samples: readonly GraphSample[]): { graph: nn.Graph; x: nn.Tensor; y: Int32Array } {
  const graph = nn.batchGraphs(samples.map((s) => s.graph));
  return { graph, x: nn.ones([graph.numNodes, 1]), y: Int32Array.from(samples, (s) => s.label) };
}

function accuracy(model: GIN, samples: readonly GraphSample[]): number {
  model.eval();
  const { graph, x, y } = batchOf(samples);
  const pred = nn.noGrad(() => nn.tidy(() => nn.argmax(model.forward(x, graph), -1)));
  graph.dispose();
  x.dispose();
  model.train();
  return pred.reduce((s, p, i) => s + (p === y[i] ? 1 : 0), 0) / samples.length;
}

export async function runGraphsTask(opts: GraphsTaskOptions = {}): Promise<GraphsTaskResult> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0;
  const nTrain = opts.trainGraphs ?? 600;
  const nTest = opts.testGraphs ?? 300;
  const epochs = opts.epochs ?? opts.steps ?? 40;
  const data = cycleCountGraphs(nTrain + nTest, { seed });
  const train = data.samples.slice(0, nTrain);
  const test = data.samples.slice(nTrain);
  log(`cycle counts: ${nTrain} training and ${nTest} test graphs of 8-20 nodes with 0, 1 or 2 independent cycles (chance 33.3%), no node features`);
  nn.manualSeed(seed);
  const model = new GIN(1, opts.hidden ?? 32, data.numClasses);
  const opt = new nn.Adam(model.parameters(), { lr: 0.005 });
  const order = new nn.Generator(seed + 1);
  const losses: number[] = [];
  const progress = bar(epochs, 'GIN', opts.progress ?? true);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const perm = order.permutation(nTrain);
    let total = 0;
    let batches = 0;
    for (let b = 0; b < nTrain; b += 32) {
      const { graph, x, y } = batchOf(Array.from(perm.slice(b, b + 32), (i) => train[i]!));
      total += nn.tidy(() => {
        opt.zeroGrad();
        const loss = nn.crossEntropy(model.forward(x, graph), y);
        loss.backward();
        opt.step();
        return loss.item();
      });
      batches++;
      graph.dispose();
      x.dispose();
    }
    losses.push(total / batches);
    progress.update(epoch, `loss ${(total / batches).toFixed(3)}`);
  }
  const result = { trainAccuracy: accuracy(model, train), testAccuracy: accuracy(model, test), losses };
  progress.finish(`train ${(100 * result.trainAccuracy).toFixed(1)}%, test ${(100 * result.testAccuracy).toFixed(1)}%`);
  log(`GIN (3 layers, add pooling): training accuracy ${(100 * result.trainAccuracy).toFixed(1)}%, test accuracy ${(100 * result.testAccuracy).toFixed(1)}% (chance 33.3%)`);
  for (const s of data.samples) s.graph.dispose();
  opt.dispose();
  model.dispose();
  return result;
}
