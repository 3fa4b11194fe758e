/**
 * Graph presets: PyG's parameter names and shapes, model files round-tripping (architecture and
 * weights), options checked, the papers' optimiser groups, and a short training run on a small
 * graph of two communities that the models learn.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { GAT, GAT_AVERAGE, GCN, nodeAccuracy, trainNodeClassifier } from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

/** Two communities of 30 nodes (dense inside, 3 edges across), sparse noisy features, 6 labelled nodes. */
function communities() {
  const g = new nn.Generator(2);
  const s: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < 60; i++) {
    for (let j = i + 1; j < 60; j++) {
      const same = i < 30 === j < 30;
      if (g.uniform() < (same ? 0.2 : 0)) (s.push(i), t.push(j));
    }
  }
  s.push(0, 10, 20);
  t.push(40, 50, 59);
  const dense = Float32Array.from({ length: 60 * 20 }, (_, k) => (g.uniform() < 0.15 + (Math.floor(k / 20) < 30 === k % 20 < 10 ? 0.1 : 0) ? 1 : 0));
  const y = Int32Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : 1));
  return {
    graph: nn.Graph.undirected(s, t, 60), x: nn.SparseMatrix.fromDense(dense, 60, 20).rowNormalize(), y,
    trainIndex: Int32Array.from([0, 1, 2, 30, 31, 32]), valIndex: Int32Array.from({ length: 20 }, (_, i) => (i < 10 ? 5 + i : 35 + i)),
    testIndex: Int32Array.from({ length: 30 }, (_, i) => (i < 15 ? 15 + i : 30 + i)),
  };
}

describe('GCN and GAT presets', () => {
  it("have PyG's parameter names and shapes", () => {
    const gcn = new GCN({ inChannels: 20, outChannels: 3 });
    expect([...gcn.stateDict()].map(([k, v]) => `${k} ${v.shape.join('x')}`)).toEqual(['conv1.bias 16', 'conv1.lin.weight 16x20', 'conv2.bias 3', 'conv2.lin.weight 3x16']);
    const gat = new GAT({ inChannels: 20, outChannels: 3 });
    expect([...gat.stateDict()].map(([k, v]) => `${k} ${v.shape.join('x')}`)).toEqual([
      'conv1.att_src 1x8x8', 'conv1.att_dst 1x8x8', 'conv1.bias 64', 'conv1.lin.weight 64x20',
      'conv2.att_src 1x1x3', 'conv2.att_dst 1x1x3', 'conv2.bias 3', 'conv2.lin.weight 3x64',
    ]);
    expect(gcn.parameterGroups(5e-4).map((g) => [g.params.length, g.weightDecay])).toEqual([[2, 5e-4], [2, 0]]);
    expect(gat.parameterGroups(5e-4).map((g) => [g.params.length, g.weightDecay])).toEqual([[8, 5e-4]]);
    gcn.dispose();
    gat.dispose();
  });

  it('check their options', () => {
    expect(() => new GCN({ inChannels: 20, outChannels: 3, hidden: 8 } as never)).toThrow(/unknown option "hidden"; did you mean "hiddenChannels"/);
    expect(() => new GAT({ inChannels: 20, outChannels: 3, heads: 0 })).toThrow(/heads must be a positive integer/);
    expect(() => new GCN({ inChannels: 20, outChannels: 3, dropout: 2 })).toThrow(/dropout must be a number in \[0, 1\]/);
    expect(() => new GAT({ outChannels: 3 } as never)).toThrow(/inChannels must be a positive integer, got undefined/);
  });

  it('learn two communities from six labels, and save and load as one file', async () => {
    const task = communities();
    const dir = mkdtempSync(join(tmpdir(), 'gnn-'));
    for (const [make, lr] of [[() => new GCN({ inChannels: 20, outChannels: 2, hiddenChannels: 8 }), 0.01], [() => new GAT({ inChannels: 20, outChannels: 2, heads: 2, hiddenChannels: 4 }), 0.005]] as const) {
      nn.manualSeed(1);
      const model = make();
      const r = trainNodeClassifier(model, task, { epochs: 100, lr, trackBest: true });
      const late = r.losses.slice(-10).reduce((p, q) => p + q, 0) / 10;
      expect(late, `losses ${r.losses[0]} -> ${late}`).toBeLessThan(r.losses[0]! * 0.8);
      expect(r.testAccuracy).toBeGreaterThan(0.9);
      expect(r.best!.valAccuracy).toBeGreaterThanOrEqual(r.valAccuracy);
      await nn.saveModel(model, join(dir, 'model'));
      const again = (await nn.loadModel(join(dir, 'model'))) as GCN | GAT;
      expect(again.constructor).toBe(model.constructor);
      expect(again.getConfig()).toEqual(model.getConfig());
      expect(nodeAccuracy(again, task, task.testIndex)).toBe(r.testAccuracy);
      again.eval();
      model.eval();
      const a = nn.noGrad(() => again.forward(task.x, task.graph).toArray());
      const b = nn.noGrad(() => model.forward(task.x, task.graph).toArray());
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(model.hidden(task.x, task.graph).shape[0]).toBe(60);
      model.dispose();
      again.dispose();
    }
    task.graph.dispose();
    task.x.dispose();
  });

  it('train with a weight average (GAT_AVERAGE) on the same random stream, and end holding the averaged weights', () => {
    const task = communities();
    const make = () => new GAT({ inChannels: 20, outChannels: 2, heads: 2, hiddenChannels: 4 });
    nn.manualSeed(1);
    const plain = make();
    const p = trainNodeClassifier(plain, task, { epochs: 100, lr: 0.005 });
    nn.manualSeed(1);
    const model = make();
    const r = trainNodeClassifier(model, task, { epochs: 100, lr: 0.005, average: GAT_AVERAGE, trackBest: true });
    // The average does not touch training: same losses, and the last epoch's own weights score as the plain run.
    expect(r.losses).toEqual(p.losses);
    expect(p.unaveraged).toBeNull();
    expect(r.unaveraged).toEqual({ valAccuracy: p.valAccuracy, testAccuracy: p.testAccuracy });
    expect(r.testAccuracy).toBeGreaterThan(0.9);
    // The model ends with the EMA of its weights, which differs from the last epoch's.
    expect(nodeAccuracy(model, task, task.testIndex)).toBe(r.testAccuracy);
    expect(Array.from(model.conv1.lin.weight.toArray())).not.toEqual(Array.from(plain.conv1.lin.weight.toArray()));
    // Averaging from a later epoch: one update is a plain copy, so the model keeps the last epoch's weights.
    nn.manualSeed(1);
    const late = make();
    trainNodeClassifier(late, task, { epochs: 100, lr: 0.005, average: { decay: 0.5, from: 100 } });
    expect(Array.from(late.conv1.lin.weight.toArray())).toEqual(Array.from(plain.conv1.lin.weight.toArray()));
    expect(() => trainNodeClassifier(late, task, { epochs: 1, average: { decay: 1 } })).toThrow(/AveragedModel: decay must be a number in \[0, 1\), got 1/);
    expect(() => trainNodeClassifier(late, task, { epochs: 1, average: { form: 3 } as never })).toThrow(/trainNodeClassifier: average: unknown option "form"; did you mean "from"/);
    for (const m of [plain, model, late]) m.dispose();
    task.graph.dispose();
    task.x.dispose();
  });
});
