/**
 * Model files read exactly as the safetensors specification says, names that are plain keys, other
 * dtypes, PyTorch's load_state_dict results, one-file saves, the old two-file form, non-finite weights.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { hostTag } from '../src/io/atomic-file.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A file from a header object and raw data, with `pad` spaces after the JSON (inside the header length). */
function fileOf(header: object, data: Uint8Array, pad = 0, lengthDelta = 0): Uint8Array {
  const hb = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + hb.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length + lengthDelta), true);
  out.set(hb, 8);
  out.set(data, 8 + hb.length);
  return out;
}

const f32Bytes = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);
const decode = (b: Uint8Array) => nn.decodeSafetensors(b);

describe('safetensors header and offsets', () => {
  const header = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
  const data = f32Bytes(1, 2, 3);

  it('requires the exact header length: one or two bytes short or long inside the padding is rejected', () => {
    expect(Array.from(decode(fileOf(header, data, 4)).tensors.b!.data)).toEqual([3]);
    for (const delta of [-1, -2]) {
      expect(() => decode(fileOf(header, data, 4, delta))).toThrow(
        new RegExp(`the data section holds ${12 - delta} bytes but the tensors cover 12: ${-delta} trailing bytes \\(wrong header length`),
      );
    }
    for (const delta of [1, 2]) expect(() => decode(fileOf(header, data, 4, delta))).toThrow(/safetensors: /);
    // Without padding, one short cuts the closing brace.
    expect(() => decode(fileOf(header, data, 0, -1))).toThrow(/the header \(\d+ bytes\) is not valid JSON: unexpected end/);
  });

  it('requires offsets that start at 0, are contiguous and cover the data exactly', () => {
    const at = (a: [number, number], b: [number, number], d = data) =>
      decode(fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: a }, b: { dtype: 'F32', shape: [1], data_offsets: b } }, d));
    // Listed out of order is fine: the specification orders by offset, not by key.
    expect(Array.from(at([4, 12], [0, 4]).tensors.b!.data)).toEqual([1]);
    expect(() => at([0, 8], [12, 16], f32Bytes(1, 2, 3, 4))).toThrow('safetensors: 4 unused bytes between tensor "a" (ends at 8) and tensor "b" (begins at 12): the offsets must be contiguous');
    expect(() => at([4, 12], [12, 16], f32Bytes(1, 2, 3, 4))).toThrow('4 unused bytes between the start of the data and tensor "a"');
    expect(() => at([0, 8], [4, 8])).toThrow(/overlap in the file/);
    expect(() => at([0, 8], [8, 12], f32Bytes(1, 2, 3, 4))).toThrow('the data section holds 16 bytes but the tensors cover 12: 4 trailing bytes');
    expect(() => decode(fileOf({}, new Uint8Array(1)))).toThrow('the data section holds 1 bytes but the tensors cover 0');
    expect(decode(fileOf({ __metadata__: { k: 'v' } }, new Uint8Array(0))).metadata.k).toBe('v');
  });

  it('rejects duplicate keys, unknown fields, bad shapes and bad metadata', () => {
    const text = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const dup = fileOf({}, f32Bytes(1));
    const hb = new TextEncoder().encode(text);
    const file = new Uint8Array(8 + hb.length + 4);
    new DataView(file.buffer).setBigUint64(0, BigInt(hb.length), true);
    file.set(hb, 8);
    expect(dup.length).toBeGreaterThan(0);
    expect(() => decode(file)).toThrow(/duplicate key "a"/);
    const one = (entry: object, d = f32Bytes(1)) => () => decode(fileOf({ w: entry }, d));
    expect(one({ dtype: 'F32', shape: [1], data_offsets: [0, 4], extra: 1 })).toThrow('tensor "w": unknown field "extra"');
    expect(one({ dtype: 'F32', shape: [1] })).toThrow('tensor "w": no "data_offsets"');
    expect(one({ dtype: 'F32', shape: [1.5], data_offsets: [0, 4] })).toThrow('invalid shape [1.5]');
    expect(one({ dtype: 'F32', shape: [-1], data_offsets: [0, 4] })).toThrow('invalid shape [-1]');
    expect(one({ dtype: 'F32', shape: '1', data_offsets: [0, 4] })).toThrow('invalid shape "1"');
    expect(one({ dtype: 'F32', shape: [1], data_offsets: [4, 0] })).toThrow('invalid data_offsets [4,0]');
    expect(() => decode(fileOf({ __metadata__: { n: 1 } }, new Uint8Array(0)))).toThrow('metadata "n" is not a string: 1');
    expect(() => decode(fileOf({ __metadata__: ['x'] }, new Uint8Array(0)))).toThrow('"__metadata__" must be an object of strings');
    const arr = fileOf({}, new Uint8Array(0));
    arr.set(new TextEncoder().encode('[]'), 8);
    expect(() => decode(arr)).toThrow('does not start with "{"');
  });
});

class Odd extends nn.Module {
  constructor() {
    super();
    for (const [i, name] of ['__proto__', 'constructor', 'hasOwnProperty', 'toString'].entries()) {
      this.registerParameter(name, nn.full([2], i + 1));
    }
  }
  forward(x: nn.Tensor): nn.Tensor {
    return x;
  }
}

describe('tensor names are plain keys', () => {
  it('round-trips __proto__, constructor and hasOwnProperty through a file and loadStateDict', () => {
    const src = new Odd();
    const bytes = nn.weightsToBytes(src);
    const { tensors } = nn.decodeSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    expect(Array.from(tensors['__proto__']!.data)).toEqual([1, 1]);
    const dst = new Odd();
    for (const [, p] of dst.stateDict()) p.data.fill(0);
    expect(nn.loadWeightsFromBytes(dst, bytes)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect([...dst.stateDict()].map(([k, t]) => [k, Array.from(t.data)])).toEqual([
      ['__proto__', [1, 1]], ['constructor', [2, 2]], ['hasOwnProperty', [3, 3]], ['toString', [4, 4]],
    ]);
    // A strict load notices a missing or unexpected "__proto__".
    const lin = new nn.Linear(1, 1);
    const record = JSON.parse('{"weight":{"shape":[1,1],"data":[1]},"bias":{"shape":[1],"data":[2]},"__proto__":{"shape":[1],"data":[3]}}');
    expect(() => lin.loadStateDict(record)).toThrow('unexpected "__proto__"');
    expect(lin.loadStateDict(record, false)).toEqual({ missingKeys: [], unexpectedKeys: ['__proto__'] });
    expect(() => dst.loadStateDict({ constructor: { shape: [2], data: [0, 0] } })).toThrow(/missing "__proto__"/);
  });
});

describe('dtypes', () => {
  it('reads every dtype, converting floats to float32 as PyTorch does', () => {
    const bytes = nn.encodeSafetensors({
      f64: { dtype: 'F64', shape: [2], data: [0.1, -1e300] },
      f16: { dtype: 'F16', shape: [3], data: [1.5, 65504, -(2 ** -24)] },
      bf16: { dtype: 'BF16', shape: [2], data: [3.140625, -0] },
      i64: { dtype: 'I64', shape: [2], data: [-(2n ** 40n), 7n] },
      u64: { dtype: 'U64', shape: [1], data: [2n ** 63n] },
      i32: { dtype: 'I32', shape: [1], data: [-5] },
      u32: { dtype: 'U32', shape: [1], data: [4294967295] },
      i16: { dtype: 'I16', shape: [1], data: [-32768] },
      u16: { dtype: 'U16', shape: [1], data: [65535] },
      i8: { dtype: 'I8', shape: [1], data: [-128] },
      u8: { dtype: 'U8', shape: [2], data: [0, 255] },
      bool: { dtype: 'BOOL', shape: [2], data: [1, 0] },
    });
    const t = nn.decodeSafetensors(bytes).tensors;
    const v = (k: string) => Array.from(t[k]!.data);
    expect(v('f64')).toEqual([Math.fround(0.1), -Infinity]);
    expect(v('f16')).toEqual([1.5, 65504, -(2 ** -24)]);
    expect(v('bf16')).toEqual([3.140625, -0]);
    expect(v('i64')).toEqual([-(2 ** 40), 7]);
    expect(v('u64')).toEqual([2 ** 63]);
    expect([v('i32'), v('u32'), v('i16'), v('u16'), v('i8'), v('u8'), v('bool')]).toEqual([[-5], [4294967296], [-32768], [65535], [-128], [0, 255], [1, 0]]);
    expect(new DataView(t.i64!.bytes.buffer).getBigInt64(0, true)).toBe(-(2n ** 40n));
    // float8 (e4m3fn, e5m2): 0x38 = 1.0, 0x7f = NaN, 0x7e = 448 / 0x3c = 1.0, 0x7c = inf.
    const f8 = fileOf({ a: { dtype: 'F8_E4M3', shape: [3], data_offsets: [0, 3] }, b: { dtype: 'F8_E5M2', shape: [2], data_offsets: [3, 5] } }, new Uint8Array([0x38, 0x7f, 0x7e, 0x3c, 0x7c]));
    const d = nn.decodeSafetensors(f8).tensors;
    expect(Array.from(d.a!.data)).toEqual([1, NaN, 448]);
    expect(Array.from(d.b!.data)).toEqual([1, Infinity]);
    expect(() => nn.decodeSafetensors(fileOf({ b: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, new Uint8Array([2])))).toThrow('BOOL holds byte 2 at index 0');
  });

  it('loads integer tensors that are exact, reports others as unexpected keys when not strict', () => {
    const bn = new nn.BatchNorm1d(2);
    const file = nn.weightsToBytes(bn);
    expect(nn.decodeSafetensors(file).tensors.num_batches_tracked!.dtype).toBe('I64'); // PyTorch's dtype
    const torchLike = nn.encodeSafetensors({
      weight: { dtype: 'F16', shape: [2], data: [0.5, 2] },
      bias: { dtype: 'BF16', shape: [2], data: [1, -1] },
      running_mean: { dtype: 'F64', shape: [2], data: [0.25, 0.75] },
      running_var: { dtype: 'F32', shape: [2], data: new Float32Array([1, 3]) },
      num_batches_tracked: { dtype: 'I64', shape: [], data: [12n] },
      token_ids: { dtype: 'I32', shape: [3], data: [1, 2, 3] },
      mask: { dtype: 'BOOL', shape: [1], data: [1] },
    });
    expect(() => nn.loadWeightsFromBytes(bn, torchLike)).toThrow(/loadStateDict\(BatchNorm1d\): unexpected "token_ids"; unexpected "mask"/);
    expect(nn.loadWeightsFromBytes(bn, torchLike, { strict: false })).toEqual({ missingKeys: [], unexpectedKeys: ['token_ids', 'mask'] });
    expect(Array.from(bn.numBatchesTracked!.data)).toEqual([12]);
    expect(Array.from(bn.weight!.data)).toEqual([0.5, 2]);
    const inexact = nn.encodeSafetensors({ w: { dtype: 'I64', shape: [1], data: [2n ** 24n + 1n] } });
    const one = new (class extends nn.Module {
      constructor() {
        super();
        this.registerParameter('w', nn.zeros([1]));
      }
      forward(x: nn.Tensor) {
        return x;
      }
    })();
    expect(() => nn.loadWeightsFromBytes(one, inexact)).toThrow('"w" (I64): value 16777217 at index 0 [0] is not exactly a float32');
    expect(Array.from(one.stateDict().get('w')!.data)).toEqual([0]);
  });
});

describe('loadStateDict like PyTorch', () => {
  it('returns missing and unexpected keys, accepts a missing num_batches_tracked, always refuses shape mismatches', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    const sd = Object.fromEntries([...model.stateDict()].map(([k, t]) => [k, { shape: t.shape, data: t.toArray() }]));
    sd['1.running_mean'] = { shape: [2], data: new Float32Array([5, 6]) };
    delete sd['1.num_batches_tracked'];
    const bn = model.get(1) as nn.BatchNorm1d;
    bn.numBatchesTracked!.data[0] = 3;
    expect(model.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(bn.runningMean!.data)).toEqual([5, 6]);
    expect(bn.numBatchesTracked!.data[0]).toBe(3); // kept, as PyTorch keeps it
    const partial = { '0.weight': sd['0.weight']!, extra: { shape: [1], data: [0] } };
    expect(model.loadStateDict(partial, { strict: false })).toEqual({
      missingKeys: ['0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var'],
      unexpectedKeys: ['extra'],
    });
    expect(() => model.loadStateDict(partial)).toThrow('missing "0.bias" (expected [2])');
    const before = bits(model.stateDict().get('0.weight')!.toArray());
    expect(() => model.loadStateDict({ '0.weight': { shape: [2, 2], data: [1, 2, 3, 4] }, '0.bias': { shape: [3], data: [0, 0, 0] } }, false)).toThrow(
      '"0.bias": expected shape [2], found [3]',
    );
    expect(bits(model.stateDict().get('0.weight')!.toArray())).toEqual(before);
    expect(() => model.loadStateDict({ '0.weight': { shape: [2, 2], data: ['a', 1, 2, 3] as unknown as number[] } }, false)).toThrow('"0.weight": expected a Tensor or {shape, data} with numeric data');
  });

  it('refuses non-finite weights on request, naming the tensor and the first bad index', () => {
    const model = new nn.Sequential(new nn.Linear(3, 2));
    const w = model.stateDict().get('0.weight')!;
    const good = nn.weightsToBytes(model);
    w.data[4] = NaN;
    const bad = nn.weightsToBytes(model);
    w.data[4] = 0;
    const target = new nn.Sequential(new nn.Linear(3, 2));
    const before = bits(target.stateDict().get('0.weight')!.toArray());
    expect(() => nn.loadWeightsFromBytes(target, bad, { allowNonFinite: false })).toThrow(
      'loadWeights: "0.weight" holds NaN at index 4 [1, 1] (non-finite weights refused: allowNonFinite is false)',
    );
    expect(bits(target.stateDict().get('0.weight')!.toArray())).toEqual(before);
    nn.loadWeightsFromBytes(target, good, { allowNonFinite: false });
    nn.loadWeightsFromBytes(target, bad); // PyTorch's default: loads
    expect(target.stateDict().get('0.weight')!.data[4]).toBeNaN();
    expect(() => nn.loadWeightsFromBytes(target, good, { allowNaN: false } as never)).toThrow('unknown option "allowNaN"');
  });
});

describe('saveModel and loadModel', () => {
  it('writes one file, creating folders; errors name the path given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deepwasm-save-'));
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    const saved = await nn.saveModel(model, join(dir, 'a', 'b', 'net'));
    expect(saved).toEqual({ path: join(dir, 'a', 'b', 'net.safetensors'), architecture: true });
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['net.safetensors']);
    const { metadata } = nn.decodeSafetensors(new Uint8Array(await readFile(saved.path)));
    expect(metadata.format).toBe('pt');
    expect(JSON.parse(metadata['deepwasm.architecture']!).architecture.type).toBe('Sequential');
    await writeFile(join(dir, 'file'), 'x');
    const user = join(dir, 'file', 'net');
    const err = await nn.saveModel(model, user).then(() => null, (e: Error) => e);
    expect(err?.message).toContain(`saveModel("${user}"): cannot write "${user}.safetensors": `);
    expect(err?.message).not.toContain('.tmp');
    await expect(nn.loadModel(join(dir, 'nothing'))).rejects.toThrow(`loadModel("${join(dir, 'nothing')}"): cannot read ${join(dir, 'nothing.safetensors')}: no such file`);
  });

  it('reads the old two-file form, and a new save replaces it by one file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deepwasm-legacy-'));
    const model = new nn.Sequential(new nn.Linear(4, 2), new nn.Tanh());
    const sd = new Map([...model.stateDict()].map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: t.toArray() }]));
    await writeFile(join(dir, 'old.safetensors'), nn.encodeSafetensors(sd, { format: 'pt' }));
    await writeFile(join(dir, 'old.json'), JSON.stringify({ format: 'deepwasm-model', version: 1, architecture: model.getConfig() }, null, 2));
    const loaded = await nn.loadModel(join(dir, 'old'));
    for (const [k, t] of model.stateDict()) expect(bits(loaded.stateDict().get(k)!.toArray())).toEqual(bits(t.toArray()));
    await nn.saveModel(loaded, join(dir, 'old'));
    expect(await readdir(dir)).toEqual(['old.safetensors']);
    expect((await nn.loadModel(join(dir, 'old.safetensors'))).numParameters()).toBe(10);
  });

  it('removes temp files of writers that are gone, never those of live ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deepwasm-stale-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const tag = hostTag(hostname());
    const staleName = `.net.safetensors.${tag}-${dead}.abc123.tmp`;
    const liveName = `.net.safetensors.${tag}-${process.ppid}.def456.tmp`;
    const otherHost = `.net.safetensors.00000000-${dead}.xyz.tmp`;
    for (const n of [staleName, liveName, otherHost]) await writeFile(join(dir, n), 'partial');
    await nn.saveModel(new nn.Linear(1, 1), join(dir, 'net'));
    expect((await readdir(dir)).sort()).toEqual([otherHost, liveName, 'net.safetensors'].sort());
  });
});
