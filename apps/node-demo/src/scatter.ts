/** Principal components and a scatter plot coloured by class (node embeddings, latent codes in 2-D). */
import type { TopLevelSpec } from 'vega-lite';
import { baseConfig, renderVegaLite } from './plot.js';

/** The rows of x [n, d] projected on their first two principal components (power iteration with deflation). */
export function pca2(x: ArrayLike<number>, n: number, d: number): { points: Float64Array; explained: [number, number] } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const va = x[i * d + a]! - mean[a]!;
      for (let b = a; b < d; b++) cov[a * d + b] += (va * (x[i * d + b]! - mean[b]!)) / n;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]!;
  let total = 0;
  for (let a = 0; a < d; a++) total += cov[a * d + a]!;
  const comps: Float64Array[] = [];
  const values: number[] = [];
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: d }, (_, j) => 1 + ((j * 7919) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < 500; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a] += cov[a * d + b]! * v[b]!;
      for (const u of comps) {
        const dot = w.reduce((s, wi, j) => s + wi * u[j]!, 0);
        for (let j = 0; j < d; j++) w[j] -= dot * u[j]!;
      }
      const norm = Math.hypot(...w) || 1;
      lambda = norm;
      v = w.map((wi) => wi / norm);
    }
    comps.push(v);
    values.push(lambda);
  }
  const points = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j]! - mean[j]!) * comps[c]![j]!;
      points[i * 2 + c] = s;
    }
  }
  return { points, explained: [values[0]! / (total || 1), values[1]! / (total || 1)] };
}

/**
 * Points [n, 2] coloured by class (labels < 0 are skipped), as SVG through Vega-Lite (see plot.ts), the
 * legend to the right of the plot. The axes span the 1st to 99th percentile of each coordinate (a few
 * far-out points would squeeze the rest); points beyond sit on the border.
 */
export async function scatterSvg(points: ArrayLike<number>, labels: ArrayLike<number>, classNames: readonly string[], title: string, subtitle = ''): Promise<string> {
  const n = labels.length;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    if (labels[i]! < 0) continue;
    xs.push(points[i * 2]!);
    ys.push(points[i * 2 + 1]!);
  }
  if (xs.length === 0) throw new Error('scatterSvg: no labelled points');
  const q = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.round(p * (v.length - 1))]!;
  const range = (v: number[]) => {
    let [lo, hi] = [q(v, 0.01), q(v, 0.99)];
    const pad = (hi - lo) * 0.04;
    [lo, hi] = [lo - pad, hi + pad];
    return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
  };
  const [x0, x1] = range(xs), [y0, y1] = range(ys);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const values = [];
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c < 0) continue;
    values.push({ x: clamp(points[i * 2]!, x0!, x1!), y: clamp(points[i * 2 + 1]!, y0!, y1!), class: classNames[c] ?? String(c) });
  }
  const spec = {
    ...baseConfig(title, subtitle || undefined),
    width: 460,
    height: 420,
    data: { values },
    mark: { type: 'circle', size: 14, opacity: 0.75, aria: false },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'component 1', scale: { domain: [x0, x1], nice: false, zero: false } },
      y: { field: 'y', type: 'quantitative', title: 'component 2', scale: { domain: [y0, y1], nice: false, zero: false } },
      color: { field: 'class', type: 'nominal', sort: classNames, legend: { symbolType: 'circle', symbolSize: 80 } },
    },
  };
  return renderVegaLite(spec as unknown as TopLevelSpec);
}
