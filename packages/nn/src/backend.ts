/**
 * The kernel module every tensor lives in. One per process (or worker): tensors from different
 * modules cannot meet, so the library keeps a single current backend.
 */
import { loadKernels, type Kernels, type LoadOptions } from '@deepwasm/kernels';

let current: Kernels | null = null;
let loading: Promise<Kernels> | null = null;

/** Loads the kernels (relaxed SIMD when the engine has it, else plain SIMD). Safe to call repeatedly. */
export async function ready(options?: LoadOptions): Promise<Kernels> {
  if (current !== null && options === undefined) return current;
  if (loading !== null && options === undefined) return loading;
  loading = loadKernels(options).then((k) => {
    current = k;
    return k;
  });
  try {
    return await loading;
  } finally {
    loading = null;
  }
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
