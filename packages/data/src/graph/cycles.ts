/**
 * A synthetic graph-classification set for pooling layers: how many independent cycles a connected
 * graph has (its cyclomatic number, edges - nodes + 1): 0 (a tree), 1 or 2. Each graph is a random
 * tree of 8 to 20 nodes plus 0, 1 or 2 extra edges between nodes not yet joined. Nodes carry no
 * features (a constant 1), so a model must count through the structure: a sum over the nodes of
 * what message passing learns about degrees can, a mean cannot. Classes are balanced; chance is 1/3.
 */
import * as nn from '@deepwasm/nn';

export interface GraphSample {
  graph: nn.Graph;
  label: number;
}

export interface GraphClassificationData {
  samples: GraphSample[];
  numClasses: number;
  /** Features per node (1: the constant). */
  numFeatures: number;
}

export interface CycleCountOptions {
  minNodes?: number;
  maxNodes?: number;
  /** Seed of the generator (default 0). */
  seed?: number;
}

/** `count` graphs (labels cycle 0, 1, 2, ...), undirected (each edge both ways). */
export function cycleCountGraphs(count: number, opts: CycleCountOptions = {}): GraphClassificationData {
  const lo = opts.minNodes ?? 8;
  const hi = opts.maxNodes ?? 20;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`cycleCountGraphs: count must be a non-negative integer, got ${count}`);
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 5 || hi < lo) throw new RangeError(`cycleCountGraphs: need 5 <= minNodes <= maxNodes, got ${lo} and ${hi}`);
  const g = new nn.Generator(opts.seed ?? 0);
  const samples: GraphSample[] = [];
  for (let s = 0; s < count; s++) {
    const label = s % 3;
    const n = lo + g.int(hi - lo + 1);
    const src: number[] = [];
    const dst: number[] = [];
    const joined = new Set<number>();
    const join = (u: number, v: number) => {
      src.push(u);
      dst.push(v);
      joined.add(u * n + v).add(v * n + u);
    };
    for (let v = 1; v < n; v++) join(g.int(v), v);
    for (let c = 0; c < label; ) {
      const u = g.int(n);
      const v = g.int(n);
      if (u === v || joined.has(u * n + v)) continue;
      join(u, v);
      c++;
    }
    samples.push({ graph: nn.Graph.undirected(src, dst, n), label });
  }
  return { samples, numClasses: 3, numFeatures: 1 };
}
