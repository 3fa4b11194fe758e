/** The progress bar's line fits the terminal: the bar shrinks first, then the end of the info is cut. */
import { describe, expect, it } from 'vitest';
import { ProgressBar, type ProgressWriter } from '../src/index.js';

const capture = (columns?: number, isTTY = true) => {
  const lines: string[] = [];
  const writer: ProgressWriter = { isTTY, columns, write: (s) => lines.push(...s.split('\n').map((l) => l.replace(/^\r\x1b\[2K/, '')).filter((l) => l !== '')) };
  return { writer, lines };
};

const barCells = (line: string) => (line.match(/[█░]/g) ?? []).length;

describe('ProgressBar', () => {
  it('keeps the full 28-cell bar when the line is short', () => {
    const { writer, lines } = capture(80);
    const bar = new ProgressBar(125, 'epoch 1/30', writer);
    bar.update(50, 'loss 0.3124');
    expect(lines[0]).toMatch(/^epoch 1\/30 █{11}░{17} 50\/125 eta \d+s {2}loss 0\.3124$/);
    expect(barCells(lines[0]!)).toBe(28);
  });

  it('shrinks the bar to fit 80 columns, then cuts the info with an ellipsis', () => {
    const { writer, lines } = capture(80);
    const summary = 'loss 0.0312 acc 99.02% val 0.0456 98.60% 5,123/s';
    new ProgressBar(125, 'epoch 100/100', writer).finish(summary);
    expect(lines[0]!.length).toBeLessThanOrEqual(79);
    expect(lines[0]).toContain(summary); // fits by shrinking the bar
    expect(barCells(lines[0]!)).toBeLessThan(28);
    const long = new ProgressBar(1_000_000, 'a long label for a bar', writer);
    long.update(999_999, 'x'.repeat(100));
    const line = lines[lines.length - 1]!;
    expect(line).toHaveLength(79);
    expect(line.endsWith('…')).toBe(true);
    expect(barCells(line)).toBe(6);
  });

  it('fits the width of the terminal it writes to, and 80 columns when it is not a terminal', () => {
    for (const columns of [40, 60, 100, 200]) {
      const { writer, lines } = capture(columns);
      const bar = new ProgressBar(3000, 'LSTM', writer);
      bar.update(1500, 'held-out MSE 0.0048 after 1500 steps and a bit more to say');
      expect(lines[0]!.length).toBeLessThanOrEqual(columns - 1);
    }
    const { writer, lines } = capture(undefined, false);
    new ProgressBar(10, 'x', writer).finish('y'.repeat(200));
    expect(lines[0]).toHaveLength(79);
  });

  it('shows the elapsed time instead of counts and ETA once finished', () => {
    const { writer, lines } = capture(80);
    new ProgressBar(40, 'GIN', writer).finish('train 99.0%, test 95.7%');
    expect(lines[0]).toMatch(/^GIN █{28} \d+s {2}train 99\.0%, test 95\.7%$/);
  });
});

describe('ProgressBar in a log (not a terminal)', () => {
  it('writes no line before 5 s and none at completion but finish()', () => {
    const { writer, lines } = capture(undefined, false);
    const bar = new ProgressBar(3, 'epoch 1/1', writer);
    bar.update(1, 'a');
    bar.update(3, 'b');
    expect(lines).toHaveLength(0);
    bar.finish('done');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^epoch 1\/1 █{28} \d+s {2}done$/);
  });
});
