/**
 * The recurrent-network tasks as the demo runs them, on the bit-reproducible plain SIMD build: the
 * adding problem at length 100 (LSTM below 0.01, tanh RNN near the 0.167 baseline), a character
 * language model well under the unigram entropy that writes real words, and seq2seq with attention
 * reversing 10-digit strings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { corpusText } from '@deepwasm/data';
import { runAddingTask, runCharLmTask, runReverseTask } from '../src/tasks/index.js';

const quiet = { progress: false, log: () => undefined };

beforeAll(async () => {
  await nn.ready({ isa: 'simd128' });
});

describe('sequence tasks', () => {
  it('adding problem, length 100: the LSTM gets below 0.01 MSE while a tanh RNN of the same size stays near 0.167', async () => {
    const r = await runAddingTask({ ...quiet, seed: 0 });
    expect(r.final.lstm).toBeLessThan(0.01);
    expect(r.final.rnn).toBeGreaterThan(0.12);
    // The RNN's whole second half stays at the baseline: it never found the dependency.
    const late = r.curves.rnn.slice(Math.floor(r.curves.rnn.length / 2));
    expect(Math.min(...late)).toBeGreaterThan(0.1);
    expect(r.curves.lstm.length).toBe(r.curves.rnn.length);
  }, 600_000);

  it('seq2seq with attention reverses 10-digit strings with at least 95% exact match', async () => {
    const r = await runReverseTask({ ...quiet, seed: 0, target: 0.97 });
    expect(r.exactMatch).toBeGreaterThanOrEqual(0.95);
  }, 600_000);

  it('the character LSTM gets clearly below the unigram entropy and generates mostly real words', async () => {
    const lines: string[] = [];
    const r = await runCharLmTask({ ...quiet, log: (l) => lines.push(l), seed: 0, hidden: 128, embed: 32, steps: 800, evalEvery: 200, sampleLength: 400, temperature: 0.5 });
    const final = r.validationBits[r.validationBits.length - 1]!;
    expect(r.unigramBits).toBeGreaterThan(4.3);
    expect(final).toBeLessThan(r.unigramBits - 1.2);
    const known = new Set(corpusText().toLowerCase().match(/[a-z]+/g));
    const words = r.sample.toLowerCase().slice('call me '.length).match(/[a-z]+/g) ?? [];
    expect(words.length).toBeGreaterThan(40);
    const real = words.filter((w) => known.has(w)).length / words.length;
    expect(real, `${lines.join("\n")}`).toBeGreaterThan(0.5);
    r.model.dispose();
  }, 600_000);
});
