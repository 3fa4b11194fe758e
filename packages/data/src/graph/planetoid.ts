/**
 * Planetoid citation graphs (Cora, Citeseer) with the standard split of Yang et al. (2016), as Kipf
 * and Welling's GCN and PyTorch Geometric's Planetoid use them: a sparse bag-of-words feature
 * matrix, an undirected citation graph (each citation both ways), class labels, and 140/120 training,
 * 500 validation and 1,000 test nodes. The data ships with this package (planetoid/, with its
 * provenance note). This module has no Node-only imports (`@deepwasm/data/graph` loads in browsers):
 * `fetchPlanetoid` fetches the JSON (by default this package's own copy, served beside it),
 * `planetoidFromBytes` / `planetoidFromJson` build the dataset from bytes or a parsed object;
 * `loadPlanetoid` (planetoid-node.ts, package root only) reads the file in Node.
 */
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
  checkPlanetoidJson(name, raw);
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

const COUNT_KEYS = ['numNodes', 'numFeatures', 'numClasses'] as const;
const ARRAY_KEYS = ['featureIndptr', 'featureIndices', 'labels', 'edges', 'trainIndex', 'valIndex', 'testIndex'] as const;

/** Strict: every field present, counts positive integers, arrays of integers with consistent lengths and ranges. */
function checkPlanetoidJson(name: string, raw: PlanetoidJson): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError(`planetoid ${name}: expected a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  for (const key of [...COUNT_KEYS, ...ARRAY_KEYS]) {
    if (raw[key] === undefined) throw new Error(`planetoid ${name}: the JSON has no "${key}"`);
  }
  for (const key of COUNT_KEYS) {
    const v = raw[key];
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`planetoid ${name}: "${key}" must be a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const key of ARRAY_KEYS) {
    const a = raw[key];
    if (!Array.isArray(a)) throw new TypeError(`planetoid ${name}: "${key}" must be an array of integers, got ${typeof a}`);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isInteger(a[i])) throw new TypeError(`planetoid ${name}: "${key}"[${i}] is ${JSON.stringify(a[i])}, not an integer`);
    }
  }
  const n = raw.numNodes;
  if (raw.featureIndptr.length !== n + 1) throw new RangeError(`planetoid ${name}: "featureIndptr" has ${raw.featureIndptr.length} entries, expected numNodes + 1 = ${n + 1}`);
  if (raw.labels.length !== n) throw new RangeError(`planetoid ${name}: "labels" has ${raw.labels.length} entries, expected numNodes = ${n}`);
  for (let i = 0; i < n; i++) {
    const c = raw.labels[i]!;
    if (c < -1 || c >= raw.numClasses) throw new RangeError(`planetoid ${name}: label ${c} of node ${i} is outside [-1, ${raw.numClasses}) (numClasses ${raw.numClasses})`);
  }
  if (raw.edges.length % 2 !== 0) throw new RangeError(`planetoid ${name}: "edges" has ${raw.edges.length} entries, not pairs`);
  for (let e = 0; e < raw.edges.length; e++) {
    const v = raw.edges[e]!;
    if (v < 0 || v >= n) throw new RangeError(`planetoid ${name}: edge ${e >> 1} names node ${v}, outside [0, ${n}) (numNodes ${n})`);
  }
}

/** Builds the dataset from the bytes (or text) of a planetoid JSON file, e.g. a fetched response's body. */
export function planetoidFromBytes(name: string, bytes: Uint8Array | ArrayBuffer | string, opts: PlanetoidOptions = {}): NodeClassificationData {
  const text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`planetoid ${name}: not valid JSON (${(e as Error).message})`);
  }
  return planetoidFromJson(name, raw as PlanetoidJson, opts);
}

/**
 * Where this package's copy of planetoid/<name>.json lies relative to this module: a file: URL in
 * Node, and in a browser the package as served (e.g. `/pkg/data/planetoid/cora.json` when
 * `/pkg/data/dist/graph/planetoid.js` is this module).
 */
export function planetoidUrl(name: PlanetoidName): URL {
  checkName('planetoidUrl', name);
  return new URL(`../../planetoid/${name}.json`, import.meta.url);
}

export interface FetchPlanetoidOptions extends PlanetoidOptions {
  /** Where to fetch the JSON from (default `planetoidUrl(name)`, this package's copy). */
  url?: string | URL;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; statusText?: string; arrayBuffer(): Promise<ArrayBuffer> }>;
}

/**
 * Fetches planetoid/<name>.json and builds the dataset: in a browser from this package's own copy as
 * served beside its modules, or from `opts.url`. (In Node, whose fetch does not read file: URLs, use
 * `loadPlanetoid` from the package root, or pass an http(s) `url`.)
 */
export async function fetchPlanetoid(name: PlanetoidName, opts: FetchPlanetoidOptions = {}): Promise<NodeClassificationData> {
  checkName('fetchPlanetoid', name);
  const { url, fetch: fetchFn, ...rest } = opts;
  const where = String(url ?? planetoidUrl(name));
  if (where.startsWith('file:') && fetchFn === undefined) {
    throw new Error(`fetchPlanetoid: ${where} is a file: URL, which fetch does not read; in Node use loadPlanetoid("${name}") from @deepwasm/data, or pass an http(s) url`);
  }
  const f = fetchFn ?? (globalThis.fetch as unknown as FetchPlanetoidOptions['fetch']);
  if (f === undefined) throw new Error('fetchPlanetoid: no fetch in this environment; pass opts.fetch');
  const res = await f(where);
  if (!res.ok) throw new Error(`fetchPlanetoid: ${where} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  return planetoidFromBytes(name, new Uint8Array(await res.arrayBuffer()), rest);
}

export function checkName(where: string, name: string): void {
  if (!PLANETOID_NAMES.includes(name as PlanetoidName)) throw new Error(`${where}: no dataset "${String(name)}"; bundled: ${PLANETOID_NAMES.join(', ')}`);
}
