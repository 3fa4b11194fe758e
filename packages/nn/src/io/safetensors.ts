/**
 * The safetensors format (https://github.com/huggingface/safetensors), read exactly as its
 * specification says: an 8-byte little-endian header length N; N bytes of UTF-8 JSON starting with
 * "{" (spaces may pad its end) of the form {name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__": {string: string}}; then the data, which the tensors' offsets (relative to the end
 * of the header) must cover exactly: sorted by begin they start at 0, each begins where the
 * previous one ends, the last ends at the end of the file, no gap, no overlap, no trailing byte.
 * Keys are unique; a tensor's byte length is its element count times its dtype's size.
 * Decoding checks all of that before copying anything out; damage is an error saying what is wrong.
 */
import { parseStrictJson, isJsonObject, type JsonObject } from './strict-json.js';
import { DTYPES, isDtype, readElement, type Dtype } from './dtypes.js';
import { writeElement } from './dtype-encode.js';

export type { Dtype } from './dtypes.js';

export interface SafeTensor {
  dtype: Dtype;
  shape: number[];
  /** The values as float32: F32 bit for bit, other floats rounded to nearest, integers and booleans converted. */
  data: Float32Array;
  /** The stored little-endian bytes (for F32 a view of `data`); exact access to I64, U64 and F64 values. */
  bytes: Uint8Array;
}

export interface Decoded {
  /** Tensors by name (a null-prototype object: "__proto__" is an ordinary name), in the order of their offsets. */
  tensors: Record<string, SafeTensor>;
  /** The header's "__metadata__" (null-prototype, string values). */
  metadata: Record<string, string>;
}

/** What encodeSafetensors writes for one tensor. F32 data given as a Float32Array is written bit for bit. */
export interface TensorToEncode {
  dtype: Dtype;
  shape: readonly number[];
  data: ArrayLike<number> | ArrayLike<bigint>;
}

/** The reference implementation's limit: a larger header is not a real file. */
export const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const ENTRY_FIELDS = ['dtype', 'shape', 'data_offsets'];

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const entriesOf = <T>(m: Map<string, T> | Record<string, T>): Array<[string, T]> => (m instanceof Map ? [...m] : Object.entries(m));

/** Encodes tensors (in the given order, offsets ascending) with optional string metadata. */
export function encodeSafetensors(
  tensors: Map<string, TensorToEncode> | Record<string, TensorToEncode>,
  metadata?: Map<string, string> | Record<string, string>,
): Uint8Array {
  // A null-prototype object: a tensor named "__proto__" becomes a key like any other.
  const header = Object.create(null) as Record<string, unknown>;
  const meta = metadata === undefined ? [] : entriesOf(metadata);
  if (meta.length > 0) {
    const m = Object.create(null) as Record<string, string>;
    for (const [k, v] of meta) {
      if (typeof v !== 'string') throw new Error(`safetensors: metadata "${k}" must be a string, got ${typeof v}`);
      m[k] = v;
    }
    header.__metadata__ = m;
  }
  const list = entriesOf(tensors);
  let offset = 0;
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new Error('safetensors: "__metadata__" cannot be a tensor name');
    if (!isDtype(t.dtype)) throw new Error(`safetensors: tensor "${name}": unknown dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new Error(`safetensors: tensor "${name}": invalid shape ${JSON.stringify(t.shape)}`);
    }
    if (t.data.length !== product(t.shape)) {
      throw new Error(`safetensors: tensor "${name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    }
    const bytes = t.data.length * DTYPES[t.dtype].bytes;
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(raw.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(n), true);
  out.set(raw, 8);
  out.fill(0x20, 8 + raw.length, 8 + n);
  let at = 8 + n;
  for (const [name, t] of list) {
    if (t.dtype === 'F32' && t.data instanceof Float32Array && LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    } else {
      for (let i = 0; i < t.data.length; i++) writeElement(view, at, t.dtype, i, t.data[i]!, name);
    }
    at += t.data.length * DTYPES[t.dtype].bytes;
  }
  return out;
}

interface Span {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Reads one tensor description, checking every field. */
function readEntry(name: string, entry: unknown, dataLength: number): Span {
  const where = `safetensors: tensor ${JSON.stringify(name)}`;
  if (!isJsonObject(entry)) throw new Error(`${where}: expected {dtype, shape, data_offsets}, got ${JSON.stringify(entry)}`);
  for (const k of Object.keys(entry)) {
    if (!ENTRY_FIELDS.includes(k)) throw new Error(`${where}: unknown field ${JSON.stringify(k)} (a tensor has only dtype, shape and data_offsets)`);
  }
  for (const k of ENTRY_FIELDS) if (!(k in entry)) throw new Error(`${where}: no "${k}"`);
  const { dtype, shape, data_offsets: offs } = entry as JsonObject;
  if (!isDtype(dtype)) {
    throw new Error(`${where} has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
  }
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw new Error(`${where} has an invalid shape ${JSON.stringify(shape)} (expected non-negative integers)`);
  }
  if (!Array.isArray(offs) || offs.length !== 2 || offs.some((o) => typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) || offs[0]! > offs[1]!) {
    throw new Error(`${where} has invalid data_offsets ${JSON.stringify(offs)} (expected [begin, end] with 0 <= begin <= end)`);
  }
  const dims = shape as number[];
  const [begin, end] = offs as [number, number];
  // The element count can only be checked against the bytes if it is exactly representable.
  let count = 1;
  for (const d of dims) count *= d;
  const need = count * DTYPES[dtype].bytes;
  if (!Number.isSafeInteger(need) || end - begin !== need) {
    throw new Error(
      `${where} of shape [${dims.join(', ')}] and dtype ${dtype} needs ${need} bytes, but its offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  if (end > dataLength) {
    throw new Error(`safetensors: file is truncated: tensor ${JSON.stringify(name)} ends at byte ${end} of the data, which holds only ${dataLength} bytes`);
  }
  return { name, dtype, shape: dims, begin, end };
}

/** Checks that the spans, sorted by begin, tile [0, dataLength) exactly. Sorts them in place. */
function checkCoverage(spans: Span[], dataLength: number, headerLength: number): void {
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: Span | null = null;
  for (const s of spans) {
    if (s.begin < at) {
      throw new Error(`safetensors: tensors ${JSON.stringify(prev!.name)} [${prev!.begin}, ${prev!.end}] and ${JSON.stringify(s.name)} [${s.begin}, ${s.end}] overlap in the file (corrupted file?)`);
    }
    if (s.begin > at) {
      const after = prev === null ? 'the start of the data' : `tensor ${JSON.stringify(prev.name)} (ends at ${at})`;
      throw new Error(`safetensors: ${s.begin - at} unused bytes between ${after} and tensor ${JSON.stringify(s.name)} (begins at ${s.begin}): the offsets must be contiguous`);
    }
    at = s.end;
    prev = s;
  }
  if (at !== dataLength) {
    throw new Error(
      `safetensors: the data section holds ${dataLength} bytes but the tensors cover ${at}: ${dataLength - at} trailing bytes ` +
        `(wrong header length ${headerLength}, or bytes appended to the file?)`,
    );
  }
}

/** Decodes and validates a safetensors file; see SafeTensor for what each tensor holds. */
export function decodeSafetensors(bytes: Uint8Array): Decoded {
  if (bytes.length < 8) throw new Error(`safetensors: file is truncated: ${bytes.length} bytes, the header length alone needs 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) throw new Error(`safetensors: header length ${n64} is implausible (more than ${MAX_HEADER_BYTES}; corrupted file?)`);
  const n = Number(n64);
  if (8 + n > bytes.length) {
    throw new Error(`safetensors: file is truncated: the header says ${n} bytes but only ${bytes.length - 8} follow`);
  }
  if (n === 0 || bytes[8] !== 0x7b) {
    throw new Error(`safetensors: the header (${n} bytes) does not start with "{" (not a safetensors file, or a wrong header length?)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new Error(`safetensors: the header (${n} bytes) is not valid UTF-8 (corrupted file?)`);
  }
  // Depth 3: the header, a tensor entry, its shape.
  const header = parseStrictJson(text, { maxDepth: 3, what: `safetensors: the header (${n} bytes) is not valid JSON` });
  if (!isJsonObject(header)) throw new Error('safetensors: the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata = Object.create(null) as Record<string, string>;
  const spans: Span[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isJsonObject(entry)) throw new Error(`safetensors: "__metadata__" must be an object of strings, got ${JSON.stringify(entry)?.slice(0, 80)}`);
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new Error(`safetensors: metadata ${JSON.stringify(k)} is not a string: ${JSON.stringify(v)?.slice(0, 80)}`);
        metadata[k] = v;
      }
      continue;
    }
    spans.push(readEntry(name, entry, dataLength));
  }
  checkCoverage(spans, dataLength, n);
  const tensors = Object.create(null) as Record<string, SafeTensor>;
  for (const { name, dtype, shape, begin, end } of spans) {
    const at = dataStart + begin;
    const count = product(shape);
    const raw = bytes.slice(at, dataStart + end);
    let data: Float32Array;
    if (dtype === 'F32' && LITTLE_ENDIAN) {
      data = new Float32Array(raw.buffer, 0, count);
    } else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = readElement(view, at, dtype, i);
    }
    if (dtype === 'BOOL') {
      const bad = raw.findIndex((b) => b > 1);
      if (bad >= 0) throw new Error(`safetensors: tensor ${JSON.stringify(name)} of dtype BOOL holds byte ${raw[bad]} at index ${bad} (a bool is 0 or 1)`);
    }
    tensors[name] = { dtype, shape, data, bytes: raw };
  }
  return { tensors, metadata };
}
