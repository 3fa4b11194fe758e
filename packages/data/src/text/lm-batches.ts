/** Next-character prediction batches from an id stream: time-major windows and their one-step shift. */
import { Generator as Rng } from '@deepwasm/nn';

export interface LmBatch {
  /** [seqLen, batchSize] time-major: input[t * B + b]. */
  input: Int32Array;
  /** The input shifted by one character. */
  target: Int32Array;
  shape: [number, number];
}

export interface LmBatchOptions {
  seqLen: number;
  batchSize: number;
  /** Random window starts (seeded) instead of consecutive ones (default true). */
  shuffle?: boolean;
  seed?: number;
  generator?: Rng;
}

/** Splits an id stream into a training head and a validation tail (contiguous, so no window straddles them). */
export function splitStream(ids: Int32Array, validationFraction: number): { train: Int32Array; validation: Int32Array } {
  if (!(validationFraction > 0 && validationFraction < 1)) throw new Error(`splitStream: validationFraction must be in (0, 1), got ${validationFraction}`);
  const cut = Math.round(ids.length * (1 - validationFraction));
  return { train: ids.subarray(0, cut), validation: ids.subarray(cut) };
}

/** `count` batches of windows from `ids` (endless when count is Infinity). */
export function* charLmBatches(ids: ArrayLike<number>, opts: LmBatchOptions, count = Infinity): Generator<LmBatch> {
  const { seqLen: T, batchSize: B } = opts;
  const windows = ids.length - T;
  if (!Number.isInteger(T) || T < 1 || !Number.isInteger(B) || B < 1) throw new Error(`charLmBatches: seqLen and batchSize must be positive integers, got ${T} and ${B}`);
  if (windows < 1) throw new Error(`charLmBatches: a text of ${ids.length} ids is too short for windows of ${T} + 1`);
  const gen = opts.generator ?? new Rng(opts.seed ?? 0);
  const shuffle = opts.shuffle ?? true;
  let next = 0;
  for (let n = 0; n < count; n++) {
    const input = new Int32Array(T * B);
    const target = new Int32Array(T * B);
    for (let b = 0; b < B; b++) {
      let start: number;
      if (shuffle) start = gen.int(windows);
      else {
        if (next >= windows) next = 0;
        start = next;
        next += T;
      }
      for (let t = 0; t < T; t++) {
        input[t * B + b] = ids[start + t]!;
        target[t * B + b] = ids[start + t + 1]!;
      }
    }
    yield { input, target, shape: [T, B] };
  }
}
