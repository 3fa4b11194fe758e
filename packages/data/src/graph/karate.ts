/**
 * Zachary's karate club (Zachary, 1977): 34 members, 78 friendships, and the club each member joined
 * when it split (0: Mr. Hi's, 1: the officer's), as networkx's karate_club_graph gives them.
 */
import * as nn from '@deepwasm/nn';

/** The 78 friendships as pairs u < v. */
export const KARATE_EDGES: readonly number[] = [
  0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0, 10, 0, 11, 0, 12, 0, 13, 0, 17, 0, 19, 0, 21, 0, 31, 1, 2, 1, 3, 1, 7, 1, 13,
  1, 17, 1, 19, 1, 21, 1, 30, 2, 3, 2, 7, 2, 8, 2, 9, 2, 13, 2, 27, 2, 28, 2, 32, 3, 7, 3, 12, 3, 13, 4, 6, 4, 10, 5, 6, 5, 10,
  5, 16, 6, 16, 8, 30, 8, 32, 8, 33, 9, 33, 13, 33, 14, 32, 14, 33, 15, 32, 15, 33, 18, 32, 18, 33, 19, 33, 20, 32, 20, 33,
  22, 32, 22, 33, 23, 25, 23, 27, 23, 29, 23, 32, 23, 33, 24, 25, 24, 27, 24, 31, 25, 31, 26, 29, 26, 33, 27, 33, 28, 31,
  28, 33, 29, 32, 29, 33, 30, 32, 30, 33, 31, 32, 31, 33, 32, 33,
];

/** Members who joined Mr. Hi's club; the others joined the officer's. */
const MR_HI = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 16, 17, 19, 21]);

export interface KarateClub {
  /** Undirected: each friendship both ways (156 edges). */
  graph: nn.Graph;
  /** 0 for Mr. Hi's club, 1 for the officer's. */
  y: Int32Array;
  numNodes: 34;
  numClasses: 2;
  /** The two leaders (0: Mr. Hi, 33: the officer), the usual one-label-per-class training set. */
  trainIndex: Int32Array;
}

export function karateClub(): KarateClub {
  const src: number[] = [];
  const dst: number[] = [];
  for (let e = 0; e < KARATE_EDGES.length; e += 2) {
    src.push(KARATE_EDGES[e]!);
    dst.push(KARATE_EDGES[e + 1]!);
  }
  return {
    graph: nn.Graph.undirected(src, dst, 34),
    y: Int32Array.from({ length: 34 }, (_, i) => (MR_HI.has(i) ? 0 : 1)),
    numNodes: 34,
    numClasses: 2,
    trainIndex: Int32Array.from([0, 33]),
  };
}
