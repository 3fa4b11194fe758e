/**
 * The adding problem (Hochreiter & Schmidhuber 1997, in the form of Arjovsky et al. 2016): each step
 * carries a value uniform in [0, 1) and a marker; exactly two markers are 1, one in each half of the
 * sequence, and the target is the sum of the two marked values. The markers can be up to T - 1 steps
 * before the end, so the task measures how far back a network can carry information. Predicting the
 * mean (1) gives a mean squared error of Var(U + U) = 1/6 ≈ 0.167.
 */
import type { Generator } from '@deepwasm/nn';

export const ADDING_BASELINE_MSE = 1 / 6;

export interface AddingBatch {
  /** [T, B, 2] time-major: channel 0 the value, channel 1 the marker. */
  input: Float32Array;
  /** [B, 1]: the sum of the two marked values. */
  target: Float32Array;
  shape: [number, number, 2];
}

export function addingProblem(batch: number, length: number, generator: Generator): AddingBatch {
  if (!Number.isInteger(length) || length < 2) throw new Error(`addingProblem: length must be an integer >= 2, got ${length}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`addingProblem: batch must be a positive integer, got ${batch}`);
  const T = length, B = batch;
  const input = new Float32Array(T * B * 2);
  const target = new Float32Array(B);
  const half = Math.floor(T / 2);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) input[(t * B + b) * 2] = generator.uniform();
    const i = generator.int(half);
    const j = half + generator.int(T - half);
    input[(i * B + b) * 2 + 1] = 1;
    input[(j * B + b) * 2 + 1] = 1;
    target[b] = input[(i * B + b) * 2]! + input[(j * B + b) * 2]!;
  }
  return { input, target, shape: [T, B, 2] };
}
