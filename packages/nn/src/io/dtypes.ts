/**
 * The element types of safetensors files (https://github.com/huggingface/safetensors): byte size,
 * kind, and the conversion of each stored element to a JS number (exact for every float type and
 * for integers up to 2^53; I64/U64 beyond that are kept exactly as bigint by `readExact`).
 * All stored values are little-endian.
 */
export const DTYPES = {
  BOOL: { bytes: 1, kind: 'bool' },
  U8: { bytes: 1, kind: 'int' },
  I8: { bytes: 1, kind: 'int' },
  F8_E4M3: { bytes: 1, kind: 'float' },
  F8_E5M2: { bytes: 1, kind: 'float' },
  U16: { bytes: 2, kind: 'int' },
  I16: { bytes: 2, kind: 'int' },
  F16: { bytes: 2, kind: 'float' },
  BF16: { bytes: 2, kind: 'float' },
  U32: { bytes: 4, kind: 'int' },
  I32: { bytes: 4, kind: 'int' },
  F32: { bytes: 4, kind: 'float' },
  U64: { bytes: 8, kind: 'int' },
  I64: { bytes: 8, kind: 'int' },
  F64: { bytes: 8, kind: 'float' },
} as const satisfies Record<string, { bytes: number; kind: 'bool' | 'int' | 'float' }>;

export type Dtype = keyof typeof DTYPES;

export function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, s);
}

/** IEEE half precision (1 sign, 5 exponent, 10 mantissa bits). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** float8 e4m3fn (PyTorch's torch.float8_e4m3fn): bias 7, no infinities, S.1111.111 is NaN. */
export function e4m3ToFloat(b: number): number {
  const s = b & 0x80 ? -1 : 1;
  const e = (b >> 3) & 0xf;
  const f = b & 7;
  if (e === 15 && f === 7) return NaN;
  if (e === 0) return s * f * 2 ** -9;
  return s * (1 + f / 8) * 2 ** (e - 7);
}

/** float8 e5m2 (torch.float8_e5m2): the top byte of a half. */
export function e5m2ToFloat(b: number): number {
  return halfToFloat(b << 8);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Element `i` of a tensor stored at `at` in `view`, as a JS number. Floats are exact (F64 is a
 * double); 64-bit integers are rounded to the nearest double (readExact gives them exactly).
 */
export function readElement(view: DataView, at: number, dtype: Dtype, i: number): number {
  switch (dtype) {
    case 'F32': return view.getFloat32(at + i * 4, true);
    case 'F64': return view.getFloat64(at + i * 8, true);
    case 'F16': return halfToFloat(view.getUint16(at + i * 2, true));
    case 'BF16':
      u32[0] = view.getUint16(at + i * 2, true) << 16;
      return f32[0]!;
    case 'F8_E4M3': return e4m3ToFloat(view.getUint8(at + i));
    case 'F8_E5M2': return e5m2ToFloat(view.getUint8(at + i));
    case 'BOOL': return view.getUint8(at + i);
    case 'U8': return view.getUint8(at + i);
    case 'I8': return view.getInt8(at + i);
    case 'U16': return view.getUint16(at + i * 2, true);
    case 'I16': return view.getInt16(at + i * 2, true);
    case 'U32': return view.getUint32(at + i * 4, true);
    case 'I32': return view.getInt32(at + i * 4, true);
    case 'U64': return Number(view.getBigUint64(at + i * 8, true));
    case 'I64': return Number(view.getBigInt64(at + i * 8, true));
  }
}

/** Element `i` exactly: a bigint for I64/U64, else the number readElement gives. */
export function readExact(view: DataView, at: number, dtype: Dtype, i: number): number | bigint {
  if (dtype === 'I64') return view.getBigInt64(at + i * 8, true);
  if (dtype === 'U64') return view.getBigUint64(at + i * 8, true);
  return readElement(view, at, dtype, i);
}
