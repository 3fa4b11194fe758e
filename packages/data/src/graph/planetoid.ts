/**
 * Planetoid citation graphs (Cora, Citeseer) with the standard split of Yang et al. (2016), as Kipf
 * and Welling's GCN and PyTorch Geometric's Planetoid use them: a sparse bag-of-words feature
 * matrix, an undirected citation graph (each citation both ways), class labels, and 140/120 training,
 * 500 validation and 1,000 test nodes. The data ships with this package (planetoid/, with its
 * provenance note); `loadPlanetoid` reads it in Node, `planetoidFromJson` builds the same from the
 * JSON anywhere (e.g. fetched in a browser).
 */
import { readFileSync } from 'node:fs';
import * as nn from '@deepwasm/nn';

export type PlanetoidName = 'cora' | 'citeseer';
export const PLANETOID_NAMES: readonly PlanetoidName[] = ['cora', 'citeseer'];

/** The fields of planetoid/<name>.json (see planetoid/README.md). */
export interface PlanetoidJson {
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  featureIndptr: number[];
  featureIndices: number[];
  labels: number[];
  edges: number[];
  trainIndex: number[];
  valIndex: number[];
  testIndex: number[];
}

/** A node-classification dataset: one graph, features for every node, a labelled split. */
export interface NodeClassificationData {
  name: string;
  graph: nn.Graph;
  /** Node features [numNodes, numFeatures] as a sparse matrix. */
  x: nn.SparseMatrix;
  /** Class of each node (-1 for the 15 Citeseer nodes without one, none of them in the split). */
  y: Int32Array;
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  trainIndex: Int32Array;
  valIndex: Int32Array;
  testIndex: Int32Array;
  /** Frees the graph's and the features' kernel memory. */
  dispose(): void;
}

export interface PlanetoidOptions {
  /** Divide each feature row by its sum, as PyG's NormalizeFeatures (default true). */
  normalizeFeatures?: boolean;
}

/** Builds the dataset from the JSON form. */
export function planetoidFromJson(name: string, raw: PlanetoidJson, opts: PlanetoidOptions = {}): NodeClassificationData {
  for (const key of ['numNodes', 'numFeatures', 'numClasses', 'featureIndptr', 'featureIndices', 'labels', 'edges', 'trainIndex', 'valIndex', 'testIndex'] as const) {
    if (raw[key] === undefined) throw new Error(`planetoid ${name}: the JSON has no "${key}"`);
  }
  const n = raw.numNodes;
  const src: number[] = [];
  const dst: number[] = [];
  for (let e = 0; e < raw.edges.length; e += 2) {
    src.push(raw.edges[e]!);
    dst.push(raw.edges[e + 1]!);
  }
  const graph = nn.Graph.undirected(src, dst, n);
  const binary = new nn.SparseMatrix(raw.featureIndptr, raw.featureIndices, null, [n, raw.numFeatures]);
  const x = opts.normalizeFeatures === false ? binary : binary.rowNormalize();
  if (x !== binary) binary.dispose();
  const y = Int32Array.from(raw.labels);
  for (const [what, idx] of [['trainIndex', raw.trainIndex], ['valIndex', raw.valIndex], ['testIndex', raw.testIndex]] as const) {
    for (const i of idx) if (!(i >= 0 && i < n && y[i]! >= 0)) throw new Error(`planetoid ${name}: ${what} holds ${i}, not a labelled node`);
  }
  return {
    name, graph, x, y, numNodes: n, numFeatures: raw.numFeatures, numClasses: raw.numClasses,
    trainIndex: Int32Array.from(raw.trainIndex), valIndex: Int32Array.from(raw.valIndex), testIndex: Int32Array.from(raw.testIndex),
    dispose() {
      graph.dispose();
      x.dispose();
    },
  };
}

/** Reads planetoid/<name>.json from this package (Node). */
export function loadPlanetoid(name: PlanetoidName, opts: PlanetoidOptions = {}): NodeClassificationData {
  if (!PLANETOID_NAMES.includes(name)) throw new Error(`loadPlanetoid: no dataset "${String(name)}"; bundled: ${PLANETOID_NAMES.join(', ')}`);
  const text = readFileSync(new URL(`../../planetoid/${name}.json`, import.meta.url), 'utf8');
  return planetoidFromJson(name, JSON.parse(text) as PlanetoidJson, opts);
}
