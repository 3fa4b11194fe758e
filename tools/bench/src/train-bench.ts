/** Shared pieces of the training benchmarks: our step on each kernel build, timed by medians. */
import { detectFeatures, loadKernels } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { time } from './stats.js';

export type Isa = 'simd128' | 'relaxed';

export function builds(): Isa[] {
  return detectFeatures().relaxedSimd ? ['simd128', 'relaxed'] : ['simd128'];
}

/**
 * Samples/s of forward + backward + Adam (lr 1e-3) with cross-entropy, at the given batch, on one
 * kernel build. `make` builds the model; inputs are seeded random data.
 */
export async function ourTrainingRate(isa: Isa, make: () => nn.Module, inputShape: number[], quick: boolean): Promise<{ rate: number; ms: number }> {
  nn.useKernels(await loadKernels({ isa }));
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
  return { rate: (batch * 1000) / t.medianMs, ms: t.medianMs };
}
