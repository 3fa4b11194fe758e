/**
 * Loads the kernels in the worker: relaxed SIMD when the browser validates it, else SIMD128, on every
 * core when the page is cross-origin isolated. No configuration: @deepwasm/kernels names each .wasm
 * with a literal new URL(..., import.meta.url), which Vite copies into dist/assets.
 */
import * as nn from '@deepwasm/nn';

export async function loadKernels(): Promise<{ isa: string; threads: number }> {
  const k = await nn.ready();
  return { isa: k.isa, threads: nn.getNumThreads() };
}
