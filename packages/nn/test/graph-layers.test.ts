/**
 * Graph layers: GCNConv against D^-1/2 (A + I) D^-1/2 X W computed densely, GAT attention summing to
 * 1 over each node's incoming edges, sparse features giving the dense result, batching two graphs
 * giving what running them apart gives, finite-difference gradients of every layer, PyG's parameter
 * names, options checked, saved architectures rebuilt, and cached tensors freed by their owners.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, batchGraphs, GATConv, GCNConv, Generator, GINConv, Graph, SAGEConv, SparseMatrix, type Tensor } from '../src/index.js';
import { builds, use } from './setup.js';

const SRC = [0, 1, 1, 2, 2, 0, 3, 5, 4];
const DST = [1, 0, 2, 1, 2, 1, 1, 4, 0];
const N = 7; // node 6 is isolated, node 2 has a self-loop, 0 -> 1 is repeated
const graph = () => new Graph([SRC, DST], { numNodes: N });

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): string {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)))) return `[${i}] expected ${expected[i]}, got ${actual[i]}`;
  }
  return '';
}

/** Row-major [n, m] product of [n, k] and [k, m]. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) out[i * m + j] += a[i * k + p]! * b[p * m + j]!;
  return out;
}

for (const { isa } of builds) {
  describe(`graph layers (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });
    const gen = new Generator(5);
    const randn = (shape: number[]): Tensor => nn.randn(shape, { generator: gen });

    it('GCNConv computes D^-1/2 (A + I) D^-1/2 X Wᵀ + b, with PyG names and shapes', () => {
      const g = graph();
      const conv = new GCNConv(4, 3, { generator: new Generator(1) });
      expect([...conv.stateDict().keys()]).toEqual(['bias', 'lin.weight']) // own parameters first, as PyTorch's state_dict;
      expect(conv.lin.weight.shape).toEqual([3, 4]);
      nn.init.uniform_(conv.bias!, -1, 1);
      const x = randn([N, 4]);
      // Â = A + I where a node has no self-loop (node 2 keeps its own, of weight 1).
      const a = Array.from({ length: N }, () => new Float64Array(N));
      SRC.forEach((s, e) => (a[DST[e]!]![s] += 1));
      for (let i = 0; i < N; i++) if (a[i]![i] === 0) a[i]![i] = 1;
      const deg = a.map((row) => row.reduce((p, v) => p + v, 0));
      const norm = new Float64Array(N * N);
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) norm[i * N + j] = a[i]![j]! / Math.sqrt(deg[i]! * deg[j]!);
      const w = conv.lin.weight.toArray();
      const wt = Float64Array.from({ length: 12 }, (_, i) => w[(i % 3) * 4 + Math.floor(i / 3)]!);
      const want = matmul(matmul(norm, x.toArray(), N, N, 4), wt, N, 4, 3).map((v, i) => v + conv.bias!.data[i % 3]!);
      expect(close(conv.forward(x, g).toArray(), want)).toBe('');
      // improved: self-loops of weight 2; normalize false: plain sum over A + I.
      const sum = new GCNConv(4, 3, { normalize: false, bias: false });
      const plain = matmul(a.flatMap((r) => [...r]), x.toArray(), N, N, 4);
      const sw = sum.lin.weight.toArray();
      expect(close(sum.forward(x, g).toArray(), matmul(plain, Float64Array.from({ length: 12 }, (_, i) => sw[(i % 3) * 4 + Math.floor(i / 3)]!), N, 4, 3))).toBe('');
      g.dispose();
    });

    it('GCNConv with cached: true keeps its own normalisation until resetCache or dispose', () => {
      const g = graph();
      const conv = new GCNConv(3, 2, { cached: true });
      const x = randn([N, 3]);
      const first = conv.forward(x, g).toArray();
      const other = new Graph([[0], [1]], { numNodes: N });
      expect(close(conv.forward(x, other).toArray(), first)).toBe(''); // PyG: the cached graph is used
      g.dispose(); // the cache is the layer's own: it outlives the caller's graph
      expect(close(conv.forward(x, other).toArray(), first)).toBe('');
      conv.resetCache();
      expect(close(conv.forward(x, other).toArray(), first)).not.toBe('');
      conv.dispose();
      other.dispose();
    });

    it('GATConv attention sums to 1 over the edges arriving at each node, for every head', () => {
      const g = graph();
      const conv = new GATConv(4, 3, { heads: 4 });
      expect([...conv.stateDict().keys()]).toEqual(['att_src', 'att_dst', 'bias', 'lin.weight']);
      expect(conv.att_src.shape).toEqual([1, 4, 3]);
      const { out, attention, graph: looped } = conv.attend(randn([N, 4]), g);
      expect(out.shape).toEqual([N, 12]);
      expect(looped.numEdges).toBe(SRC.length - 1 + N); // self-loops replaced by one per node
      const a = attention.toArray();
      for (let i = 0; i < N; i++) {
        for (let h = 0; h < 4; h++) {
          let s = 0;
          for (let e = looped.rowptr[i]!; e < looped.rowptr[i + 1]!; e++) s += a[e * 4 + h]!;
          expect(s).toBeCloseTo(1, 6);
        }
      }
      const mean = new GATConv(4, 3, { heads: 2, concat: false });
      expect(mean.forward(randn([N, 4]), g).shape).toEqual([N, 3]);
      expect(mean.bias!.shape).toEqual([3]);
      g.dispose();
    });

    it('sparse features give the dense result in every layer that takes them', () => {
      const g = graph();
      const dense = Float32Array.from({ length: N * 6 }, (_, i) => ((i * 7) % 5 === 0 ? 1 + (i % 3) : 0));
      const sp = SparseMatrix.fromDense(dense, N, 6);
      const x = nn.fromArray(dense, [N, 6]);
      for (const layer of [new GCNConv(6, 3), new GATConv(6, 2, { heads: 3 }), new SAGEConv(6, 3), new SAGEConv(6, 3, { aggr: 'sum' })]) {
        expect(close(layer.forward(sp, g).toArray(), layer.forward(x, g).toArray())).toBe('');
      }
      expect(() => new SAGEConv(6, 3, { aggr: 'max' }).forward(sp, g)).toThrow(/max aggregation needs dense features/);
      g.dispose();
      sp.dispose();
    });

    it('SAGEConv (mean, max, sum, normalize) and GINConv compute their definitions', () => {
      const g = graph();
      const x = randn([N, 3]);
      const xd = x.toArray();
      const neighbours = (i: number) => SRC.flatMap((s, e) => (DST[e] === i ? [s] : []));
      for (const aggr of ['mean', 'max', 'sum'] as const) {
        const conv = new SAGEConv(3, 2, { aggr });
        expect([...conv.stateDict().keys()]).toEqual(['lin_l.weight', 'lin_l.bias', 'lin_r.weight']);
        const agg = new Float64Array(N * 3);
        for (let i = 0; i < N; i++) {
          const js = neighbours(i);
          for (let d = 0; d < 3; d++) {
            const vals = js.map((j) => xd[j * 3 + d]!);
            agg[i * 3 + d] = vals.length === 0 ? 0 : aggr === 'max' ? Math.max(...vals) : vals.reduce((a, b) => a + b, 0) / (aggr === 'mean' ? vals.length : 1);
          }
        }
        const want = nn.add(nn.linear(nn.fromArray(Float32Array.from(agg), [N, 3]), conv.lin_l.weight, conv.lin_l.bias), nn.linear(x, conv.lin_r!.weight));
        expect(close(conv.forward(x, g).toArray(), want.toArray())).toBe('');
      }
      const unit = new SAGEConv(3, 4, { normalize: true }).forward(x, g).toArray();
      for (let i = 0; i < N; i++) expect(Math.hypot(...unit.slice(i * 4, i * 4 + 4))).toBeCloseTo(1, 5);
      const gin = new GINConv(new nn.Linear(3, 2), { eps: 0.5 });
      expect([...gin.stateDict().keys()]).toEqual(['nn.weight', 'nn.bias', 'eps']);
      const pre = new Float64Array(N * 3);
      for (let i = 0; i < N; i++) for (let d = 0; d < 3; d++) pre[i * 3 + d] = 1.5 * xd[i * 3 + d]! + neighbours(i).reduce((a, j) => a + xd[j * 3 + d]!, 0);
      const lin = gin.nn as nn.Linear;
      expect(close(gin.forward(x, g).toArray(), nn.linear(nn.fromArray(Float32Array.from(pre), [N, 3]), lin.weight, lin.bias).toArray())).toBe('');
      g.dispose();
    });

    it('batching two graphs gives what running them apart gives (GCN, GAT, SAGE, GIN and pooling)', () => {
      const g1 = graph();
      const g2 = new Graph([[0, 1, 2, 2], [1, 2, 0, 2]], { numNodes: 4 });
      const b = batchGraphs([g1, g2]);
      expect(Array.from(b.batch!)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
      expect(Array.from(b.ptr!)).toEqual([0, 7, 11]);
      const x1 = randn([N, 3]);
      const x2 = randn([4, 3]);
      const xb = nn.concat([x1, x2], 0);
      const layers = [new GCNConv(3, 2), new GATConv(3, 2, { heads: 2 }), new SAGEConv(3, 2, { aggr: 'max' }), new GINConv(new nn.Linear(3, 2))];
      for (const layer of layers) {
        const apart = [...layer.forward(x1, g1).toArray(), ...layer.forward(x2, g2).toArray()];
        const together = layer.forward(xb, b);
        expect(close(together.toArray(), apart)).toBe('');
        for (const pool of [nn.globalAddPool, nn.globalMeanPool, nn.globalMaxPool]) {
          const one = [...pool(layer.forward(x1, g1), g1).toArray(), ...pool(layer.forward(x2, g2), g2).toArray()];
          expect(close(pool(together, b).toArray(), one)).toBe('');
        }
      }
      for (const g of [g1, g2, b]) g.dispose();
    });

    it('layers reject bad options and hyper-parameters when built, and wrong inputs when called', () => {
      expect(() => new GCNConv(4, 3, { add_self_loops: false } as never)).toThrow(/unknown option "add_self_loops"; did you mean "addSelfLoops"/);
      expect(() => new GATConv(4, 3, { heads: 0 })).toThrow(/heads must be a positive integer, got 0/);
      expect(() => new GATConv(4, 3, { dropout: 1.5 })).toThrow(/dropout must be a number in \[0, 1\]/);
      expect(() => new SAGEConv(4, 3, { aggr: 'min' as never })).toThrow(/aggr must be 'mean', 'max' or 'sum'/);
      expect(() => new GCNConv(0, 3)).toThrow(/inChannels must be a positive integer/);
      expect(() => new GINConv({} as never)).toThrow(/nn must be a Module/);
      const g = graph();
      expect(() => new GCNConv(4, 3).forward(randn([N, 5]), g)).toThrow(/features \[7, 5\] must be \[7, 4\]/);
      expect(() => new GCNConv(4, 3).forward(randn([N, 4]), 'g' as never)).toThrow(/graph must be a Graph/);
      g.dispose();
    });

    it('saved architectures rebuild every graph layer', () => {
      const layers = [
        new GCNConv(4, 3, { improved: true, bias: false }), new GATConv(4, 3, { heads: 2, concat: false, dropout: 0.3 }),
        new SAGEConv(4, 3, { aggr: 'max', rootWeight: false }), new GINConv(new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3)), { trainEps: true }),
      ];
      const g = graph();
      const x = randn([N, 4]);
      for (const layer of layers) {
        layer.eval();
        const copy = nn.moduleFromJson(nn.architectureToJson(layer));
        expect(copy.getConfig()).toEqual(layer.getConfig());
        copy.loadStateDict(layer.stateDict());
        copy.eval();
        expect(close((copy as GCNConv).forward(x, g).toArray(), layer.forward(x, g).toArray())).toBe('');
      }
      g.dispose();
    });

    describe('gradients', () => {
      const g = graph();
      const check = (name: string, make: () => { fn: (...xs: Tensor[]) => Tensor; inputs: Tensor[] }) =>
        it(name, () => {
          nn.tidy(() => {
            const { fn, inputs } = make();
            const r = assertGradCheck(fn, inputs, { name });
            expect(r.checked).toBeGreaterThan(0);
          });
        });
      const params = (m: nn.Module) => m.parameters();
      check('GCNConv w.r.t. x, weight and bias', () => {
        const c = new GCNConv(3, 2);
        nn.init.uniform_(c.bias!, -1, 1);
        return { fn: (x) => c.forward(x!, g), inputs: [randn([N, 3]), ...params(c)] };
      });
      check('GCNConv on sparse features w.r.t. weight and bias', () => {
        const c = new GCNConv(5, 2);
        const sp = SparseMatrix.fromDense(Float32Array.from({ length: N * 5 }, (_, i) => (i % 3 === 0 ? 1 : 0)), N, 5);
        return { fn: () => c.forward(sp, g), inputs: params(c) };
      });
      check('GATConv, 3 heads concatenated, w.r.t. x and every parameter', () => {
        const c = new GATConv(3, 2, { heads: 3 });
        return { fn: (x) => c.forward(x!, g), inputs: [randn([N, 3]), ...params(c)] };
      });
      check('GATConv, 2 heads averaged, attention dropout 0.5 (fixed masks)', () => {
        const dg = new Generator(4);
        const c = new GATConv(3, 2, { heads: 2, concat: false, dropout: 0.5, generator: dg });
        return { fn: (x) => (dg.manualSeed(4), c.forward(x!, g)), inputs: [randn([N, 3]), ...params(c)] };
      });
      for (const aggr of ['mean', 'max', 'sum'] as const) {
        check(`SAGEConv (${aggr}) w.r.t. x and every parameter`, () => {
          const c = new SAGEConv(3, 2, { aggr });
          return { fn: (x) => c.forward(x!, g), inputs: [randn([N, 3]), ...params(c)] };
        });
      }
      check('SAGEConv (mean, narrower output, normalize)', () => {
        const c = new SAGEConv(4, 2, { normalize: true });
        return { fn: (x) => c.forward(x!, g), inputs: [randn([N, 4]), ...params(c)] };
      });
      check('GINConv with a trainable eps, then global mean pooling', () => {
        const c = new GINConv(new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2)), { eps: 0.2, trainEps: true });
        return { fn: (x) => nn.globalMeanPool(c.forward(x!, g), [0, 0, 0, 1, 1, 1, 1]), inputs: [randn([N, 3]), ...params(c)] };
      });
    });
  });
}
