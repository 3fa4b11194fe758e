/** Shared pieces of the training benchmarks: our step on each kernel build, timed by medians. */
import { closeThreads, defaultThreadCount, detectFeatures, loadKernels, setThreads, threadsStarted, type Kernels } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { time } from './stats.js';

export type Isa = 'simd128' | 'relaxed';

export function builds(): Isa[] {
  return detectFeatures().relaxedSimd ? ['simd128', 'relaxed'] : ['simd128'];
}

/** Thread counts every suite measures: 1 and 2, and all the cores when there are more. */
export function benchThreads(): number[] {
  return [...new Set([1, 2, defaultThreadCount()])];
}

/** The label of our variant: build and threads, e.g. "relaxed 2t". */
export function variant(isa: Isa, threads: number): string {
  return `${isa} ${threads}t`;
}

/** A kernel build on its own memory, with `threads` threads started. */
export async function loadOurs(isa: Isa, threads: number): Promise<Kernels> {
  const k = await loadKernels({ isa });
  setThreads(k, threads);
  await threadsStarted(k);
  return k;
}

/**
 * Samples/s of forward + backward + Adam (lr 1e-3) with cross-entropy, at the given batch, on one
 * kernel build. `make` builds the model; inputs are seeded random data.
 */
export async function ourTrainingRate(isa: Isa, make: () => nn.Module, inputShape: number[], quick: boolean, threads = 1): Promise<{ rate: number; ms: number }> {
  const k = await loadOurs(isa, threads);
  nn.useKernels(k);
  nn.manualSeed(0);
  const model = make();
  const opt = new nn.Adam(model.parameters(), { lr: 1e-3 });
  const x = nn.randn(inputShape).keep();
  const batch = inputShape[0]!;
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);
  const step = () =>
    nn.tidy(() => {
      opt.zeroGrad();
      const loss = nn.crossEntropy(model.forward(x), labels);
      loss.backward();
      opt.step();
    });
  const t = time(step, { warmup: 5, minSamples: quick ? 10 : 20, minSeconds: quick ? 1 : 3 });
  x.dispose();
  opt.dispose();
  model.dispose();
  closeThreads(k);
  return { rate: (batch * 1000) / t.medianMs, ms: t.medianMs };
}
