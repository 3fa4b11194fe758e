/**
 * Graph ops: Graph's CSR forms against the edge list, spmm against the dense product, pooling and
 * segment ops against plain loops, and finite-difference gradient checks of every op, on both builds,
 * on an awkward graph (a self-loop, a repeated edge, a node without incoming edges, an isolated node).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, Graph, SparseMatrix, type Tensor } from '../src/index.js';
import { builds, use } from './setup.js';

/** 6 nodes: 0 <-> 1, 1 -> 2, 2 -> 1, 2 -> 2 (a self-loop), 0 -> 1 twice (a repeated edge), 3 -> 1 (3 gets nothing), 5 -> 4 -> 0 (5 gets nothing); 6 is isolated. */
const SRC = [0, 1, 1, 2, 2, 0, 3, 5, 4];
const DST = [1, 0, 2, 1, 2, 1, 1, 4, 0];
const N = 7; // node 6 has no edges at all

/** A[i][j] = total weight of the edges j -> i. */
function denseAdjacency(src: ArrayLike<number>, dst: ArrayLike<number>, n: number, w?: ArrayLike<number>): number[][] {
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let e = 0; e < src.length; e++) a[dst[e]!]![src[e]!]! += w ? w[e]! : 1;
  return a;
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): string {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)))) return `[${i}] expected ${expected[i]}, got ${actual[i]}`;
  }
  return '';
}

for (const { isa } of builds) {
  describe(`graph ops (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });
    const gen = new Generator(11);
    const randn = (shape: number[]): Tensor => nn.randn(shape, { generator: gen });

    it('Graph sorts edges by target (stably), keeps the given order, and builds the transposed form', () => {
      const g = new Graph([SRC, DST], { numNodes: N });
      expect(g.numNodes).toBe(N);
      expect(g.numEdges).toBe(SRC.length);
      expect(Array.from(g.dst)).toEqual([...DST].sort((a, b) => a - b));
      for (let e = 0; e < g.numEdges; e++) {
        expect(g.src[e]).toBe(SRC[g.edgeOrder[e]!]);
        expect(g.dst[e]).toBe(DST[g.edgeOrder[e]!]);
        if (e > 0 && g.dst[e] === g.dst[e - 1]) expect(g.edgeOrder[e]!).toBeGreaterThan(g.edgeOrder[e - 1]!);
      }
      expect(Array.from(g.inDegree())).toEqual([2, 4, 2, 0, 1, 0, 0]);
      for (let j = 0; j < N; j++) for (let p = g.tptr[j]!; p < g.tptr[j + 1]!; p++) expect(g.src[g.tEdge[p]!]).toBe(j);
      const loops = g.withSelfLoops();
      expect(loops.numEdges).toBe(g.numEdges + N - 1); // node 2 has its loop already
      expect(g.withSelfLoops()).toBe(loops); // cached
      expect(g.withSelfLoops({ replace: true }).numEdges).toBe(g.numEdges - 1 + N);
      g.dispose();
      expect(loops.isDisposed).toBe(true);
      expect(() => nn.spmm(g, nn.zeros([N, 2]))).toThrow(/disposed/);
    });

    it('Graph rejects bad edges and options with what is wrong', () => {
      expect(() => new Graph([[0, 1], [1, 7]], { numNodes: 3 })).toThrow(/target node 7 at position 1 is outside \[0, 3\)/);
      expect(() => new Graph([[0, 1.5], [1, 0]])).toThrow(/source node 1.5 at position 1/);
      expect(() => new Graph([[0, 1], [1]])).toThrow(/2 sources but 1 targets/);
      expect(() => new Graph([[0], [1]], { num_nodes: 3 } as never)).toThrow(/unknown option "num_nodes"; did you mean "numNodes"/);
      expect(() => new Graph([[0], [1]], { edgeWeight: [NaN] })).toThrow(/edge weight NaN/);
      expect(() => new Graph('edges' as never)).toThrow(/edgeIndex must be/);
      const t = new Graph(nn.tensor([[0, 1, 2], [1, 2, 0]]));
      expect(Array.from(t.src)).toEqual([2, 0, 1]);
      t.dispose();
    });

    it('spmm equals the dense product, weighted, unweighted and per head', () => {
      const g = new Graph([SRC, DST], { numNodes: N });
      const x = randn([N, 6]);
      const w = nn.rand([g.numEdges], { generator: gen });
      const wh = nn.rand([g.numEdges, 3], { generator: gen });
      for (const [values, heads] of [[null, 1], [w, 1], [wh, 3]] as const) {
        const out = nn.spmm(g, x, values).toArray();
        const want = new Float64Array(N * 6);
        const xd = x.toArray();
        for (let h = 0; h < heads; h++) {
          const vals = values ? Array.from({ length: g.numEdges }, (_, e) => values.data[e * heads + h]!) : undefined;
          const a = denseAdjacency(g.src, g.dst, N, vals);
          const dim = 6 / heads;
          for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) for (let d = 0; d < dim; d++) want[i * 6 + h * dim + d] += a[i]![j]! * xd[j * 6 + h * dim + d]!;
        }
        expect(close(out, want)).toBe('');
      }
      expect(() => nn.spmm(g, randn([N + 1, 2]))).toThrow(/one row per node \(7 rows\)/);
      expect(() => nn.spmm(g, x, randn([3]))).toThrow(/edge values \[3\] must be \[E\] or \[E, heads\]/);
      expect(() => nn.spmm(g, randn([N, 5]), wh)).toThrow(/do not split into 3 heads/);
      expect(() => nn.spmm({} as Graph, x)).toThrow(/graph must be a Graph/);
      g.dispose();
    });

    it('gather, scatterAdd, segment ops and pooling match plain loops', () => {
      const g = new Graph([SRC, DST], { numNodes: N });
      const x = randn([N, 3]);
      const xd = x.toArray();
      expect(Array.from(nn.gather(x, [5, 0, 5]).toArray())).toEqual([...xd.slice(15, 18), ...xd.slice(0, 3), ...xd.slice(15, 18)]);
      const sc = nn.scatterAdd(x, [2, 2, 0, 1, 0, 2, 3], 4).toArray();
      const want = new Float64Array(12);
      [2, 2, 0, 1, 0, 2, 3].forEach((t, i) => [0, 1, 2].forEach((d) => (want[t * 3 + d] += xd[i * 3 + d]!)));
      expect(close(sc, want)).toBe('');
      expect(() => nn.gather(x, [7])).toThrow(/index 7 at position 0 is outside \[0, 7\)/);
      const ev = randn([g.numEdges, 2]);
      const e = ev.toArray();
      const sums = nn.segmentSum(ev, g).toArray();
      const means = nn.segmentMean(ev, g).toArray();
      const maxes = nn.segmentMax(ev, g).toArray();
      const sm = nn.segmentSoftmax(ev, g).toArray();
      for (let i = 0; i < N; i++) {
        for (let d = 0; d < 2; d++) {
          const vals: number[] = [];
          for (let k = g.rowptr[i]!; k < g.rowptr[i + 1]!; k++) vals.push(e[k * 2 + d]!);
          const s = vals.reduce((a, b) => a + b, 0);
          expect(sums[i * 2 + d]).toBeCloseTo(s, 5);
          expect(means[i * 2 + d]).toBeCloseTo(vals.length ? s / vals.length : 0, 5);
          expect(maxes[i * 2 + d]).toBeCloseTo(vals.length ? Math.max(...vals) : 0, 6);
          const m = Math.max(...vals);
          const z = vals.reduce((a, v) => a + Math.exp(v - m), 0);
          for (let k = g.rowptr[i]!; k < g.rowptr[i + 1]!; k++) expect(sm[k * 2 + d]).toBeCloseTo(Math.exp(e[k * 2 + d]! - m) / z, 6);
        }
      }
      const batch = [1, 0, 1, 2, 0, 1, 1];
      const pools = { add: nn.globalAddPool(x, batch), mean: nn.globalMeanPool(x, batch), max: nn.globalMaxPool(x, batch, 4) };
      expect(pools.max.shape).toEqual([4, 3]);
      for (let b = 0; b < 4; b++) {
        for (let d = 0; d < 3; d++) {
          const vals = batch.flatMap((bb, i) => (bb === b ? [xd[i * 3 + d]!] : []));
          const s = vals.reduce((a, v) => a + v, 0);
          if (b < 3) expect(pools.add.data[b * 3 + d]).toBeCloseTo(s, 5);
          if (b < 3) expect(pools.mean.data[b * 3 + d]).toBeCloseTo(s / vals.length, 5);
          expect(pools.max.data[b * 3 + d]).toBeCloseTo(vals.length ? Math.max(...vals) : 0, 6);
        }
      }
      g.dispose();
    });

    it('sparseLinear equals the dense linear layer, and drops out stored values only', () => {
      const dense = Float32Array.from({ length: N * 9 }, (_, i) => (i % 4 === 0 ? (i % 7) + 0.5 : 0));
      const sp = SparseMatrix.fromDense(dense, N, 9);
      expect(Array.from(sp.toDense())).toEqual(Array.from(dense));
      const w = randn([4, 9]);
      const b = randn([4]);
      expect(close(nn.sparseLinear(sp, w, b).toArray(), nn.linear(nn.fromArray(dense, [N, 9]), w, b).toArray())).toBe('');
      const dropped = nn.sparseLinear(sp, nn.eye(9), null, { dropout: 0.5, generator: new Generator(3) }).toArray();
      for (let i = 0; i < dense.length; i++) expect([0, dense[i]! * 2]).toContain(Math.fround(dropped[i]!));
      expect(() => nn.sparseLinear(sp, w, null, { p: 0.5 } as never)).toThrow(/unknown option "p"/);
      // dropoutSparse / featureDropout: the same indices, each stored value zeroed or doubled; eval or p = 0 is the identity.
      const d = nn.dropoutSparse(sp, 0.5, true, new Generator(4));
      expect(Array.from(d.indices)).toEqual(Array.from(sp.indices));
      const dv = d.values;
      let zeroed = 0;
      sp.values.forEach((v, e) => (dv[e] === 0 ? zeroed++ : expect(dv[e]).toBe(Math.fround(v * 2))));
      expect(zeroed).toBeGreaterThan(0);
      expect(zeroed).toBeLessThan(sp.nnz);
      expect(nn.featureDropout(sp, 0.5, false)).toBe(sp);
      expect(nn.dropoutSparse(sp, 0, true)).toBe(sp);
      const mask = nn.featureDropout(nn.ones([400]), 0.25, true, new Generator(5)).toArray();
      expect(mask.every((v) => v === 0 || v === Math.fround(4 / 3))).toBe(true);
      expect(Math.abs(mask.filter((v) => v === 0).length / 400 - 0.25)).toBeLessThan(0.08);
      expect(() => nn.dropoutSparse(sp, 1.5, true)).toThrow(/p must be a number in \[0, 1\]/);
      expect(() => nn.sparseLinear(sp, randn([4, 8]))).toThrow(/expected \[out, 9\]/);
      const norm = sp.rowNormalize();
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let e = norm.indptr[i]!; e < norm.indptr[i + 1]!; e++) s += norm.values[e]!;
        if (norm.indptr[i + 1]! > norm.indptr[i]!) expect(s).toBeCloseTo(1, 6);
      }
      sp.dispose();
      norm.dispose();
    });

    describe('gradients', () => {
      const check = (name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[], opts = {}) =>
        it(name, () => {
          nn.tidy(() => {
            const r = assertGradCheck(fn, inputs(), { name, ...opts });
            expect(r.checked).toBeGreaterThan(0);
          });
        });
      const g = new Graph([SRC, DST], { numNodes: N });
      const E = SRC.length;
      check('spmm w.r.t. x (unweighted)', (x) => nn.spmm(g, x), () => [randn([N, 5])]);
      check('spmm w.r.t. x and edge values', (x, w) => nn.spmm(g, x, w), () => [randn([N, 5]), randn([E])]);
      check('spmm with 3 heads w.r.t. x and per-head edge values', (x, w) => nn.spmm(g, x, w), () => [randn([N, 6]), randn([E, 3])]);
      check('gather (repeated indices)', (x) => nn.gather(x, [3, 1, 3, 0, 5]), () => [randn([N, 4])]);
      check('scatterAdd (repeated targets, an empty row)', (x) => nn.scatterAdd(x, [2, 2, 0, 3, 0], 5), () => [randn([5, 3])]);
      check('segmentSoftmax (2 heads)', (s) => nn.segmentSoftmax(s, g), () => [randn([E, 2])]);
      check('segmentSum', (s) => nn.segmentSum(s, g), () => [randn([E, 3])]);
      check('segmentMean', (s) => nn.segmentMean(s, g), () => [randn([E, 3])]);
      check('segmentMax', (s) => nn.segmentMax(s, g), () => [randn([E, 3])]);
      check('addSourceTarget', (u, v) => nn.addSourceTarget(g, u, v), () => [randn([N, 2]), randn([N, 2])]);
      check('sparseLinear w.r.t. weight and bias', (w, b) => nn.sparseLinear(SparseMatrix.fromDense([1, 0, 2, 0, 0, 3, 0, 0, 0, 4, 5, 0], 4, 3), w, b), () => [randn([2, 3]), randn([2])]);
      check('sparseLinear with dropout (fixed mask)', (w) => nn.sparseLinear(SparseMatrix.fromDense([1, 0, 2, 0, 0, 3, 0, 0, 0, 4, 5, 0], 4, 3), w, null, { dropout: 0.4, generator: new Generator(9) }), () => [randn([2, 3])]);
      check('globalAddPool (unsorted batch)', (x) => nn.globalAddPool(x, [1, 0, 1, 2, 0]), () => [randn([5, 3])]);
      check('globalMeanPool', (x) => nn.globalMeanPool(x, [0, 0, 1, 1, 1]), () => [randn([5, 3])]);
      check('globalMaxPool (unsorted batch)', (x) => nn.globalMaxPool(x, [1, 0, 1, 2, 0]), () => [randn([5, 3])]);
    });
  });
}
