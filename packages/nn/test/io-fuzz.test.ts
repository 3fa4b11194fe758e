/**
 * Seeded fuzz test of model files: 1,600 mutations of real one-file models (truncation, header length
 * off by 1..8, offsets shifted / overlapping / gapped / swapped, dtypes and shapes changed, names
 * changed (to "__proto__" and friends, duplicated, swapped), header and metadata JSON corrupted,
 * architecture edited, data bytes flipped, bytes appended). Every file is either rejected with an
 * Error that says what is wrong (never a TypeError or RangeError from deep inside), or loads
 * bit-exactly the values its header describes, as decoded by an independent reference reader below;
 * a failed load never changes the model it targeted (all parameters and buffers compared bit for bit).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

const FILES = 1600;
const SEED = 20261124;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ARCHITECTURES: Array<() => nn.Module> = [
  () => new nn.Sequential(new nn.Linear(6, 5), new nn.ReLU(), new nn.BatchNorm1d(5), new nn.Dropout(0.2), new nn.Linear(5, 3)),
  () => new nn.Sequential(new nn.Conv2d(1, 2, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8, 4)),
  () => new nn.Sequential({ rnn: new nn.LSTM(3, 2), head: new nn.Linear(2, 2, { bias: false }) }),
];

// ---- an independent reference reader: what the header says each named tensor holds ----

const SIZES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1, U16: 2, U32: 4, U64: 8 };
const half = (h: number) => {
  const e = (h >> 10) & 31;
  const f = h & 1023;
  const v = e === 0 ? f * 2 ** -24 : e === 31 ? (f ? NaN : Infinity) : (1 + f / 1024) * 2 ** (e - 15);
  return h & 0x8000 ? -v : v;
};
function reference(bytes: Uint8Array, name: string): { expected: number[]; f32Bits: number[] | null } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  if (!Object.prototype.hasOwnProperty.call(header, name)) return null;
  const { dtype, shape, data_offsets: [begin] } = header[name];
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  const at = 8 + n + begin;
  const size = SIZES[dtype]!;
  const expected: number[] = [];
  for (let i = 0; i < count; i++) {
    const p = at + i * size;
    const v = {
      F64: () => view.getFloat64(p, true), F32: () => view.getFloat32(p, true), F16: () => half(view.getUint16(p, true)),
      BF16: () => new Float32Array(new Uint32Array([view.getUint16(p, true) << 16]).buffer)[0]!,
      I64: () => Number(view.getBigInt64(p, true)), U64: () => Number(view.getBigUint64(p, true)), I32: () => view.getInt32(p, true),
      U32: () => view.getUint32(p, true), I16: () => view.getInt16(p, true), U16: () => view.getUint16(p, true), I8: () => view.getInt8(p),
      U8: () => view.getUint8(p), BOOL: () => view.getUint8(p),
    }[dtype as 'F32']();
    expected.push(Math.fround(v));
  }
  const f32Bits = dtype === 'F32' ? Array.from(new Uint32Array(bytes.slice(at, at + count * 4).buffer)) : null;
  return { expected, f32Bits };
}

const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
const snapshot = (m: nn.Module) => new Map([...m.stateDict()].map(([k, t]) => [k, bitsOf(t.toArray())]));

/** What differs between `m` and what `bytes` describes (keys absent from the file must keep `before`). */
function mismatches(m: nn.Module, bytes: Uint8Array, before: Map<string, number[]> | null): string[] {
  const out: string[] = [];
  for (const [k, t] of m.stateDict()) {
    const actual = t.toArray();
    const ref = reference(bytes, k);
    if (ref === null) {
      if (before !== null && bitsOf(actual).join() !== before.get(k)!.join()) out.push(`${k}: changed though absent from the file`);
      continue;
    }
    if (ref.f32Bits !== null) {
      if (bitsOf(actual).join() !== ref.f32Bits.join()) out.push(`${k}: bits ${bitsOf(actual)} vs ${ref.f32Bits}`);
      continue;
    }
    ref.expected.forEach((v, i) => {
      if (!(Number.isNaN(v) ? Number.isNaN(actual[i]) : Object.is(actual[i], v))) out.push(`${k}[${i}]: ${actual[i]} vs ${v}`);
    });
  }
  return out;
}

const same = (a: Map<string, number[]>, b: Map<string, number[]>) => [...a].every(([k, v]) => b.get(k)?.join() === v.join());

// ---- building mutated files ----

type Pair = [string, { dtype: string; shape: number[]; data_offsets: [number, number] }];
interface Parts {
  pairs: Pair[];
  metadata: Record<string, string>;
  data: Uint8Array;
}

function split(bytes: Uint8Array): Parts {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const { __metadata__: metadata, ...rest } = header;
  return { pairs: Object.entries(rest) as Pair[], metadata, data: bytes.slice(8 + n) };
}

/** Serializes pairs as written (duplicates included), pads to 8, with an optional wrong header length. */
function join(p: Parts, opts: { nDelta?: number; metadataFirst?: boolean } = {}): Uint8Array {
  const items = p.pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  const meta = `"__metadata__":${JSON.stringify(p.metadata)}`;
  const json = `{${(opts.metadataFirst ?? true) ? [meta, ...items] : [...items, meta]}}`;
  const raw = new TextEncoder().encode(json);
  const n = Math.ceil(raw.length / 8) * 8;
  const out = new Uint8Array(8 + n + p.data.length).fill(0x20, 8, 8 + n);
  new DataView(out.buffer).setBigUint64(0, BigInt(n + (opts.nDelta ?? 0)), true);
  out.set(raw, 8);
  out.set(p.data, 8 + n);
  return out;
}

const WEIRD_NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', '', '__metadata__x', '0.weight\u0000', 'ß'];
const DTYPE_NAMES = Object.keys(SIZES);

/** One mutation; `mustReject` marks those that can never describe a valid file. */
function mutate(base: Uint8Array, rnd: () => number): { kind: string; bytes: Uint8Array; mustReject: boolean } {
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const p = split(base);
  const i = int(p.pairs.length);
  const entry = p.pairs[i]![1];
  switch (int(14)) {
    case 0: return { kind: 'truncate', bytes: base.slice(0, int(base.length)), mustReject: true };
    case 1: return { kind: 'header length', bytes: join(p, { nDelta: pick([-8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8]) }), mustReject: true };
    case 2: {
      const d = (1 + int(8)) * pick([-1, 1]);
      const which = int(3);
      if (which !== 1) entry.data_offsets[0] += d;
      if (which !== 0) entry.data_offsets[1] += d;
      return { kind: 'offsets shifted', bytes: join(p), mustReject: true };
    }
    case 3: {
      const j = int(p.pairs.length);
      const other = p.pairs[j]![1];
      [entry.data_offsets, other.data_offsets] = [other.data_offsets, entry.data_offsets];
      return { kind: 'offsets swapped', bytes: join(p), mustReject: false };
    }
    case 4: entry.dtype = pick(DTYPE_NAMES); return { kind: 'dtype', bytes: join(p), mustReject: false };
    case 5: {
      const s = entry.shape;
      if (s.length > 0 && rnd() < 0.5) s[int(s.length)]! += pick([-1, 1, 2]);
      else if (rnd() < 0.5) s.reverse();
      else s.push(1);
      return { kind: 'shape', bytes: join(p), mustReject: false };
    }
    case 6: {
      const r = rnd();
      if (r < 0.4) p.pairs[i]![0] = pick(WEIRD_NAMES);
      else if (r < 0.7) p.pairs[i]![0] = p.pairs[int(p.pairs.length)]![0];
      else {
        const j = int(p.pairs.length);
        [p.pairs[i]![0], p.pairs[j]![0]] = [p.pairs[j]![0], p.pairs[i]![0]];
      }
      return { kind: 'names', bytes: join(p), mustReject: false };
    }
    case 7: {
      const out = base.slice();
      const n = Number(new DataView(out.buffer).getBigUint64(0, true));
      for (let k = 1 + int(3); k > 0; k--) out[8 + int(n)] = rnd() < 0.5 ? pick([0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x20, 0x30, 0x39, 0x2d, 0x5c]) : int(256);
      return { kind: 'header bytes', bytes: out, mustReject: false };
    }
    case 8: {
      const arch = p.metadata['deepwasm.architecture']!;
      const at = int(arch.length);
      p.metadata['deepwasm.architecture'] = arch.slice(0, at) + String.fromCharCode(pick([0x22, 0x7b, 0x7d, 0x2c, 0x3a, 0x31, 0x35, 0x2d, 0x61])) + arch.slice(at + int(2));
      return { kind: 'architecture text', bytes: join(p), mustReject: false };
    }
    case 9: {
      const doc = JSON.parse(p.metadata['deepwasm.architecture']!);
      const nodes: Array<Record<string, unknown>> = [];
      const walk = (o: unknown) => {
        if (o !== null && typeof o === 'object') {
          nodes.push(o as Record<string, unknown>);
          Object.values(o).forEach(walk);
        }
      };
      walk(doc.architecture);
      const node = pick(nodes);
      const keys = Object.keys(node);
      const r = rnd();
      if (r < 0.2 && keys.length > 0) delete node[pick(keys)];
      else if (r < 0.3) node[pick(['kernel_size', 'names', 'extra', '__proto__'])] = 1;
      else if (keys.length > 0) node[pick(keys)] = pick([0, -1, 1.5, 3, 'abc', null, true, [], {}, [2, 2], 1e9]);
      p.metadata['deepwasm.architecture'] = JSON.stringify(doc);
      return { kind: 'architecture edit', bytes: join(p), mustReject: false };
    }
    case 10: {
      const out = base.slice();
      const n = Number(new DataView(out.buffer).getBigUint64(0, true));
      if (out.length > 8 + n) out[8 + n + int(out.length - 8 - n)] ^= 1 << int(8);
      return { kind: 'data bit flip', bytes: out, mustReject: false };
    }
    case 11: {
      const extra = new Uint8Array(1 + int(8)).map(() => pick([0x20, 0, int(256)]));
      const out = new Uint8Array(base.length + extra.length);
      out.set(base);
      out.set(extra, base.length);
      return { kind: 'trailing bytes', bytes: out, mustReject: true };
    }
    case 12: {
      // Valid rewrites: header entries in another order, metadata last.
      for (let k = p.pairs.length - 1; k > 0; k--) {
        const j = int(k + 1);
        [p.pairs[k], p.pairs[j]] = [p.pairs[j]!, p.pairs[k]!];
      }
      return { kind: 'reordered header', bytes: join(p, { metadataFirst: false }), mustReject: false };
    }
    default: {
      // Two mutations at once.
      const first = mutate(base, rnd);
      if (first.bytes.length < 16) return first;
      let second: ReturnType<typeof mutate>;
      try {
        second = mutate(first.bytes, rnd);
      } catch {
        return first; // the first mutation left no parseable header to mutate further
      }
      return { kind: `${first.kind} + ${second.kind}`, bytes: second.bytes, mustReject: false };
    }
  }
}

const MEANINGFUL = /^((loadWeights|modelFromBuffers)(: the model file)?: )?(safetensors: |architecture|loadStateDict\(\w+\): |"[^"]*" \(\w+\): value|the model file has no "deepwasm.architecture")/;

/** An Error of our own making (not a TypeError or RangeError from deep inside) that says what is wrong. */
function checkError(e: unknown, where: string): void {
  const ok = e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError) && MEANINGFUL.test(e.message);
  if (!ok) expect.fail(`${where}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
}

describe('model files under mutation', () => {
  it(`rejects or loads bit-exactly each of ${FILES} mutated files, never changing a model on failure`, () => {
    const rnd = mulberry32(SEED);
    const int = (n: number) => Math.floor(rnd() * n);
    nn.manualSeed(SEED);
    const bases = ARCHITECTURES.map((make) => {
      const m = make();
      for (const [k, t] of m.stateDict()) t.data.forEach((_, i, a) => (a[i] = k.endsWith('num_batches_tracked') ? 1 + int(1000) : (rnd() - 0.5) * 4));
      return nn.modelToBytes(m);
    });
    const counts = { rejected: 0, loaded: 0, modelRejected: 0, modelLoaded: 0 };
    const byKind = new Map<string, { rejected: number; loaded: number; modelRejected: number; modelLoaded: number }>();
    // One target per architecture, put back to its own weights after each successful load.
    const targets = ARCHITECTURES.map((make) => make());
    for (let f = 0; f < FILES; f++) {
      const a = f % ARCHITECTURES.length;
      const { kind, bytes, mustReject } = mutate(bases[a]!, rnd);
      const group = kind.includes(' + ') ? 'two at once' : kind;
      const k = byKind.get(group) ?? { rejected: 0, loaded: 0, modelRejected: 0, modelLoaded: 0 };
      byKind.set(group, k);
      const where = `file ${f} (${kind})`;
      // 1. Into an existing model of the right architecture.
      const target = targets[a]!;
      const before = snapshot(target);
      let error: unknown = null;
      try {
        nn.loadWeightsFromBytes(target, bytes);
      } catch (e) {
        error = e;
      }
      if (error !== null) {
        counts.rejected++;
        k.rejected++;
        checkError(error, where);
        const after = snapshot(target);
        if (!same(after, before)) expect(after, `${where}: a failed load changed the model`).toEqual(before);
      } else {
        expect(mustReject, `${where} loaded`).toBe(false);
        counts.loaded++;
        k.loaded++;
        expect(mismatches(target, bytes, before), where).toEqual([]);
        nn.loadWeightsFromBytes(target, nn.modelToBytes(ARCHITECTURES[a]!()));
      }
      // 2. As a whole model: architecture from the metadata, then the weights.
      let model: nn.Module | null = null;
      try {
        model = nn.modelFromBuffers(bytes);
      } catch (e) {
        checkError(e, where);
        counts.modelRejected++;
        k.modelRejected++;
      }
      if (model !== null) {
        expect(mustReject, `${where} built a model`).toBe(false);
        counts.modelLoaded++;
        k.modelLoaded++;
        expect(mismatches(model, bytes, null), where).toEqual([]);
      }
    }
    const table = [...byKind].sort().map(([kind, c]) => `${kind} ${c.rejected}/${c.loaded} (${c.modelRejected}/${c.modelLoaded})`).join(', ');
    console.log(`io fuzz (seed ${SEED}): ${FILES} files; into a model: ${counts.rejected} rejected, ${counts.loaded} loaded bit-exactly; ` +
      `as whole models: ${counts.modelRejected} rejected, ${counts.modelLoaded} loaded. By mutation, rejected/loaded (as models): ${table}`);
    expect(counts.rejected + counts.loaded).toBe(FILES);
    expect(counts.loaded).toBeGreaterThan(100); // the oracle is exercised on real loads too
    expect(counts.rejected).toBeGreaterThan(800);
  });
});
