/** Text corpus, character vocabulary, LM batches and the synthetic sequence tasks. */
import { describe, expect, it } from 'vitest';
import { Generator } from '@deepwasm/nn';
import {
  ADDING_BASELINE_MSE, CharVocab, CORPORA, DIGIT_TOKENS, addingProblem, charLmBatches, corpusText, exactMatch, pulseSign, reverseDigits,
  sineSeries, splitStream, unigramEntropyBits,
} from '../src/index.js';

describe('bundled corpus and character vocabulary', () => {
  const text = corpusText();

  it('holds Moby-Dick chapters 1-10 (over 100,000 characters of prose), with its source named', () => {
    expect(text.length).toBeGreaterThan(100_000);
    expect(text.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael.')).toBe(true);
    expect(text).toContain('CHAPTER 10. A Bosom Friend.');
    const letters = text.match(/[A-Za-z]/g)!.length;
    expect(letters / text.length).toBeGreaterThan(0.75);
    expect(CORPORA[0]!.licence).toMatch(/public domain/);
    expect(() => corpusText('nope')).toThrow(/no corpus "nope"; bundled: moby-dick/);
  });

  it('encodes and decodes exactly, round-trips through JSON, and names unknown characters', () => {
    const vocab = CharVocab.fromText(text);
    expect(vocab.size).toBe(75);
    expect(vocab.chars.slice(0, 3)).toEqual(['\n', ' ', '!']);
    const ids = vocab.encode(text);
    expect(vocab.decode(ids)).toBe(text);
    const again = CharVocab.fromJSON(JSON.parse(JSON.stringify(vocab)));
    expect(Array.from(again.encode('Call me Ishmael.'))).toEqual(Array.from(vocab.encode('Call me Ishmael.')));
    expect(() => vocab.encode('whale€')).toThrow(/character "€" at position 5 is not in the vocabulary/);
    expect(() => vocab.decode([0, 99])).toThrow(/id 99 at position 1 is outside \[0, 75\)/);
  });

  it('has a unigram entropy like English (about 4.1-4.5 bits per character)', () => {
    const vocab = CharVocab.fromText(text);
    const h = unigramEntropyBits(vocab.encode(text), vocab.size);
    expect(h).toBeGreaterThan(4.0);
    expect(h).toBeLessThan(4.6);
    expect(unigramEntropyBits([1, 1, 1, 1], 3)).toBe(0);
    expect(unigramEntropyBits([0, 1, 2, 3], 4)).toBe(2);
  });

  it('makes time-major next-character batches, seeded, and splits train/validation contiguously', () => {
    const ids = Int32Array.from({ length: 1000 }, (_, i) => i % 50);
    const { train, validation } = splitStream(ids, 0.1);
    expect([train.length, validation.length]).toEqual([900, 100]);
    expect(validation[0]).toBe(ids[900]);
    const [a] = [...charLmBatches(train, { seqLen: 7, batchSize: 3, seed: 5 }, 1)];
    const [b] = [...charLmBatches(train, { seqLen: 7, batchSize: 3, seed: 5 }, 1)];
    const [c] = [...charLmBatches(train, { seqLen: 7, batchSize: 3, seed: 6 }, 1)];
    expect(Array.from(a!.input)).toEqual(Array.from(b!.input));
    expect(Array.from(a!.input)).not.toEqual(Array.from(c!.input));
    expect(a!.shape).toEqual([7, 3]);
    for (let t = 0; t < 6; t++) for (let j = 0; j < 3; j++) expect(a!.target[t * 3 + j]).toBe(a!.input[(t + 1) * 3 + j]);
    const seq = [...charLmBatches(ids, { seqLen: 4, batchSize: 2, shuffle: false }, 2)];
    expect(Array.from(seq[0]!.input)).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    expect(Array.from(seq[1]!.input.subarray(0, 2))).toEqual([8, 12]);
    expect(() => [...charLmBatches([1, 2], { seqLen: 4, batchSize: 1 }, 1)]).toThrow(/too short/);
  });
});

describe('synthetic sequence tasks', () => {
  it('adding problem: two markers per sequence, one in each half; target = marked sum; mean target ~1', () => {
    const T = 100, B = 2000;
    const { input, target, shape } = addingProblem(B, T, new Generator(1));
    expect(shape).toEqual([T, B, 2]);
    let mean = 0, sq = 0;
    for (let b = 0; b < B; b++) {
      const marks: number[] = [];
      for (let t = 0; t < T; t++) if (input[(t * B + b) * 2 + 1] === 1) marks.push(t);
      expect(marks.length).toBe(2);
      expect(marks[0]).toBeLessThan(50);
      expect(marks[1]).toBeGreaterThanOrEqual(50);
      expect(target[b]).toBeCloseTo(input[(marks[0]! * B + b) * 2]! + input[(marks[1]! * B + b) * 2]!, 6);
      mean += target[b]! / B;
    }
    for (let b = 0; b < B; b++) sq += (target[b]! - 1) ** 2 / B;
    expect(mean).toBeCloseTo(1, 1);
    expect(Math.abs(sq - ADDING_BASELINE_MSE)).toBeLessThan(0.02);
    expect(Array.from(addingProblem(3, 10, new Generator(4)).input)).toEqual(Array.from(addingProblem(3, 10, new Generator(4)).input));
    expect(Array.from(addingProblem(3, 10, new Generator(4)).input)).not.toEqual(Array.from(addingProblem(3, 10, new Generator(5)).input));
  });

  it('digit reversal: target is the reversed source then EOS; decoder input is BOS then the target', () => {
    const r = reverseDigits(4, 10, new Generator(2));
    for (let b = 0; b < 4; b++) {
      const src = Array.from({ length: 10 }, (_, t) => r.source[t * 4 + b]!);
      const tgt = Array.from({ length: 11 }, (_, t) => r.target[t * 4 + b]!);
      const dec = Array.from({ length: 11 }, (_, t) => r.decoderInput[t * 4 + b]!);
      expect(tgt).toEqual([...[...src].reverse(), DIGIT_TOKENS.EOS]);
      expect(dec).toEqual([DIGIT_TOKENS.BOS, ...[...src].reverse()]);
      expect(src.every((d) => d >= 0 && d <= 9)).toBe(true);
    }
    expect(exactMatch(r.target, r.target, 11, 4)).toBe(1);
    const wrong = r.target.slice();
    wrong[5 * 4 + 2] = (wrong[5 * 4 + 2]! + 1) % 10;
    expect(exactMatch(wrong, r.target, 11, 4)).toBe(0.75);
  });

  it('sine series: the next-step target is the clean series shifted by one; the future continues it', () => {
    const s = sineSeries(3, 40, 5, new Generator(3), 0);
    expect(s.shape).toEqual([40, 3, 1]);
    for (let t = 0; t < 39; t++) for (let b = 0; b < 3; b++) expect(s.nextStep[t * 3 + b]).toBeCloseTo(s.input[(t + 1) * 3 + b]!, 5);
    for (let b = 0; b < 3; b++) expect(s.future[b]).toBeCloseTo(s.nextStep[39 * 3 + b]!, 5);
    expect(s.future.length).toBe(15);
  });

  it('pulse sign: padded past each length, labels decided by the real pulses', () => {
    const p = pulseSign(500, 30, new Generator(4));
    let ones = 0;
    for (let b = 0; b < 500; b++) {
      const len = p.lengths[b]!;
      expect(len).toBeGreaterThanOrEqual(7);
      expect(len).toBeLessThanOrEqual(30);
      let total = 0;
      for (let t = 0; t < 30; t++) {
        const v = p.input[t * 500 + b]!;
        if (t >= len) expect(v).toBe(0);
        total += v;
      }
      expect(total).not.toBe(0);
      expect(p.labels[b]).toBe(total > 0 ? 1 : 0);
      ones += p.labels[b]!;
    }
    expect(ones).toBeGreaterThan(150);
    expect(ones).toBeLessThan(350);
  });
});
