/**
 * The graph datasets: Cora and Citeseer as their provenance note describes them (counts, split,
 * undirected edges, row-normalised features), Zachary's karate club, and the cycle-count set (labels
 * equal to edges - nodes + 1 of connected graphs, balanced, seeded).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { cycleCountGraphs, karateClub, loadPlanetoid } from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

/** Nodes reachable from node 0. */
function reachable(g: nn.Graph): number {
  const seen = new Uint8Array(g.numNodes);
  const stack = [0];
  seen[0] = 1;
  let count = 1;
  while (stack.length > 0) {
    const i = stack.pop()!;
    for (let e = g.rowptr[i]!; e < g.rowptr[i + 1]!; e++) {
      const j = g.src[e]!;
      if (!seen[j]) {
        seen[j] = 1;
        count++;
        stack.push(j);
      }
    }
  }
  return count;
}

describe('Planetoid', () => {
  const cases = [
    { name: 'cora' as const, nodes: 2708, features: 1433, nnz: 49216, classes: 7, edges: 5278, train: 140, unlabelled: 0 },
    { name: 'citeseer' as const, nodes: 3327, features: 3703, nnz: 105165, classes: 6, edges: 4552, train: 120, unlabelled: 15 },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.nodes} nodes, ${c.features} features, ${c.edges} undirected edges, ${c.train}/500/1000 split`, () => {
      const d = loadPlanetoid(c.name);
      expect([d.numNodes, d.numFeatures, d.numClasses, d.x.nnz]).toEqual([c.nodes, c.features, c.classes, c.nnz]);
      expect(d.graph.numEdges).toBe(2 * c.edges);
      expect([d.trainIndex.length, d.valIndex.length, d.testIndex.length]).toEqual([c.train, 500, 1000]);
      const all = new Set([...d.trainIndex, ...d.valIndex, ...d.testIndex]);
      expect(all.size).toBe(c.train + 1500);
      expect(d.y.filter((v) => v === -1).length).toBe(c.unlabelled);
      // Every class appears 20 times in the training set, as in the Planetoid split.
      const perClass = new Array<number>(c.classes).fill(0);
      for (const i of d.trainIndex) perClass[d.y[i]!]!++;
      expect(perClass).toEqual(new Array<number>(c.classes).fill(20));
      // Undirected: j -> i exactly when i -> j, and no self-loops.
      const pairs = new Set<number>();
      for (let e = 0; e < d.graph.numEdges; e++) pairs.add(d.graph.src[e]! * c.nodes + d.graph.dst[e]!);
      for (let e = 0; e < d.graph.numEdges; e++) {
        expect(d.graph.src[e]).not.toBe(d.graph.dst[e]);
        expect(pairs.has(d.graph.dst[e]! * c.nodes + d.graph.src[e]!)).toBe(true);
      }
      // Row-normalised features: each non-empty row sums to 1.
      for (let i = 0; i < c.nodes; i += 97) {
        const s = d.x.values.slice(d.x.indptr[i]!, d.x.indptr[i + 1]!).reduce((a, b) => a + b, 0);
        if (d.x.indptr[i + 1]! > d.x.indptr[i]!) expect(s).toBeCloseTo(1, 5);
      }
      expect(loadPlanetoid(c.name, { normalizeFeatures: false }).x.values.every((v) => v === 1)).toBe(true);
      d.dispose();
    });
  }
  it('rejects unknown names', () => {
    expect(() => loadPlanetoid('pubmed' as never)).toThrow(/no dataset "pubmed"; bundled: cora, citeseer/);
  });
});

describe("Zachary's karate club", () => {
  it('has 34 members, 78 friendships (both ways) and the two clubs of the split', () => {
    const k = karateClub();
    expect(k.graph.numNodes).toBe(34);
    expect(k.graph.numEdges).toBe(156);
    expect(reachable(k.graph)).toBe(34);
    expect(k.y.filter((v) => v === 0).length).toBe(17);
    expect([k.y[0], k.y[33]]).toEqual([0, 1]);
    expect(Array.from(k.graph.inDegree()).slice(0, 3)).toEqual([16, 9, 10]);
    expect(k.graph.inDegree()[33]).toBe(17);
  });
});

describe('cycle counts', () => {
  it('labels are edges - nodes + 1 of connected graphs, balanced, and the same for the same seed', () => {
    const d = cycleCountGraphs(300, { seed: 3 });
    const counts = [0, 0, 0];
    for (const { graph, label } of d.samples) {
      expect(graph.numEdges / 2 - graph.numNodes + 1).toBe(label);
      expect(reachable(graph)).toBe(graph.numNodes);
      expect(graph.numNodes).toBeGreaterThanOrEqual(8);
      expect(graph.numNodes).toBeLessThanOrEqual(20);
      counts[label]!++;
    }
    expect(counts).toEqual([100, 100, 100]);
    const again = cycleCountGraphs(300, { seed: 3 });
    expect(again.samples.map((s) => Array.from(s.graph.src).join())).toEqual(d.samples.map((s) => Array.from(s.graph.src).join()));
  });
});
