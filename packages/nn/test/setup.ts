/** Loads both kernel builds once per test file; suites run once per build. */
import { loadKernels, type Kernels } from '@deepwasm/kernels';
import { useKernels } from '../src/index.js';

export const builds: Array<{ isa: 'simd128' | 'relaxed'; load: () => Promise<Kernels> }> = [
  { isa: 'simd128', load: () => loadKernels({ isa: 'simd128' }) },
  { isa: 'relaxed', load: () => loadKernels({ isa: 'relaxed' }) },
];

export async function use(isa: 'simd128' | 'relaxed'): Promise<Kernels> {
  const k = await loadKernels({ isa });
  useKernels(k);
  return k;
}
