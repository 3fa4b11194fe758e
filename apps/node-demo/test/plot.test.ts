/** The SVG line chart: linear and logarithmic y axes place points where they should. */
import { describe, expect, it } from 'vitest';
import { lineChartSvg } from '../src/plot.js';

const ys = (svg: string): number[] => {
  const pts = /<polyline points="([^"]+)"/.exec(svg)![1]!;
  return pts.split(' ').map((p) => Number(p.split(',')[1]));
};

describe('lineChartSvg', () => {
  it('spaces decades evenly on a log axis and values evenly on a linear one', () => {
    const log = ys(lineChartSvg([{ title: 't', log: true, series: [{ name: 's', values: [1, 10, 100], color: '#000' }] }]));
    expect(Math.abs((log[0]! - log[1]!) - (log[1]! - log[2]!))).toBeLessThan(0.2); // coordinates carry one decimal
    expect(log[0]).toBeGreaterThan(log[2]!); // larger values are higher up (smaller y)
    const lin = ys(lineChartSvg([{ title: 't', series: [{ name: 's', values: [1, 10, 100], color: '#000' }] }]));
    expect((lin[0]! - lin[1]!) / (lin[1]! - lin[2]!)).toBeCloseTo(9 / 90, 2);
  });

  it('labels log-axis ticks with the values, not their logarithms', () => {
    const svg = lineChartSvg([{ title: 't', log: true, series: [{ name: 's', values: [0.001, 0.1], color: '#000' }] }]);
    const labels = [...svg.matchAll(/text-anchor="end" font-size="11">([^<]+)</g)].map((m) => Number(m[1]));
    expect(Math.min(...labels)).toBeGreaterThan(0.0005);
    expect(Math.max(...labels)).toBeLessThan(0.2);
  });
});
