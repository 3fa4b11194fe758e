/**
 * A many-to-one task with variable lengths: a sequence of pulses in {-1, 0, +1} (most steps 0) and
 * the label whether the pulses sum to more than zero. Sequences are zero-padded to the longest, so a
 * classifier that reads past its length (or misses the early pulses) gets them wrong.
 */
import type { Generator } from '@deepwasm/nn';

export interface PulseBatch {
  /** [T, B, 1] zero-padded pulses. */
  input: Float32Array;
  lengths: Int32Array;
  /** 1 when the pulses sum above 0, else 0. */
  labels: Int32Array;
  shape: [number, number, 1];
}

export function pulseSign(batch: number, maxLength: number, generator: Generator, minLength = Math.max(1, Math.floor(maxLength / 4))): PulseBatch {
  const B = batch, T = maxLength;
  const input = new Float32Array(T * B);
  const lengths = new Int32Array(B);
  const labels = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const len = minLength + generator.int(T - minLength + 1);
    lengths[b] = len;
    let total = 0;
    for (let t = 0; t < len; t++) {
      const u = generator.uniform();
      const v = u < 0.15 ? -1 : u < 0.3 ? 1 : 0;
      input[t * B + b] = v;
      total += v;
    }
    // Break a tie with one more pulse on a silent step (or by flipping a -1), so every label is decided.
    if (total === 0) {
      let t = 0;
      while (t < len && input[t * B + b] !== 0) t++;
      if (t < len) {
        const v = generator.uniform() < 0.5 ? -1 : 1;
        input[t * B + b] = v;
        total = v;
      } else {
        t = 0;
        while (input[t * B + b] !== -1) t++;
        input[t * B + b] = 1;
        total = 2;
      }
    }
    labels[b] = total > 0 ? 1 : 0;
  }
  return { input, lengths, labels, shape: [T, B, 1] };
}
