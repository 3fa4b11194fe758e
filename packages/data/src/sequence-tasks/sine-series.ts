/**
 * Noisy sums of two sines with a random amplitude, frequency and phase per sequence: a forecasting
 * task where the model must infer each series' parameters from its history.
 */
import type { Generator } from '@deepwasm/nn';

export interface SeriesBatch {
  /** [T, B, 1] history. */
  input: Float32Array;
  /** [T, B, 1]: the next value after each history step (many-to-many training target). */
  nextStep: Float32Array;
  /** [horizon, B, 1]: the continuation after the history, noise-free. */
  future: Float32Array;
  shape: [number, number, 1];
  horizon: number;
}

export function sineSeries(batch: number, length: number, horizon: number, generator: Generator, noise = 0.05): SeriesBatch {
  const B = batch, T = length;
  const input = new Float32Array(T * B);
  const nextStep = new Float32Array(T * B);
  const future = new Float32Array(horizon * B);
  for (let b = 0; b < B; b++) {
    const f1 = 0.05 + 0.15 * generator.uniform(), f2 = 0.2 + 0.3 * generator.uniform();
    const p1 = 2 * Math.PI * generator.uniform(), p2 = 2 * Math.PI * generator.uniform();
    const a = 0.5 + 0.5 * generator.uniform();
    const clean = (t: number) => a * Math.sin(f1 * t + p1) + 0.3 * Math.sin(f2 * t + p2);
    for (let t = 0; t < T; t++) {
      input[t * B + b] = clean(t) + noise * generator.normal();
      nextStep[t * B + b] = clean(t + 1);
    }
    for (let h = 0; h < horizon; h++) future[h * B + b] = clean(T + h);
  }
  return { input, nextStep, future, shape: [T, B, 1], horizon };
}
