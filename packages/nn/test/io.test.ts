/** Model files: safetensors round trips, files written by PyTorch, corruption, atomic saves. */
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function mlp(): nn.Module {
  return new nn.Sequential(new nn.Linear(6, 5), new nn.ReLU(), new nn.BatchNorm1d(5), new nn.Dropout(0.2), new nn.Linear(5, 3));
}

describe('safetensors', () => {
  it('round-trips bit-exactly, special values included', () => {
    const special = new Float32Array([NaN, -0, 0, Infinity, -Infinity, 1e-45, 3.4028235e38]);
    new Uint32Array(special.buffer)[0] = 0x7fc00123; // a NaN with a payload
    const bytes = nn.encodeSafetensors(
      {
        special: { dtype: 'F32', shape: [7], data: special },
        scalar: { dtype: 'F32', shape: [], data: new Float32Array([2.5]) },
        empty: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
        matrix: { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      },
      { format: 'pt' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const { tensors, metadata } = nn.decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(bits(tensors.special!.data)).toEqual(bits(special));
    expect(tensors.scalar!.dtype).toBe('F32');
    expect(tensors.scalar!.shape).toEqual([]);
    expect(tensors.scalar!.data).toEqual(new Float32Array([2.5]));
    expect(tensors.empty!.shape).toEqual([0, 3]);
    expect(Array.from(tensors.matrix!.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads a file written by PyTorch (F32, F16, BF16, F64)', async () => {
    const bytes = new Uint8Array(await readFile(new URL('./fixtures/torch-written.safetensors', import.meta.url)));
    const want = JSON.parse(await readFile(new URL('./fixtures/torch-written.json', import.meta.url), 'utf8')) as {
      shapes: Record<string, number[]>;
      values: Record<string, number[]>;
    };
    const { tensors, metadata } = nn.decodeSafetensors(bytes);
    expect(metadata.format).toBe('pt');
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(want.shapes).sort());
    for (const [name, shape] of Object.entries(want.shapes)) {
      expect(tensors[name]!.shape).toEqual(shape);
      expect(Array.from(tensors[name]!.data)).toEqual(want.values[name]!.map(Math.fround));
    }
    // PyTorch's nn.Sequential(Linear(3,2), ReLU, Linear(2,1)) keys load into ours.
    const ours = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU(), new nn.Linear(2, 1));
    nn.loadWeightsFromBytes(ours, bytes, false);
    expect(Array.from(ours.stateDict().get('0.weight')!.data)).toEqual(want.values['0.weight']!.map(Math.fround));
  });

  it('rejects damaged files with a message saying what is wrong', () => {
    const good = nn.encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } });
    const headerLength = Number(new DataView(good.buffer).getBigUint64(0, true));
    const withHeader = (h: object, dataBytes = 16): Uint8Array => {
      let json = JSON.stringify(h);
      json += ' '.repeat((8 - (json.length % 8)) % 8);
      const hb = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + hb.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
      out.set(hb, 8);
      return out;
    };
    expect(() => nn.decodeSafetensors(good.subarray(0, 5))).toThrow('safetensors: file is truncated: 5 bytes, the header length alone needs 8');
    expect(() => nn.decodeSafetensors(good.subarray(0, 20))).toThrow(/file is truncated: the header says \d+ bytes but only 12 follow/);
    expect(() => nn.decodeSafetensors(good.subarray(0, good.length - 4))).toThrow(
      'safetensors: file is truncated: tensor "w" ends at byte 16 of the data, which holds only 12 bytes',
    );
    const badJson = good.slice();
    badJson[9] = 0x7b;
    badJson[10] = 0x7b;
    expect(() => nn.decodeSafetensors(badJson)).toThrow(/safetensors: the header \(\d+ bytes\) is not valid JSON: expected a key in double quotes at character 1/);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => nn.decodeSafetensors(huge)).toThrow(/header length \d+ is implausible/);
    expect(() => nn.decodeSafetensors(withHeader({ w: { dtype: 'Q4', shape: [2, 2], data_offsets: [0, 16] } }))).toThrow(
      'safetensors: tensor "w" has unsupported dtype "Q4"',
    );
    expect(() => nn.decodeSafetensors(withHeader({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }))).toThrow(
      'safetensors: tensor "w" of shape [2, 3] and dtype F32 needs 24 bytes, but its offsets [0, 16] span 16',
    );
    expect(() =>
      nn.decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } })),
    ).toThrow('safetensors: tensors "a" [0, 8] and "b" [4, 12] overlap in the file');
    expect(headerLength % 8).toBe(0);
  });
});

describe('saving and loading models', () => {
  it('round-trips weights and architecture bit-exactly, atomically, in a fresh folder', async () => {
    nn.manualSeed(3);
    const model = mlp();
    // Make the running statistics non-trivial.
    model.forward(nn.randn([8, 6]));
    const dir = await mkdtemp(join(tmpdir(), 'deepwasm-io-'));
    const saved = await nn.saveModel(model, join(dir, 'net'));
    expect(saved).toEqual({ path: join(dir, 'net.safetensors'), architecture: true });
    expect(await readdir(dir)).toEqual(['net.safetensors']); // one file, no temp files left
    const loaded = await nn.loadModel(join(dir, 'net'));
    const a = model.stateDict();
    const b = loaded.stateDict();
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, t] of a) expect(bits(b.get(k)!.data)).toEqual(bits(t.data));
    const x = nn.randn([4, 6]);
    model.eval();
    loaded.eval();
    expect(bits(loaded.forward(x).toArray())).toEqual(bits(model.forward(x).toArray()));
  });

  it('rejects a mismatched file naming the tensor and both shapes, leaving the model untouched', async () => {
    const small = new nn.Sequential(new nn.Linear(6, 4));
    const other = new nn.Sequential(new nn.Linear(6, 5));
    const before = other.stateDict().get('0.weight')!.toArray();
    expect(() => nn.loadWeightsFromBytes(other, nn.weightsToBytes(small))).toThrow(
      'loadStateDict(Sequential): "0.weight": expected shape [5, 6], found [4, 6]; "0.bias": expected shape [5], found [4]',
    );
    expect(other.stateDict().get('0.weight')!.toArray()).toEqual(before);
    const bytes = nn.weightsToBytes(other);
    expect(() => nn.loadWeightsFromBytes(other, bytes.subarray(0, bytes.length - 10))).toThrow(/file is truncated/);
    expect(other.stateDict().get('0.weight')!.toArray()).toEqual(before);
    expect(() => nn.moduleFromJson('{"format":"deepwasm-model","version":1,"architecture":{"type":"Conv9d","config":{}}}')).toThrow(
      'architecture: type: unknown module type "Conv9d" (did you mean "Conv2d"?)',
    );
    expect(() => nn.moduleFromJson('{not json')).toThrow(/architecture file is not valid JSON/);
  });

  it('keeps the old file when a save fails midway', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deepwasm-atomic-'));
    const path = join(dir, 'w.bin');
    await writeFile(path, 'old');
    const failing = new Uint8Array(8);
    Object.defineProperty(failing, 'byteLength', { get: () => { throw new Error('disk full'); } });
    await expect(nn.writeFileAtomic(path, failing)).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['w.bin']);
    await nn.writeFileAtomic(path, new TextEncoder().encode('new'));
    expect(await readFile(path, 'utf8')).toBe('new');
  });

  it('gives browsers one Blob and reads it back (and the old two-buffer form)', async () => {
    const model = mlp();
    const one = nn.modelFromBuffers(await nn.modelToBlob(model).arrayBuffer());
    for (const [k, t] of model.stateDict()) expect(bits(one.stateDict().get(k)!.data)).toEqual(bits(t.data));
    const { weights, architecture } = nn.modelToBlobs(model);
    const rebuilt = nn.modelFromBuffers(await architecture.text(), await weights.arrayBuffer());
    for (const [k, t] of model.stateDict()) expect(bits(rebuilt.stateDict().get(k)!.data)).toEqual(bits(t.data));
    // Weights without an architecture beside them: the old form needs the JSON.
    const legacyWeights = nn.weightsToBytes(model);
    expect(() => nn.modelFromBuffers(legacyWeights)).toThrow(/has no "deepwasm.architecture" in its metadata/);
    const legacy = nn.modelFromBuffers(nn.architectureToJson(model), legacyWeights);
    for (const [k, t] of model.stateDict()) expect(bits(legacy.stateDict().get(k)!.data)).toEqual(bits(t.data));
  });
});
