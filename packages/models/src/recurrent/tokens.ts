/** Token batches for the sequence presets: time-major ids [T, B] with helpers to cut steps and sample. */
import type { Generator } from '@deepwasm/nn';

export interface Tokens {
  /** Row-major ids, time-major: indices[t * B + b]. */
  indices: ArrayLike<number>;
  shape: readonly [number, number];
}

export function tokens(indices: ArrayLike<number>, T: number, B: number): Tokens {
  if (indices.length !== T * B) throw new Error(`tokens: ${indices.length} ids do not fill [${T}, ${B}]`);
  return { indices, shape: [T, B] };
}

/** The ids of step t, [B]. */
export function stepIds(x: Tokens, t: number): { indices: Int32Array; shape: [number] } {
  const [, B] = x.shape;
  return { indices: Int32Array.from({ length: B }, (_, b) => x.indices[t * B + b]!), shape: [B] };
}

/**
 * A token from one row of logits: argmax when temperature is 0, else a sample from
 * softmax(logits / temperature) drawn with `generator` (seeded, so generation is reproducible).
 */
export function sampleFromLogits(logits: ArrayLike<number>, temperature: number, generator: Generator): number {
  if (!(temperature >= 0)) throw new Error(`sampling: temperature must be >= 0, got ${temperature}`);
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  if (temperature === 0) return best;
  const m = logits[best]!;
  const p = Float64Array.from({ length: logits.length }, (_, i) => Math.exp((logits[i]! - m) / temperature));
  let total = 0;
  for (const v of p) total += v;
  let u = generator.uniform() * total;
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return i;
  }
  return p.length - 1;
}
