/**
 * Graph memory: a PyTorch-style GCN/GAT training loop without tidy() runs in flat kernel memory;
 * what a graph, a sparse matrix or a cached layer keeps in kernel memory is freed by its dispose().
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kernels } from '@deepwasm/kernels';
import * as nn from '../src/index.js';
import { GATConv, GCNConv, Graph, SparseMatrix } from '../src/index.js';
import { use } from './setup.js';

let k: Kernels;
beforeAll(async () => {
  k = await use('simd128');
});

/** A ring of n nodes with chords, both directions, and sparse 0/1 features. */
function data(n: number, f: number) {
  const s: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    s.push(i, (i * 7) % n);
    t.push((i + 1) % n, i);
  }
  const g = Graph.undirected(s, t, n);
  const dense = Float32Array.from({ length: n * f }, (_, i) => ((i * 13) % 11 === 0 ? 1 : 0));
  return { g, x: SparseMatrix.fromDense(dense, n, f).rowNormalize(), y: Int32Array.from({ length: n }, (_, i) => i % 3) };
}

class Net extends nn.Module {
  readonly conv1: GCNConv | GATConv;
  readonly conv2: GCNConv;
  constructor(kind: 'gcn' | 'gat') {
    super();
    this.conv1 = this.registerModule('conv1', kind === 'gcn' ? new GCNConv(20, 8, { cached: true }) : new GATConv(20, 4, { heads: 2, dropout: 0.5 }));
    this.conv2 = this.registerModule('conv2', new GCNConv(8, 3));
  }
  forward(x: SparseMatrix, g: Graph): nn.Tensor {
    const h = nn.dropout(nn.relu(this.conv1.forward(x, g)), 0.5, this.training);
    return this.conv2.forward(h, g);
  }
}

describe('graph memory', () => {
  for (const kind of ['gcn', 'gat'] as const) {
    it(`${kind}: 300 training steps without tidy keep kernel memory flat after warm-up, and dispose frees the rest`, () => {
      const run = () => {
        nn.manualSeed(0);
        const { g, x, y } = data(60, 20);
        const model = new Net(kind);
        const opt = new nn.Adam(model.parameters(), { lr: 0.01, weightDecay: 5e-4 });
        const train = Int32Array.from({ length: 30 }, (_, i) => i * 2);
        const labels = train.map((i) => y[i]!);
        const losses: number[] = [];
        let warm = 0;
        for (let step = 0; step < 300; step++) {
          opt.zeroGrad();
          const loss = nn.crossEntropy(nn.gather(model.forward(x, g), train), labels);
          loss.backward();
          opt.step();
          losses.push(loss.item());
          if (step === 50) warm = k.arena.stats().inUse;
        }
        expect(losses[299]).toBeLessThan(losses[0]!);
        expect(k.arena.stats().inUse).toBe(warm);
        nn.noGrad(() => model.eval().forward(x, g));
        opt.dispose();
        model.dispose();
        g.dispose();
        x.dispose();
        for (let i = 0; i < 3; i++) nn.nextStep();
      };
      run(); // the first run also makes the kernels' one-time scratch blocks
      const before = k.arena.stats().liveBlocks;
      run();
      expect(k.arena.stats().liveBlocks).toBe(before);
    });
  }

  it('a disposed graph or matrix says so instead of reading freed memory', () => {
    const { g, x } = data(10, 5);
    const conv = new GCNConv(5, 2);
    conv.forward(x, g);
    g.dispose();
    expect(() => conv.forward(x, g)).toThrow(/Graph\(10 nodes, \d+ edges\): the graph was disposed/);
    x.dispose();
    expect(() => nn.sparseLinear(x, conv.lin.weight)).toThrow(/the matrix was disposed/);
    conv.dispose();
  });
});
