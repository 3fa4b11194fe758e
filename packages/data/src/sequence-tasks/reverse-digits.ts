/**
 * Digit-string reversal, the classic sanity task for sequence-to-sequence models: the source is
 * `length` random digits, the target the same digits reversed and then EOS. Tokens: 0-9 are digits,
 * BOS starts decoding, EOS ends the target.
 */
import type { Generator } from '@deepwasm/nn';

export const DIGIT_TOKENS = { BOS: 10, EOS: 11, vocabSize: 12, sourceVocab: 10 } as const;

export interface ReverseBatch {
  /** [length, B] time-major digits. */
  source: Int32Array;
  /** [length + 1, B]: BOS then the reversed digits (teacher forcing input). */
  decoderInput: Int32Array;
  /** [length + 1, B]: the reversed digits then EOS. */
  target: Int32Array;
  batch: number;
  length: number;
}

export function reverseDigits(batch: number, length: number, generator: Generator): ReverseBatch {
  if (!Number.isInteger(length) || length < 1) throw new Error(`reverseDigits: length must be a positive integer, got ${length}`);
  const B = batch, L = length;
  const source = new Int32Array(L * B);
  const decoderInput = new Int32Array((L + 1) * B);
  const target = new Int32Array((L + 1) * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < L; t++) source[t * B + b] = generator.int(10);
    decoderInput[b] = DIGIT_TOKENS.BOS;
    for (let t = 0; t < L; t++) {
      const d = source[(L - 1 - t) * B + b]!;
      target[t * B + b] = d;
      decoderInput[(t + 1) * B + b] = d;
    }
    target[L * B + b] = DIGIT_TOKENS.EOS;
  }
  return { source, decoderInput, target, batch: B, length: L };
}

/** Fraction of rows whose decoded tokens [L + 1, B] equal the target exactly (EOS included). */
export function exactMatch(decoded: ArrayLike<number>, target: ArrayLike<number>, steps: number, batch: number): number {
  let ok = 0;
  for (let b = 0; b < batch; b++) {
    let same = true;
    for (let t = 0; t < steps && same; t++) same = decoded[t * batch + b] === target[t * batch + b];
    if (same) ok++;
  }
  return ok / batch;
}
