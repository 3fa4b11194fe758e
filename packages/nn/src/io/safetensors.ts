/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__": {string: string}}, then the tensor bytes (little-endian, offsets relative to the
 * end of the header). Decoding checks everything and copies the data out; any damage is an error
 * that says what is wrong.
 */
export type Dtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32';

export interface SafeTensor {
  dtype: Dtype;
  shape: number[];
  data: Float32Array;
}

export interface Decoded {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4 };
const MAX_HEADER = 100_000_000;
/** Raw byte copies keep every bit (NaN payloads too); they need a little-endian host, as all JS hosts are in practice. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Encodes F32 tensors (in the given key order) with optional string metadata. */
export function encodeSafetensors(
  tensors: Record<string, { dtype: 'F32'; shape: readonly number[]; data: Float32Array }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    if (name === '__metadata__') throw new Error('safetensors: "__metadata__" cannot be a tensor name');
    const t = tensors[name]!;
    if (t.data.length !== product(t.shape)) {
      throw new Error(`safetensors: tensor "${name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    }
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned.
  const raw = new TextEncoder().encode(json);
  const padded = Math.ceil(raw.length / 8) * 8;
  json += ' '.repeat(padded - raw.length);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name]!;
    const [begin] = (header[name] as { data_offsets: [number, number] }).data_offsets;
    if (LITTLE_ENDIAN) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), base + begin);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(base + begin + i * 4, t.data[i]!, true);
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decodes and validates a safetensors file; every dtype is converted to float32. */
export function decodeSafetensors(bytes: Uint8Array): Decoded {
  if (bytes.length < 8) throw new Error(`safetensors: file is truncated: ${bytes.length} bytes, the header length alone needs 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) throw new Error(`safetensors: header length ${n64} is implausible (corrupted file?)`);
  const n = Number(n64);
  if (8 + n > bytes.length) {
    throw new Error(`safetensors: file is truncated: the header says ${n} bytes but only ${bytes.length - 8} follow`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`safetensors: the header is not valid UTF-8 JSON (corrupted file?): ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error('safetensors: the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: Array<[number, number, string]> = [];
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object') throw new Error('safetensors: "__metadata__" must be an object of strings');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new Error(`safetensors: metadata "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new Error(`safetensors: tensor "${name}" has no description`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES)) {
      throw new Error(`safetensors: tensor "${name}" has unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(BYTES).join(', ')})`);
    }
    const dtype = e.dtype as Dtype;
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new Error(`safetensors: tensor "${name}" has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const shape = e.shape as number[];
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || offs.some((o) => !Number.isSafeInteger(o) || o < 0) || offs[0] > offs[1]) {
      throw new Error(`safetensors: tensor "${name}" has invalid data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    const expected = product(shape) * BYTES[dtype];
    if (end - begin !== expected) {
      throw new Error(
        `safetensors: tensor "${name}" of shape [${shape.join(', ')}] and dtype ${dtype} needs ${expected} bytes, ` +
          `but its offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    if (end > dataLength) {
      throw new Error(
        `safetensors: file is truncated: tensor "${name}" ends at byte ${end} of the data, which holds only ${dataLength} bytes`,
      );
    }
    spans.push([begin, end, name]);
    const count = product(shape);
    const data = new Float32Array(count);
    const at = dataStart + begin;
    if (dtype === 'F32' && LITTLE_ENDIAN) {
      new Uint8Array(data.buffer).set(bytes.subarray(at, at + count * 4));
      tensors[name] = { dtype, shape, data };
      continue;
    }
    for (let i = 0; i < count; i++) {
      switch (dtype) {
        case 'F32':
          data[i] = view.getFloat32(at + i * 4, true);
          break;
        case 'F64':
          data[i] = view.getFloat64(at + i * 8, true);
          break;
        case 'F16':
          data[i] = halfToFloat(view.getUint16(at + i * 2, true));
          break;
        case 'BF16':
          data[i] = new Float32Array(new Uint32Array([view.getUint16(at + i * 2, true) << 16]).buffer)[0]!;
          break;
        case 'I32':
          data[i] = view.getInt32(at + i * 4, true);
          break;
        case 'I64':
          data[i] = Number(view.getBigInt64(at + i * 8, true));
          break;
      }
    }
    tensors[name] = { dtype, shape, data };
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) {
      throw new Error(`safetensors: tensors "${spans[i - 1]![2]}" and "${spans[i]![2]}" overlap in the file (corrupted file?)`);
    }
  }
  return { tensors, metadata };
}
