/**
 * Argument checks and plumbing shared by the typed wrappers: sizes must be non-negative integers,
 * buffers must lie inside linear memory, and kernels are looked up by name with a readable error.
 * Wrappers throw these errors before any wasm runs, so a bad call never surfaces as a trap.
 */
import type { Kernels } from '../load.js';

type KernelFn = (...args: number[]) => number | void;

/** The exported kernel `name`, or an error saying the build lacks it (a stale wasm build). */
export function kernel(k: Kernels, name: string): KernelFn {
  const f = k.exports[name];
  if (typeof f !== 'function') {
    throw new Error(`The ${k.isa} kernel module has no export "${name}"; rebuild it (npm run build:wasm).`);
  }
  return unwrapped(f as KernelFn);
}

/**
 * The WebAssembly function itself rather than @assemblyscript/loader's wrapper around it, which is
 * `(...args) => { setArgumentsLength(args.length); return f(...args); }`: an array per call, and a
 * length that only a module with optional parameters reads (through an __argumentsLength or
 * __setArgumentsLength export; our builds have none, which test/kernel-exports.test.ts checks, so
 * the wrapper's setArgumentsLength does nothing). Functions without `original` (a profiler's own
 * wrappers) are returned as they are.
 */
export function unwrapped<F extends (...args: never[]) => unknown>(f: F): F {
  return (f as F & { original?: F }).original ?? f;
}

/** Throws unless `n` is a non-negative safe integer; returns it. */
export function size(where: string, what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${where}: ${what} must be a non-negative integer, got ${n}`);
  }
  return n;
}

/** Throws unless `shape` is a list of non-negative integers; returns its element count. */
export function shapeSize(where: string, what: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${where}: ${what} [${shape.join(', ')}] must hold non-negative integers`);
    }
    n *= d;
  }
  return n;
}

/** Throws unless [ptr, ptr + bytes) lies inside linear memory. */
export function inMemory(k: Kernels, where: string, what: string, ptr: number, bytes: number): void {
  if (bytes === 0) return;
  const limit = k.memory.buffer.byteLength;
  if (!Number.isSafeInteger(ptr) || ptr < 0 || ptr + bytes > limit) {
    throw new RangeError(
      `${where}: ${what} [${ptr}, ${ptr + bytes}) is outside the ${limit}-byte kernel memory (wrong pointer or size?)`,
    );
  }
}

/** Row-major strides of a contiguous shape, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Largest rank the strided kernels accept after dims are collapsed. */
export const MAX_RANK = 16;

const scratch = new WeakMap<Kernels, number>();

/**
 * Writes the i32 lists (each `rank` long) into a scratch block owned by this Kernels (allocated once
 * from its arena), followed by `rank` zeroed i32s the kernel uses as loop counters. Returns the block.
 * Single-threaded use only, like everything that shares one Kernels.
 */
export function writeMeta(k: Kernels, lists: readonly (readonly number[])[]): number {
  let ptr = scratch.get(k);
  if (ptr === undefined) {
    ptr = k.arena.alloc(4 * MAX_RANK * 4);
    scratch.set(k, ptr);
  }
  const rank = lists[0]!.length;
  const view = new Int32Array(k.memory.buffer, ptr, 4 * MAX_RANK);
  let o = 0;
  for (const l of lists) for (let i = 0; i < rank; i++) view[o++] = l[i]!;
  for (let i = 0; i < rank; i++) view[o++] = 0;
  return ptr;
}

/** Throws unless every stride is an integer that fits an i32. */
export function checkStrides(where: string, what: string, strides: readonly number[]): void {
  for (const s of strides) {
    if (!Number.isSafeInteger(s) || s < -0x80000000 || s > 0x7fffffff) {
      throw new RangeError(`${where}: ${what} [${strides.join(', ')}] must hold 32-bit integers`);
    }
  }
}
