/**
 * The browser-safe Planetoid paths: `@deepwasm/data/graph` imports nothing from Node; fetchPlanetoid
 * over HTTP (a local server standing in for the page's) and from bytes give exactly what loadPlanetoid
 * reads from disk; bad files are rejected with a message naming the dataset and the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import * as nn from '@deepwasm/nn';
import { loadPlanetoid, type NodeClassificationData } from '../src/index.js';
import { fetchPlanetoid, planetoidFromBytes, planetoidFromJson, planetoidUrl, type PlanetoidJson } from '../src/graph/index.js';

let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
  server = createServer((req, res) => {
    requested.push(req.url ?? '');
    const m = /^\/planetoid\/(cora|citeseer)\.json$/.exec(req.url ?? '');
    if (m === null) {
      res.writeHead(404, { connection: 'close' }).end('not found');
      return;
    }
    // connection: close, so that fetch never reuses a socket the server's keep-alive timeout is closing.
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(readFileSync(planetoidUrl(m[1] as 'cora')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(() => {
  server.close();
});

function expectSameData(a: NodeClassificationData, b: NodeClassificationData): void {
  expect([a.numNodes, a.numFeatures, a.numClasses]).toEqual([b.numNodes, b.numFeatures, b.numClasses]);
  expect(a.x.indptr).toEqual(b.x.indptr);
  expect(a.x.indices).toEqual(b.x.indices);
  expect(a.x.values).toEqual(b.x.values);
  expect(a.graph.src).toEqual(b.graph.src);
  expect(a.graph.dst).toEqual(b.graph.dst);
  expect(a.y).toEqual(b.y);
  expect([a.trainIndex, a.valIndex, a.testIndex]).toEqual([b.trainIndex, b.valIndex, b.testIndex]);
}

describe('fetchPlanetoid / planetoidFromBytes', () => {
  it('the graph entry imports nothing from Node', () => {
    const dir = new URL('../src/graph/', import.meta.url);
    for (const f of ['index.ts', 'planetoid.ts', 'karate.ts', 'cycles.ts']) {
      expect(readFileSync(new URL(f, dir), 'utf8')).not.toMatch(/from 'node:|require\(/);
    }
  });

  for (const name of ['cora', 'citeseer'] as const) {
    it(`${name} fetched over HTTP equals ${name} read from disk`, async () => {
      const disk = loadPlanetoid(name);
      const fetched = await fetchPlanetoid(name, { url: `${base}/planetoid/${name}.json` });
      expectSameData(fetched, disk);
      disk.dispose();
      fetched.dispose();
    });
  }

  it('by default fetches the package copy beside the module (through the fetch given)', async () => {
    const seen: string[] = [];
    const d = await fetchPlanetoid('cora', {
      normalizeFeatures: false,
      fetch: async (url) => {
        seen.push(url);
        const bytes = readFileSync(new URL(url));
        return { ok: true, status: 200, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
      },
    });
    expect(seen).toEqual([planetoidUrl('cora').href]);
    expect(seen[0]).toMatch(/\/data\/planetoid\/cora\.json$/);
    expect(d.x.values.every((v) => v === 1)).toBe(true);
    d.dispose();
  });

  it('from bytes and from text', () => {
    const bytes = new Uint8Array(readFileSync(planetoidUrl('cora')));
    const disk = loadPlanetoid('cora');
    const a = planetoidFromBytes('cora', bytes);
    const b = planetoidFromBytes('cora', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const c = planetoidFromBytes('cora', new TextDecoder().decode(bytes));
    for (const d of [a, b, c]) {
      expectSameData(d, disk);
      d.dispose();
    }
    disk.dispose();
  });

  it('rejects what it cannot use, naming the dataset, the url or the field', async () => {
    await expect(fetchPlanetoid('cora', { url: `${base}/nothing.json` })).rejects.toThrow(/fetchPlanetoid: http:\/\/127\.0\.0\.1:\d+\/nothing\.json answered 404/);
    await expect(fetchPlanetoid('cora')).rejects.toThrow(/file: URL, which fetch does not read; in Node use loadPlanetoid\("cora"\)/);
    await expect(fetchPlanetoid('pubmed' as never)).rejects.toThrow(/fetchPlanetoid: no dataset "pubmed"; bundled: cora, citeseer/);
    expect(() => planetoidFromBytes('cora', '{"numNodes": 3,')).toThrow(/planetoid cora: not valid JSON/);
    expect(() => planetoidFromBytes('cora', new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/./);
    expect(() => planetoidFromBytes('cora', '[1, 2]')).toThrow(/planetoid cora: expected a JSON object, got an array/);
    const ok: PlanetoidJson = {
      numNodes: 3, numFeatures: 2, numClasses: 2, featureIndptr: [0, 1, 2, 2], featureIndices: [0, 1],
      labels: [0, 1, 0], edges: [0, 1, 1, 2], trainIndex: [0], valIndex: [1], testIndex: [2],
    };
    const small = planetoidFromJson('tiny', ok);
    expect([small.graph.numEdges, small.x.nnz]).toEqual([4, 2]);
    small.dispose();
    const bad = (patch: Partial<Record<keyof PlanetoidJson, unknown>>) => () => planetoidFromJson('tiny', { ...ok, ...patch } as PlanetoidJson);
    expect(bad({ edges: undefined })).toThrow(/planetoid tiny: the JSON has no "edges"/);
    expect(bad({ numNodes: 2.5 })).toThrow(/"numNodes" must be a positive integer, got 2.5/);
    expect(bad({ labels: [0, 1] })).toThrow(/"labels" has 2 entries, expected numNodes = 3/);
    expect(bad({ labels: [0, 2, 0] })).toThrow(/label 2 of node 1 is outside \[-1, 2\) \(numClasses 2\)/);
    expect(bad({ edges: [0, 1, 1] })).toThrow(/"edges" has 3 entries, not pairs/);
    expect(bad({ edges: [0, 1, 1, 3] })).toThrow(/edge 1 names node 3, outside \[0, 3\)/);
    expect(bad({ featureIndptr: [0, 1, 2] })).toThrow(/"featureIndptr" has 3 entries, expected numNodes \+ 1 = 4/);
    expect(bad({ featureIndices: [0, '1'] })).toThrow(/"featureIndices"\[1\] is "1", not an integer/);
    expect(bad({ trainIndex: [5] })).toThrow(/trainIndex holds 5, not a labelled node/);
  });
});
