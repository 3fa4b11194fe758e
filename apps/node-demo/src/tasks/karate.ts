/**
 * Zachary's karate club (demo --task karate): semi-supervised node classification as in Kipf and
 * Welling's GCN demonstration. Each member's feature is its own one-hot vector (no information but
 * the friendships), only the two leaders are labelled (Mr. Hi, 0, and the officer, 33), and a
 * three-layer GCN (34 -> 4 -> 4 -> 2, tanh) with a linear classifier learns which club each of the
 * other 32 members joined after the split. Its 2-D last layer is the plot (out/karate-embedding.svg).
 */
import * as nn from '@deepwasm/nn';
import { karateClub } from '@deepwasm/data';
import { scatterSvg } from '../scatter.js';
import { bar, writeOut, type TaskOptions } from './common.js';

export interface KarateTaskOptions extends TaskOptions {
  epochs?: number;
}

export interface KarateTaskResult {
  /** Accuracy on the 32 members whose club was not given. */
  accuracy: number;
  losses: number[];
  /** The 2-D embedding of every member [34 * 2]. */
  embedding: Float32Array;
  plot: string | null;
}

class KarateGCN extends nn.GraphModule {
  readonly conv1 = this.registerModule('conv1', new nn.GCNConv(34, 4));
  readonly conv2 = this.registerModule('conv2', new nn.GCNConv(4, 4));
  readonly conv3 = this.registerModule('conv3', new nn.GCNConv(4, 2));
  readonly classifier = this.registerModule('classifier', new nn.Linear(2, 2));

  /** The 2-D representation of every node. */
  embed(x: nn.Tensor, graph: nn.Graph): nn.Tensor {
    const h = nn.tanh(this.conv1.forward(x, graph));
    return nn.tanh(this.conv3.forward(nn.tanh(this.conv2.forward(h, graph)), graph));
  }

  forward(x: nn.Tensor, graph: nn.Graph): nn.Tensor {
    return this.classifier.forward(this.embed(x, graph));
  }
}

export async function runKarateTask(opts: KarateTaskOptions = {}): Promise<KarateTaskResult> {
  const log = opts.log ?? console.log;
  const seed = opts.seed ?? 0;
  const epochs = opts.epochs ?? opts.steps ?? 200;
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new Error(`--task karate: --epochs must be a positive integer, got ${epochs}`);
  const club = karateClub();
  log(`Zachary's karate club: ${club.numNodes} members, ${club.graph.numEdges / 2} friendships; labelled: member 0 (Mr. Hi) and member 33 (the officer)`);
  nn.manualSeed(seed);
  const model = new KarateGCN();
  const x = nn.eye(club.numNodes).keep();
  const opt = new nn.Adam(model.parameters(), { lr: 0.01 });
  const labels = club.trainIndex.map((i) => club.y[i]!);
  const losses: number[] = [];
  const progress = bar(epochs, 'GCN', opts.progress ?? true);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const loss = nn.tidy(() => {
      opt.zeroGrad();
      const l = nn.crossEntropy(nn.gather(model.forward(x, club.graph), club.trainIndex), labels);
      l.backward();
      opt.step();
      return l.item();
    });
    losses.push(loss);
    progress.update(epoch, `loss ${loss.toFixed(3)}`);
  }
  model.eval();
  const { pred, embedding } = nn.noGrad(() =>
    nn.tidy(() => ({ pred: nn.argmax(model.forward(x, club.graph), -1), embedding: model.embed(x, club.graph).toArray() })),
  );
  let right = 0;
  const others = club.numNodes - club.trainIndex.length;
  for (let i = 0; i < club.numNodes; i++) if (!club.trainIndex.includes(i) && pred[i] === club.y[i]) right++;
  const accuracy = right / others;
  progress.finish(`the club of ${right} of the other ${others} members`);
  log(`GCN (34 -> 4 -> 4 -> 2, tanh; one-hot features): the club of ${right} of the ${others} unlabelled members right (${(100 * accuracy).toFixed(1)}%)`);
  const svg = await scatterSvg(
    embedding, club.y, ["Mr. Hi's club", "the officer's club"], "GCN embedding of Zachary's karate club",
    `2-D last layer after ${epochs} epochs from 2 labelled members; ${right} of the other ${others} placed in their club`,
  );
  const plot = await writeOut(opts.out, 'karate-embedding.svg', svg);
  if (plot) log(`embedding: ${plot}`);
  x.dispose();
  opt.dispose();
  model.dispose();
  club.graph.dispose();
  return { accuracy, losses, embedding, plot };
}
