/**
 * Plain references of the Philox sampling kernels: Philox4x32-10 exactly as Random123 defines it
 * (scalar, one block at a time) and the same element order as assembly/random/philox.ts: element
 * 16 t + 4 w + j is word w of block firstBlock + 4 t + j.
 */
import type { PhiloxKey } from '../ops/random.js';

/** High and low 32 bits of a * b for u32 a, b. */
function mulhilo(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const aH = a >>> 16, aL = a & 0xffff, bH = b >>> 16, bL = b & 0xffff;
  const mid = aH * bL + aL * bH; // < 2^33, exact in a double
  const hi = aH * bH + Math.floor((aL * bL + (mid % 65536) * 65536) / 4294967296) + Math.floor(mid / 65536);
  return [hi >>> 0, lo];
}

/** Philox4x32-10 of the counter c under the key (k0, k1). */
export function philox4x32(c: readonly [number, number, number, number], k0: number, k1: number): [number, number, number, number] {
  let [x0, x1, x2, x3] = c.map((v) => v >>> 0) as [number, number, number, number];
  let ka = k0 >>> 0, kb = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const [h0, l0] = mulhilo(0xd2511f53, x0);
    const [h1, l1] = mulhilo(0xcd9e8d57, x2);
    [x0, x1, x2, x3] = [(h1 ^ x1 ^ ka) >>> 0, l1, (h0 ^ x3 ^ kb) >>> 0, l0];
    ka = (ka + 0x9e3779b9) >>> 0;
    kb = (kb + 0xbb67ae85) >>> 0;
  }
  return [x0, x1, x2, x3];
}

/** The raw 32-bit word for element i of a call keyed by `key`. */
export function philoxWord(key: PhiloxKey, i: number): number {
  const t = Math.floor(i / 16), w = (i >> 2) & 3, j = i & 3;
  return philox4x32([((key.firstBlock ?? 0) + 4 * t + j) >>> 0, 0, 0, 0], key.k0, key.k1)[w]!;
}

const U24 = 2 ** -24;

export function uniformReference(n: number, key: PhiloxKey): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (philoxWord(key, i) >>> 8) * U24);
}

export function bernoulliReference(p: ArrayLike<number>, key: PhiloxKey): Float32Array {
  return Float32Array.from({ length: p.length }, (_, i) => ((philoxWord(key, i) >>> 8) * U24 < p[i]! ? 1 : 0));
}

/** Probabilities sigmoid(beta x) in float64 and the samples u < prob. */
export function bernoulliSigmoidReference(x: ArrayLike<number>, beta: number, key: PhiloxKey): { prob: Float64Array; sample: Float32Array } {
  const prob = Float64Array.from({ length: x.length }, (_, i) => 1 / (1 + Math.exp(-beta * x[i]!)));
  const sample = Float32Array.from(prob, (p, i) => ((philoxWord(key, i) >>> 8) * U24 < p ? 1 : 0));
  return { prob, sample };
}

/** Box-Muller on word pairs: slot 2 s takes radius from word 2 s, angle from word 2 s + 1 (cos), slot 2 s + 1 the sin. */
export function normalReference(mean: ArrayLike<number> | null, n: number, std: number, key: PhiloxKey): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = (i >> 2) & 3;
    const base = i - 4 * (w & 1); // element of the pair's first word
    const xr = philoxWord(key, base), xt = philoxWord(key, base + 4);
    const u1 = ((xr >>> 8) + 1) * U24;
    const u2 = ((xt >>> 30) + (((xt << 2) >>> 8) * U24)) / 4;
    const rad = Math.sqrt(-2 * Math.log(u1));
    const z = (w & 1) === 0 ? rad * Math.cos(2 * Math.PI * u2) : rad * Math.sin(2 * Math.PI * u2);
    out[i] = (mean ? mean[i]! : 0) + std * z;
  }
  return out;
}

/** Inverted dropout: m = u < p ? 0 : scale (float32), times src[i] (float32 product) when src is given. */
export function dropoutReference(src: ArrayLike<number> | null, n: number, p: number, scale: number, key: PhiloxKey): Float32Array {
  const m = Math.fround(scale);
  return Float32Array.from({ length: n }, (_, i) => {
    const keep = (philoxWord(key, i) >>> 8) * U24 >= Math.fround(p) ? m : 0;
    return src ? Math.fround(src[i]! * keep) : keep;
  });
}
