/** Principal components and a dependency-free SVG scatter plot coloured by class (node embeddings in 2-D). */

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

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Points [n, 2] coloured by class (labels < 0 are skipped), with a legend. */
export function scatterSvg(points: ArrayLike<number>, labels: ArrayLike<number>, classNames: readonly string[], title: string, subtitle = ''): string {
  const W = 640;
  const H = 560;
  const m = { l: 20, r: 150, t: 50, b: 20 };
  const n = labels.length;
  // Axes span the 1st to 99th percentile (a few far-out nodes would squeeze the rest); outliers sit on the border.
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    if (labels[i]! < 0) continue;
    xs.push(points[i * 2]!);
    ys.push(points[i * 2 + 1]!);
  }
  const q = (v: number[], p: number) => v.sort((a, b) => a - b)[Math.min(v.length - 1, Math.max(0, Math.round(p * (v.length - 1))))] ?? 0;
  let [x0, x1, y0, y1] = [q(xs, 0.01), q(xs, 0.99), q(ys, 0.01), q(ys, 0.99)];
  const [px, py] = [(x1 - x0) * 0.04, (y1 - y0) * 0.04];
  [x0, x1, y0, y1] = [x0 - px, x1 + px, y0 - py, y1 + py];
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const clip = (t: number) => Math.min(1, Math.max(0, t));
  const X = (v: number) => m.l + (W - m.l - m.r) * clip((v - x0) / (x1 - x0));
  const Y = (v: number) => H - m.b - (H - m.t - m.b) * clip((v - y0) / (y1 - y0));
  const parts: string[] = [
    `<text x="${(W - m.r) / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${(W - m.r) / 2}" y="40" text-anchor="middle" font-size="11" fill="#555">${esc(subtitle)}</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`,
  ];
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c < 0) continue;
    parts.push(`<circle cx="${X(points[i * 2]!).toFixed(1)}" cy="${Y(points[i * 2 + 1]!).toFixed(1)}" r="2.2" fill="${PALETTE[c % PALETTE.length]}" fill-opacity="0.75"/>`);
  }
  classNames.forEach((name, c) => {
    const y = m.t + 10 + c * 18;
    parts.push(`<circle cx="${W - m.r + 16}" cy="${y}" r="5" fill="${PALETTE[c % PALETTE.length]}"/>`);
    parts.push(`<text x="${W - m.r + 26}" y="${y + 4}" font-size="12">${esc(name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}
