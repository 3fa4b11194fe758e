/**
 * Test support for the elementwise, softmax, reduce and copy suites: a seeded generator, moving arrays
 * in and out of kernel memory, and a comparison that reports index, expected and actual.
 */
import type { Kernels } from '../../src/index.js';

/** The sizes every elementwise kernel is tested at: around the 4- and 8-float steps, and a large odd one. */
export const SIZES = [1, 3, 4, 5, 7, 8, 9, 17, 33, 10007];

/** f32 unit roundoff (half an ulp of 1). */
export const U = 2 ** -24;

/** mulberry32: a small seeded generator returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [lo, hi). */
export function uniform(rand: () => number, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** Copies `data` into a fresh arena block and returns its pointer. */
export function put(k: Kernels, data: ArrayLike<number>): number {
  const p = k.arena.alloc(Math.max(1, data.length) * 4);
  k.arena.f32(p, data.length).set(data);
  return p;
}

/** A fresh copy of n floats at ptr. */
export function get(k: Kernels, ptr: number, n: number): Float32Array {
  return k.arena.f32(ptr, n).slice();
}

export function getI32(k: Kernels, ptr: number, n: number): Int32Array {
  return k.arena.i32(ptr, n).slice();
}

export interface CloseOptions {
  /** Allowed |actual - expected| at index i (expected is the float64 reference). */
  tol?: (i: number, expected: number) => number;
  /** Also require ±0 to match in sign. */
  signedZero?: boolean;
}

/**
 * Returns '' when actual matches expected, else a report of the first mismatches (index, expected,
 * actual, tolerance). NaN must meet NaN; infinities must match exactly; finite expected values
 * must be within tol (0 by default, after rounding the reference to float32).
 */
export function mismatches(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, opts: CloseOptions = {}): string {
  const lines: string[] = [];
  let count = 0;
  if (actual.length !== expected.length) return `${label}: length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    let ok: boolean;
    let tol = 0;
    if (Number.isNaN(e)) ok = Number.isNaN(a);
    else if (!Number.isFinite(e)) ok = a === e;
    else {
      tol = opts.tol ? opts.tol(i, e) : 0;
      const ef = Math.fround(e);
      ok = a === ef || Math.abs(a - e) <= tol;
      if (ok && opts.signedZero && e === 0 && a === 0) ok = Object.is(a, e);
    }
    if (!ok) {
      count++;
      if (lines.length < 8) lines.push(`  [${i}] expected ${e}, actual ${a}, tolerance ${tol}`);
    }
  }
  return count === 0 ? '' : `${label}: ${count} of ${expected.length} differ\n${lines.join('\n')}`;
}

/** The builds every suite runs on. */
export const ISAS = ['simd128', 'relaxed'] as const;
