/**
 * The kernel module every tensor lives in. One per process (or worker): tensors from different
 * modules cannot meet, so the library keeps a single current backend. Its ops run on a number of
 * threads (`setNumThreads`, like torch.set_num_threads), all the machine's cores by default; the
 * results do not depend on that number.
 */
import { closeThreads, defaultThreadCount, loadKernels, setThreads, threadCount, threadsStarted, type Kernels, type LoadOptions } from '@deepwasm/kernels';

let current: Kernels | null = null;
let loading: Promise<Kernels> | null = null;
/** The count asked for with setNumThreads before the kernels were loaded. */
let requestedThreads: number | null = null;

export interface ReadyOptions extends LoadOptions {
  /**
   * Threads the ops run on, the calling one included: default all cores (os.availableParallelism()
   * in Node, navigator.hardwareConcurrency in browsers); 1 where SharedArrayBuffer is unavailable.
   */
  threads?: number;
}

/** Loads the kernels (relaxed SIMD when the engine has it, else plain SIMD) and starts their threads. Safe to call repeatedly. */
export async function ready(options?: ReadyOptions): Promise<Kernels> {
  if (current !== null && options === undefined) return current;
  if (loading !== null && options === undefined) return loading;
  loading = loadKernels(options).then(async (k) => {
    setThreads(k, options?.threads ?? requestedThreads ?? defaultThreadCount());
    await threadsStarted(k);
    // The module this replaces keeps working, on its calling thread only: its workers stop.
    if (current !== null && current !== k) closeThreads(current);
    current = k;
    return k;
  });
  try {
    return await loading;
  } finally {
    loading = null;
  }
}

/**
 * Sets the threads the ops run on (the calling one included), like torch.set_num_threads. Workers
 * start in the background; ops use them as they come up. Where SharedArrayBuffer is unavailable (a
 * page that is not cross-origin isolated) it stays at 1 and says once how to enable more.
 */
export function setNumThreads(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  requestedThreads = n;
  if (current !== null) setThreads(current, n);
}

/** Threads the ops run on (what setNumThreads or ready({ threads }) set, else all cores). */
export function getNumThreads(): number {
  if (current !== null) return threadCount(current);
  return requestedThreads ?? defaultThreadCount();
}

/** Uses an already loaded kernel module (tests load both builds and switch between them). */
export function useKernels(k: Kernels): void {
  current = k;
}

/** The current kernel module; throws a clear error when `await init()` has not run. */
export function kernels(): Kernels {
  if (current === null) {
    throw new Error('@deepwasm/nn: kernels are not loaded; call `await ready()` before creating tensors.');
  }
  return current;
}
