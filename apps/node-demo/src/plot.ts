/** A dependency-free SVG line chart: one panel per metric, one line per series. */
export interface Series {
  name: string;
  values: readonly number[];
  color: string;
}

export interface Panel {
  title: string;
  series: readonly Series[];
  /** Format of axis labels (e.g. percent). */
  format?: (v: number) => string;
  /** Logarithmic y axis (positive values; for losses spanning decades, or a spike among small values). */
  log?: boolean;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function lineChartSvg(panels: readonly Panel[], xLabel = 'epoch'): string {
  const W = 460;
  const H = 300;
  const m = { l: 56, r: 16, t: 34, b: 44 };
  const parts: string[] = [];
  panels.forEach((panel, pi) => {
    const ox = pi * W;
    // A log axis plots log10 of the values and labels the ticks with the values themselves.
    const to = panel.log ? (v: number) => Math.log10(v) : (v: number) => v;
    const from = panel.log ? (v: number) => 10 ** v : (v: number) => v;
    const all = panel.series.flatMap((s) => s.values.map(to).filter(Number.isFinite));
    const n = Math.max(...panel.series.map((s) => s.values.length), 2);
    let lo = Math.min(...all);
    let hi = Math.max(...all);
    if (!(hi > lo)) {
      hi = lo + 1;
      lo -= 1;
    }
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    const fmt = panel.format ?? ((v: number) => v.toPrecision(3));
    const X = (i: number) => ox + m.l + ((W - m.l - m.r) * i) / (n - 1);
    const Yt = (t: number) => m.t + (H - m.t - m.b) * (1 - (t - lo) / (hi - lo));
    const Y = (v: number) => Yt(to(v));
    parts.push(`<text x="${ox + W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(panel.title)}</text>`);
    for (let t = 0; t <= 4; t++) {
      const v = lo + ((hi - lo) * t) / 4;
      parts.push(`<line x1="${ox + m.l}" x2="${ox + W - m.r}" y1="${Yt(v)}" y2="${Yt(v)}" stroke="#e5e5e5"/>`);
      parts.push(`<text x="${ox + m.l - 6}" y="${Yt(v) + 4}" text-anchor="end" font-size="11">${esc(fmt(from(v)))}</text>`);
    }
    const ticks = Math.min(n, 8);
    for (let t = 0; t < ticks; t++) {
      const i = Math.round(((n - 1) * t) / Math.max(1, ticks - 1));
      parts.push(`<text x="${X(i)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${i + 1}</text>`);
    }
    parts.push(`<text x="${ox + W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`);
    parts.push(`<rect x="${ox + m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`);
    panel.series.forEach((s, si) => {
      const pts = s.values.map((v, i) => `${X(i).toFixed(1)},${Y(v).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
      const ly = m.t + 14 + si * 16;
      parts.push(`<line x1="${ox + W - m.r - 110}" x2="${ox + W - m.r - 92}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`);
      parts.push(`<text x="${ox + W - m.r - 88}" y="${ly}" font-size="11">${esc(s.name)}</text>`);
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels.length}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}

/** A grid of 28x28 grey-scale digits with captions (e.g. "7→1"), as SVG. */
export function digitGridSvg(images: readonly Float32Array[], captions: readonly string[], side = 28, scale = 3, perRow = 10): string {
  const cell = side * scale;
  const rows = Math.max(1, Math.ceil(images.length / perRow));
  const parts: string[] = [];
  images.forEach((img, k) => {
    const ox = (k % perRow) * (cell + 10) + 5;
    const oy = Math.floor(k / perRow) * (cell + 24) + 5;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = img[y * side + x]!;
        if (v <= 0.02) continue;
        const g = Math.round(255 * (1 - Math.min(1, v)));
        parts.push(`<rect x="${ox + x * scale}" y="${oy + y * scale}" width="${scale}" height="${scale}" fill="rgb(${g},${g},${g})"/>`);
      }
    }
    parts.push(`<rect x="${ox}" y="${oy}" width="${cell}" height="${cell}" fill="none" stroke="#bbb"/>`);
    parts.push(`<text x="${ox + cell / 2}" y="${oy + cell + 16}" text-anchor="middle" font-size="13" font-family="sans-serif">${esc(captions[k] ?? '')}</text>`);
  });
  const width = Math.min(images.length, perRow) * (cell + 10) + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(width, 100)}" height="${rows * (cell + 24) + 10}">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}
