/**
 * Full-batch node classification, as the GCN and GAT papers train: every epoch one forward pass over
 * the whole graph, cross-entropy on the training nodes, one Adam step; accuracy on the validation
 * and test nodes in eval mode. The model's parameterGroups give the papers' weight decay.
 */
import * as nn from '@deepwasm/nn';

/** What node classification needs (a NodeClassificationData of @deepwasm/data fits). */
export interface NodeTask {
  graph: nn.Graph;
  x: nn.NodeFeatures;
  y: Int32Array;
  trainIndex: Int32Array;
  valIndex: Int32Array;
  testIndex: Int32Array;
}

/** A graph model: forward(x, graph) gives class scores; parameterGroups(wd) the optimiser's groups. */
export interface NodeClassifier extends nn.Module {
  forward(x: nn.NodeFeatures, graph: nn.Graph): nn.Tensor;
  parameterGroups?(weightDecay: number): Array<{ params: nn.Tensor[]; weightDecay: number }>;
}

export interface NodeTrainOptions {
  epochs?: number;
  lr?: number;
  weightDecay?: number;
  /** Called after each epoch with its training loss (and the validation accuracy every evalEvery epochs). */
  onEpoch?: (epoch: number, loss: number, valAccuracy: number | null) => void;
  /** Measure validation accuracy every this many epochs (default 0: only at the end). */
  evalEvery?: number;
  /**
   * Also measure validation and test accuracy after every epoch and report the test accuracy of the
   * epoch with the best validation accuracy (what PyG's examples print; default false).
   */
  trackBest?: boolean;
  /**
   * Weight averaging (nn.AveragedModel, folded in after every optimiser step from epoch `from`, default 1):
   * `decay` gives an exponential moving average, none the equal-weight mean (SWA). The accuracies are
   * then the averaged weights', which the model holds at the end; `unaveraged` keeps the last epoch's.
   */
  average?: { decay?: number; from?: number };
}
const NODE_TRAIN_OPTIONS = nn.check.optionKeys<NodeTrainOptions>({ epochs: true, lr: true, weightDecay: true, onEpoch: true, evalEvery: true, trackBest: true, average: true });
const AVERAGE_OPTIONS = nn.check.optionKeys<NonNullable<NodeTrainOptions['average']>>({ decay: true, from: true });

export interface NodeTrainResult {
  losses: number[];
  valAccuracy: number;
  testAccuracy: number;
  /** Validation accuracy every evalEvery epochs. */
  valCurve: number[];
  /** With trackBest: the best validation accuracy, its (first) epoch, and the test accuracy then. */
  best: { epoch: number; valAccuracy: number; testAccuracy: number } | null;
  /** With `average`: the accuracies of the last epoch's own weights (no averaging). */
  unaveraged: { valAccuracy: number; testAccuracy: number } | null;
  /** Training time (without the trackBest evaluations). */
  seconds: number;
}

/** Fraction of the nodes in `index` whose highest score is their label (eval mode, no gradient). */
export function nodeAccuracy(model: NodeClassifier, task: NodeTask, index: Int32Array): number {
  const was = model.training;
  model.eval();
  const pred = nn.noGrad(() => nn.tidy(() => nn.argmax(nn.gather(model.forward(task.x, task.graph), index), -1)));
  model.train(was);
  let right = 0;
  for (let i = 0; i < index.length; i++) if (pred[i] === task.y[index[i]!]) right++;
  return right / Math.max(1, index.length);
}

export function trainNodeClassifier(model: NodeClassifier, task: NodeTask, opts: NodeTrainOptions = {}): NodeTrainResult {
  nn.check.checkOptions('trainNodeClassifier', opts, NODE_TRAIN_OPTIONS);
  const epochs = opts.epochs === undefined ? 200 : nn.check.int('trainNodeClassifier', 'epochs', opts.epochs, 0);
  const lr = opts.lr === undefined ? 0.01 : nn.check.num('trainNodeClassifier', 'lr', opts.lr, 0, Infinity, { lo: true });
  const wd = opts.weightDecay === undefined ? 5e-4 : nn.check.num('trainNodeClassifier', 'weightDecay', opts.weightDecay, 0);
  const evalEvery = opts.evalEvery === undefined ? 0 : nn.check.int('trainNodeClassifier', 'evalEvery', opts.evalEvery, 0);
  let averaged: nn.AveragedModel<NodeClassifier> | null = null;
  let averageFrom = 1;
  if (opts.average !== undefined) {
    nn.check.checkOptions('trainNodeClassifier: average', opts.average, AVERAGE_OPTIONS);
    if (opts.average.from !== undefined) averageFrom = nn.check.int('trainNodeClassifier: average', 'from', opts.average.from);
    averaged = new nn.AveragedModel(model, opts.average.decay === undefined ? {} : { decay: opts.average.decay });
  }
  const groups = model.parameterGroups ? model.parameterGroups(wd) : [{ params: model.parameters(), weightDecay: wd }];
  const opt = new nn.Adam(groups, { lr });
  const labels = task.trainIndex.map((i) => task.y[i]!);
  const losses: number[] = [];
  const valCurve: number[] = [];
  let best: NodeTrainResult['best'] = null;
  let evalMs = 0;
  const started = performance.now();
  model.train();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const loss = nn.tidy(() => {
      opt.zeroGrad();
      const l = nn.crossEntropy(nn.gather(model.forward(task.x, task.graph), task.trainIndex), labels);
      l.backward();
      opt.step();
      return l.item();
    });
    losses.push(loss);
    if (averaged !== null && epoch >= averageFrom) averaged.updateParameters(model);
    // What the recipe would give if it stopped here: the average once it has begun, else the model.
    const current = averaged !== null && averaged.nAveraged > 0 ? averaged.module : model;
    let val: number | null = null;
    if (evalEvery > 0 && epoch % evalEvery === 0) valCurve.push((val = nodeAccuracy(current, task, task.valIndex)));
    if (opts.trackBest) {
      const t0 = performance.now();
      const v = val ?? nodeAccuracy(current, task, task.valIndex);
      if (best === null || v > best.valAccuracy) best = { epoch, valAccuracy: v, testAccuracy: nodeAccuracy(current, task, task.testIndex) };
      evalMs += performance.now() - t0;
    }
    opts.onEpoch?.(epoch, loss, val);
  }
  const seconds = (performance.now() - started - evalMs) / 1000;
  opt.dispose();
  let unaveraged: NodeTrainResult['unaveraged'] = null;
  if (averaged !== null) {
    unaveraged = { valAccuracy: nodeAccuracy(model, task, task.valIndex), testAccuracy: nodeAccuracy(model, task, task.testIndex) };
    if (averaged.nAveraged > 0) model.loadStateDict(averaged.module.stateDict());
    averaged.dispose();
  }
  return { losses, valAccuracy: nodeAccuracy(model, task, task.valIndex), testAccuracy: nodeAccuracy(model, task, task.testIndex), valCurve, best, unaveraged, seconds };
}
