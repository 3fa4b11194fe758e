/** Kernels of the energy-based models (assembly/energy/): free-energy terms in one pass. */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';

/** out[r] = sum_j softplus(beta x[r, j]) for x [rows, cols] (softplus(y) = log(1 + e^y), overflow-free). */
export function softplusRowSum(k: Kernels, x: number, out: number, rows: number, cols: number, beta = 1): void {
  size('softplusRowSum', 'rows', rows);
  size('softplusRowSum', 'cols', cols);
  if (rows === 0) return;
  inMemory(k, 'softplusRowSum', 'x', x, rows * cols * 4);
  inMemory(k, 'softplusRowSum', 'out', out, rows * 4);
  kernel(k, 'f32_softplus_rowsum')(x, out, rows, cols, beta);
}
