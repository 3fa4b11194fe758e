/**
 * Writing one element of each safetensors dtype (little-endian), with the rounding PyTorch uses when
 * it converts a float32 tensor (`.half()`, `.bfloat16()`: round to nearest, ties to even). Integer
 * dtypes take only integers in their range: a value that would be truncated is an error.
 */
import type { Dtype } from './dtypes.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
export function floatToBf16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** number -> IEEE half bits, round to nearest even (overflow to infinity, subnormals kept). */
export function floatToHalf(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (Number.isNaN(v)) return 0x7e00;
  if (a === Infinity) return sign | 0x7c00;
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest half, 65504
  if (a < 2 ** -14) {
    // Subnormal: units of 2^-24, ties to even.
    return sign | roundEven(a * 2 ** 24);
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let m = roundEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

function roundEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

const RANGES: Partial<Record<Dtype, [number, number]>> = {
  BOOL: [0, 1], U8: [0, 255], I8: [-128, 127], U16: [0, 65535], I16: [-32768, 32767], U32: [0, 2 ** 32 - 1], I32: [-(2 ** 31), 2 ** 31 - 1],
};

/** Writes element `i` of a tensor stored at `at`. */
export function writeElement(view: DataView, at: number, dtype: Dtype, i: number, v: number | bigint, name: string): void {
  if (dtype === 'I64' || dtype === 'U64') {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`safetensors: tensor "${name}" [${i}] = ${v} is not an integer for ${dtype}`);
    const b = BigInt(v);
    if (dtype === 'I64') view.setBigInt64(at + i * 8, BigInt.asIntN(64, b) === b ? b : fail(name, i, v, dtype), true);
    else view.setBigUint64(at + i * 8, BigInt.asUintN(64, b) === b ? b : fail(name, i, v, dtype), true);
    return;
  }
  const x = Number(v);
  const range = RANGES[dtype];
  if (range !== undefined && !(Number.isInteger(x) && x >= range[0] && x <= range[1])) fail(name, i, v, dtype);
  switch (dtype) {
    case 'F32': view.setFloat32(at + i * 4, x, true); return;
    case 'F64': view.setFloat64(at + i * 8, x, true); return;
    case 'F16': view.setUint16(at + i * 2, floatToHalf(x), true); return;
    case 'BF16': view.setUint16(at + i * 2, floatToBf16(x), true); return;
    case 'BOOL': case 'U8': view.setUint8(at + i, x); return;
    case 'I8': view.setInt8(at + i, x); return;
    case 'U16': view.setUint16(at + i * 2, x, true); return;
    case 'I16': view.setInt16(at + i * 2, x, true); return;
    case 'U32': view.setUint32(at + i * 4, x, true); return;
    case 'I32': view.setInt32(at + i * 4, x, true); return;
    default: throw new Error(`safetensors: tensor "${name}": writing ${dtype} is not supported`);
  }
}

function fail(name: string, i: number, v: number | bigint, dtype: Dtype): never {
  throw new Error(`safetensors: tensor "${name}" [${i}] = ${v} does not fit ${dtype}`);
}
