/**
 * Line charts of training curves as SVG, drawn by Vega-Lite: the spec is compiled by `vega-lite` and
 * rendered headless by `vega` (`View.toSVG()` needs no canvas and no browser). Vega's scales choose
 * the ticks (steps of 1, 2 or 5 times a power of ten, as d3 does), its legends sit to the right of the
 * plots, and every chart carries a title, which callers use for the final metric.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Series {
  name: string;
  values: readonly number[];
  /** The x of each value (default 1, 2, 3, ...); e.g. the step at which a held-out score was measured. */
  x?: readonly number[];
  /** Dashed (a reference level such as a baseline). */
  dashed?: boolean;
}

export interface Panel {
  /** Title of the panel (the metric on its y axis). */
  title: string;
  series: readonly Series[];
  /** Axis labels as percentages (values are fractions). */
  percent?: boolean;
  /** Logarithmic y axis (positive values; for losses spanning decades). */
  log?: boolean;
}

export interface LineChart {
  /** The chart's title; put the final metric in it ("test accuracy 98.2% after 30 epochs"). */
  title: string;
  subtitle?: string;
  /** Label of the shared x axis ("epoch", "step"). */
  xTitle: string;
  panels: readonly Panel[];
}

const FONT = 'Helvetica, Arial, sans-serif';
const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

/** Compiles a Vega-Lite spec and renders it to an SVG string (white background, no canvas needed). */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    // Vega writes coordinates to 15 digits; a hundredth of a pixel is plenty (a scatter of 2,708 points
    // shrinks by a third). Only geometry attributes are rounded, never the text of labels.
    const svg = await view.toSVG();
    return svg.replace(/ (transform|d|x|y|x1|x2|y1|y2)="([^"]*)"/g, (_, a: string, v: string) => ` ${a}="${v.replace(/(\.\d{2})\d+/g, '$1')}"`);
  } finally {
    view.finalize();
  }
}

/** Shared look: title at the left, legend outside the plots on the right, light grid. */
export function baseConfig(title: string, subtitle?: string) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    title: { text: title, ...(subtitle ? { subtitle } : {}), anchor: 'start', fontSize: 15, subtitleFontSize: 12, subtitleColor: '#555', offset: 14 },
    config: {
      font: FONT,
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8' },
      legend: { orient: 'right', labelFontSize: 12, symbolStrokeWidth: 3, symbolSize: 180, symbolType: 'stroke', title: null },
      header: { labelFontSize: 13 },
      view: { stroke: '#bbb' },
    },
  } as const;
}

export async function lineChartSvg(chart: LineChart): Promise<string> {
  if (chart.panels.length === 0) throw new Error('lineChartSvg: no panels');
  // One colour per series name across panels (Tableau 10, Vega's default); reference levels in grey.
  const names: string[] = [], colors: string[] = [];
  for (const s of chart.panels.flatMap((p) => p.series)) {
    if (names.includes(s.name)) continue;
    names.push(s.name);
    colors.push(s.dashed ? '#888888' : TABLEAU10[colors.filter((c) => c !== '#888888').length % TABLEAU10.length]!);
  }
  const panels = chart.panels.map((panel) => {
    const values = panel.series.flatMap((s) =>
      s.values.flatMap((v, i) => (Number.isFinite(v) && (!panel.log || v > 0) ? [{ x: s.x?.[i] ?? i + 1, y: v, series: s.name, dashed: s.dashed === true }] : [])),
    );
    if (values.length === 0) throw new Error(`lineChartSvg: panel "${panel.title}" has no finite values`);
    const xs = values.map((p) => p.x);
    return {
      width: 360,
      height: 220,
      title: { text: panel.title, fontSize: 13, fontWeight: 'normal' },
      data: { values },
      mark: { type: 'line', strokeWidth: 2, clip: true, aria: false },
      encoding: {
        x: {
          field: 'x', type: 'quantitative', title: chart.xTitle,
          scale: { domain: [Math.min(...xs), Math.max(...xs)], nice: false, zero: false },
          axis: { format: ',d', tickMinStep: 1 },
        },
        y: {
          field: 'y', type: 'quantitative', title: null,
          scale: panel.log ? { type: 'log', nice: false } : { zero: false, nice: true },
          axis: { format: panel.percent ? '~%' : '~g' },
        },
        color: { field: 'series', type: 'nominal', scale: { domain: names, range: colors } },
        strokeDash: { field: 'dashed', type: 'nominal', legend: null, scale: { domain: [false, true], range: [[1, 0], [6, 4]] } },
      },
    };
  });
  const spec = { ...baseConfig(chart.title, chart.subtitle), hconcat: panels, resolve: { scale: { color: 'shared' } } };
  return renderVegaLite(spec as unknown as TopLevelSpec);
}
