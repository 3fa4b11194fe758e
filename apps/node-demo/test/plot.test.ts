/**
 * Charts drawn through Vega-Lite: the SVG parses, the title carries the metric, the ticks are round
 * numbers (steps of 1, 2 or 5 times a power of ten), the legend sits outside the plot areas, and log
 * axes are labelled with values, not logarithms.
 */
import { describe, expect, it } from 'vitest';
import { lineChartSvg } from '../src/plot.js';
import { pca2, scatterSvg } from '../src/scatter.js';
import { legends, oneSignificantDigit, parseSvg, plotAreas, roundTicks, textsOf, tickValues } from './svg.js';

// A training run's awkward numbers: a loss ending at 0.00673, accuracies around 75.9%.
const epochs = 30;
const trainLoss = Array.from({ length: epochs }, (_, i) => 0.31 * Math.exp(-i / 6) + 0.00673);
const testLoss = Array.from({ length: epochs }, (_, i) => 0.35 * Math.exp(-i / 7) + 0.0411);
const trainAcc = Array.from({ length: epochs }, (_, i) => 0.759 + 0.23 * (1 - Math.exp(-i / 5)));
const testAcc = Array.from({ length: epochs }, (_, i) => 0.7591 + 0.2233 * (1 - Math.exp(-i / 6)));

const chart = () =>
  lineChartSvg({
    title: 'LeNet-5 on MNIST: test accuracy 98.24% after 30 epochs',
    subtitle: '8,000 training and 2,000 test digits',
    xTitle: 'epoch',
    panels: [
      { title: 'cross-entropy loss', series: [{ name: 'train', values: trainLoss }, { name: 'test', values: [NaN, ...testLoss.slice(1)] }] },
      { title: 'accuracy', percent: true, series: [{ name: 'train', values: trainAcc }, { name: 'test', values: testAcc }] },
    ],
  });

describe('lineChartSvg', () => {
  it('writes an SVG that parses, titled with the final metric', async () => {
    const doc = parseSvg(await chart());
    const texts = textsOf(doc);
    expect(texts).toContain('LeNet-5 on MNIST: test accuracy 98.24% after 30 epochs');
    expect(texts).toContain('8,000 training and 2,000 test digits');
    expect(texts).toEqual(expect.arrayContaining(['cross-entropy loss', 'accuracy', 'epoch']));
  });

  it('puts ticks on round numbers on both axes of every panel', async () => {
    const doc = parseSvg(await chart());
    const ys = tickValues(doc, 'Y-axis');
    const xs = tickValues(doc, 'X-axis');
    expect(ys).toHaveLength(2);
    expect(xs).toHaveLength(2);
    for (const t of [...ys, ...xs]) {
      expect(t.length).toBeGreaterThanOrEqual(3);
      expect(roundTicks(t), t.join(', ')).toBe(true);
    }
    // The loss axis covers the data (0.00673 .. 0.317); the accuracy axis is labelled in percent.
    expect(Math.min(...ys[0]!)).toBeLessThanOrEqual(0.00673);
    expect(Math.max(...ys[0]!)).toBeGreaterThanOrEqual(0.3);
    expect(Math.max(...ys[1]!)).toBeLessThanOrEqual(1);
    expect(xs[0]).toContain(30);
    expect(xs[0]!.every(Number.isInteger)).toBe(true);
  });

  it('draws one legend, to the right of every plot area', async () => {
    const doc = parseSvg(await chart());
    const areas = plotAreas(doc);
    expect(areas).toHaveLength(2);
    const [legend, ...more] = legends(doc);
    expect(more).toHaveLength(0);
    expect(legend!.labels).toEqual(['train', 'test']);
    for (const a of areas) expect(legend!.x).toBeGreaterThanOrEqual(a.x + a.w);
  });

  it('labels a log axis with values of one significant digit, not their logarithms', async () => {
    const curve = Array.from({ length: 22 }, (_, i) => 0.17 * Math.exp(-i / 4) + 0.002);
    const at = curve.map((_, i) => (i + 1) * 50);
    const doc = parseSvg(await lineChartSvg({
      title: 'Adding problem', xTitle: 'training step',
      panels: [{ title: 'MSE', log: true, series: [{ name: 'LSTM', values: curve, x: at }, { name: 'mean', values: curve.map(() => 0.167), x: at, dashed: true }] }],
    }));
    const [ys] = tickValues(doc, 'Y-axis');
    // The axis spans the data (0.0023 .. 0.172), not whole decades beyond it.
    expect(ys!.length).toBeGreaterThanOrEqual(4);
    expect(Math.min(...ys!)).toBeGreaterThanOrEqual(0.002);
    expect(Math.max(...ys!)).toBeLessThanOrEqual(0.2);
    expect(oneSignificantDigit(ys!), ys!.join(', ')).toBe(true);
    const [xs] = tickValues(doc, 'X-axis');
    expect(roundTicks(xs!)).toBe(true);
    expect(xs).toContain(1000); // "1,000"
  });

  it('rejects a chart with no finite values, naming the panel', async () => {
    await expect(lineChartSvg({ title: 't', xTitle: 'x', panels: [{ title: 'empty', series: [{ name: 's', values: [NaN] }] }] })).rejects.toThrow(/panel "empty" has no finite values/);
  });
});

describe('scatterSvg', () => {
  it('draws every labelled point, a class legend outside the plot, round ticks and the title', async () => {
    // Three well-separated clusters in 5-D, projected by PCA.
    const n = 300, d = 5;
    const x = new Float64Array(n * d), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 3;
      for (let j = 0; j < d; j++) x[i * d + j] = (j === labels[i] ? 4 : 0) + Math.sin(i * 12.9898 + j * 78.233) * 0.5;
    }
    labels[7] = -1; // unlabelled: not drawn
    const { points, explained } = pca2(x, n, d);
    expect(explained[0] + explained[1]).toBeGreaterThan(0.9);
    const svg = await scatterSvg(points, labels, ['a', 'b', 'c'], 'GCN on Cora: test accuracy 81.5%', 'subtitle');
    const doc = parseSvg(svg);
    expect(textsOf(doc)).toContain('GCN on Cora: test accuracy 81.5%');
    const symbols = svg.match(/<path transform="translate\([^)]*\)" d="M[\d.]+,0A/g) ?? [];
    expect(symbols.length - 3).toBe(n - 1); // the points, plus one circle per legend entry
    const [area] = plotAreas(doc);
    const [legend] = legends(doc);
    expect(legend!.labels).toEqual(['a', 'b', 'c']);
    expect(legend!.x).toBeGreaterThanOrEqual(area!.x + area!.w);
    for (const t of [...tickValues(doc, 'X-axis'), ...tickValues(doc, 'Y-axis')]) expect(roundTicks(t), t.join(', ')).toBe(true);
  });
});
