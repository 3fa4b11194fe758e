/** The quick kernel benchmark: our GEMM (plain and relaxed SIMD) against tfjs-wasm, side by side. */
import { formatTable, runGemmSuite } from '@deepwasm/bench';

export async function runKernelSummary(): Promise<void> {
  console.log('GEMM, single-threaded, medians (ratio > 1: faster than TensorFlow.js wasm / XNNPACK)\n');
  const rows = await runGemmSuite({ quick: true, log: (l) => console.log(l) });
  console.log(`\n${formatTable(rows)}`);
}
