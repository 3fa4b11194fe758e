/**
 * nn.dropout with its mask drawn in WASM (Philox, keyed from the seeded Generator): the keep rate
 * against the binomial distribution, kept values scaled by exactly 1 / (1 - p), the gradient equal
 * to the mask, determinism under a seed, and the same bits at 1, 2 and 3 threads, for dense tensors
 * and for the stored values of a sparse matrix; and a GAT layer (spmm, attention softmax, dropout on
 * the sparse kernels) trained a few steps on a random graph gives the same bits on 1, 2 and 3 threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { GATConv, Generator, Graph, SparseMatrix } from '../src/index.js';

afterAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

describe('nn.dropout', () => {
  it('keeps each element with probability 1 - p (within 4.5 binomial sd) and scales kept ones by exactly 1 / (1 - p)', async () => {
    await nn.ready({ isa: 'simd128', threads: 1 });
    const n = 1 << 18;
    const x = nn.tidy(() => nn.add(nn.rand([n]), 0.5).keep());
    const xs = x.toArray();
    for (const p of [0.1, 0.25, 0.5, 0.6, 0.9]) {
      const y = nn.tidy(() => nn.dropout(x, p, true, new Generator(Math.round(p * 1000))).toArray());
      const scale = Math.fround(1 / (1 - p));
      let kept = 0;
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        if (y[i] === 0) continue;
        kept++;
        if (y[i] !== Math.fround(xs[i]! * scale)) wrong++;
      }
      expect(wrong).toBe(0);
      expect(Math.abs(kept - n * (1 - p)) / Math.sqrt(n * p * (1 - p))).toBeLessThan(4.5);
    }
    // Independent of position: the keep rate of each 64-element slot (its lane and Philox word) within 4.5 sd.
    const y = nn.tidy(() => nn.dropout(nn.ones([n]), 0.5, true, new Generator(3)).toArray());
    for (let slot = 0; slot < 64; slot++) {
      let kept = 0;
      for (let i = slot; i < n; i += 64) if (y[i] !== 0) kept++;
      const m = n / 64;
      expect(Math.abs(kept - m / 2) / Math.sqrt(m / 4)).toBeLessThan(4.5);
    }
    x.dispose();
  });

  it('p = 0, eval mode and p = 1; the gradient is the mask; seeded runs repeat and take two words of the generator', async () => {
    await nn.ready({ isa: 'simd128', threads: 1 });
    nn.tidy(() => {
      const x = nn.randn([7, 33]);
      expect(nn.dropout(x, 0, true)).toBe(x);
      expect(nn.dropout(x, 0.5, false)).toBe(x);
      expect(Array.from(nn.dropout(x, 1, true).toArray()).every((v) => v === 0)).toBe(true);
      const g1 = new Generator(11);
      const a = nn.dropout(x, 0.3, true, g1).toArray();
      const g2 = new Generator(11);
      expect(nn.dropout(x, 0.3, true, g2).toArray()).toEqual(a);
      expect(nn.dropout(x, 0.3, true, g2).toArray()).not.toEqual(a);
      const g3 = new Generator(11);
      g3.nextU32();
      g3.nextU32();
      g3.nextU32();
      g3.nextU32();
      expect(g2.nextU32()).toBe(g3.nextU32());
      // d/dx sum(w * dropout(x)) = w * mask.
      const xg = nn.randn([5, 19]).requiresGrad_();
      const w = nn.randn([5, 19]);
      const y = nn.dropout(xg, 0.4, true, new Generator(4));
      nn.sum(nn.mul(y, w)).backward();
      const mask = nn.dropout(nn.ones([5, 19]), 0.4, true, new Generator(4)).toArray();
      const wd = w.toArray();
      const grad = xg.grad!.toArray();
      for (let i = 0; i < mask.length; i++) expect(grad[i]).toBe(Math.fround(wd[i]! * mask[i]!));
    });
  });

  it('gives the same bits on 1, 2 and 3 threads (dense and sparse values)', async () => {
    const run = async (threads: number) => {
      await nn.ready({ isa: 'simd128', threads });
      return nn.tidy(() => {
        const x = nn.randn([300, 1000], { generator: new Generator(1) });
        const sp = SparseMatrix.fromDense(x.toArray().map((v) => (v > 1.5 ? v : 0)), 300, 1000);
        const dense = nn.dropout(x, 0.6, true, new Generator(2)).toArray();
        const sparse = nn.dropoutSparse(sp, 0.5, true, new Generator(3)).values;
        sp.dispose();
        return [dense, sparse];
      });
    };
    const one = await run(1);
    for (const t of [2, 3]) {
      const many = await run(t);
      for (let o = 0; o < one.length; o++) {
        const i = one[o]!.findIndex((v, j) => !Object.is(v, many[o]![j]));
        expect(i, `output ${o} differs at ${t} threads at ${i}`).toBe(-1);
      }
    }
  });
});

describe('graph layers across threads', () => {
  it('a GAT layer trained 3 Adam steps on a random graph of 3000 nodes gives the same bits on 1, 2 and 3 threads', async () => {
    const N = 3000;
    const src: number[] = [];
    const dst: number[] = [];
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let e = 0; e < 15000; e++) {
      // A hub (node 0) and otherwise random edges.
      src.push(e % 10 === 0 ? 0 : Math.floor(next() * N));
      dst.push(Math.floor(next() * N));
    }
    const run = async (threads: number) => {
      await nn.ready({ isa: 'simd128', threads });
      const graph = Graph.undirected(src, dst, N);
      const g = new Generator(7);
      const conv = new GATConv(32, 8, { heads: 8, dropout: 0.6, generator: g });
      const x = nn.randn([N, 32], { generator: new Generator(8) }).keep();
      const opt = new nn.Adam(conv.parameters(), { lr: 0.01 });
      for (let step = 0; step < 3; step++) {
        nn.tidy(() => {
          opt.zeroGrad();
          nn.sum(nn.mul(nn.elu(conv.forward(nn.dropout(x, 0.5, true, g), graph)), nn.ones([N, 64]))).backward();
          opt.step();
        });
      }
      const bits = conv.parameters().flatMap((p) => Array.from(new Uint32Array(p.toArray().buffer)));
      opt.dispose();
      conv.dispose();
      graph.dispose();
      x.dispose();
      return bits;
    };
    const one = await run(1);
    for (const t of [2, 3]) {
      const many = await run(t);
      const i = one.findIndex((v, j) => v !== many[j]);
      expect(i, `parameter float ${i} differs at ${t} threads`).toBe(-1);
    }
  });
});
