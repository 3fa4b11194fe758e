/**
 * Live charts on uPlot (a small, fast canvas chart library for streaming series: it redraws thousands
 * of points in well under a millisecond and picks rounded ticks). The x range is fixed for the whole
 * run (0 to the planned epochs or steps), so the curves grow from left to right instead of the axes
 * rescaling under them; the y range is given per chart.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
  /** Draw points only, no line (a scatter plot). */
  pointsOnly?: boolean;
  /** Mark each point on the line (for sparse series, e.g. a test figure twice per epoch). */
  markPoints?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: SeriesSpec[];
  /** y range from the data's min and max (default: uPlot's own). */
  yRange?: (min: number, max: number) => [number, number];
  /** Tick labels on the y axis. */
  yFormat?: (v: number) => string;
  height?: number;
}

export class LiveChart {
  readonly plot: uPlot;
  private x: number[] = [];
  private ys: Array<Array<number | null>>;
  private xMax = 1;
  private xMin = 0;
  private queued = false;

  constructor(readonly el: HTMLElement, readonly spec: ChartSpec) {
    this.ys = spec.series.map(() => []);
    const yRange = spec.yRange;
    const opts: uPlot.Options = {
      title: spec.title,
      width: Math.max(280, el.clientWidth || 420),
      height: spec.height ?? 240,
      scales: {
        x: { time: false, range: () => [this.xMin, this.xMax] },
        y: yRange ? { range: (_u, min, max) => yRange(min ?? 0, max ?? 1) } : {},
      },
      axes: [
        { label: spec.xLabel, size: 40 },
        { label: spec.yLabel, size: 56, values: spec.yFormat ? (_u, ticks) => ticks.map((t) => spec.yFormat!(t)) : undefined },
      ],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: spec.xLabel },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          // A points-only series has no path, so its fill only colours its legend marker.
          fill: s.pointsOnly ? s.color : undefined,
          width: s.pointsOnly ? 0 : 2,
          dash: s.dash,
          spanGaps: true,
          paths: s.pointsOnly ? () => null : undefined,
          points: s.pointsOnly ? { show: true, size: 5, width: 0, fill: s.color, stroke: s.color } : s.markPoints ? { show: true, size: 6, fill: s.color } : { show: false },
        })),
      ],
    };
    this.plot = new uPlot(opts, [[], ...this.ys.map(() => [])] as uPlot.AlignedData, el);
    new ResizeObserver(() => {
      const w = Math.max(280, el.clientWidth);
      if (Math.abs(w - this.plot.width) > 4) this.plot.setSize({ width: w, height: this.plot.height });
    }).observe(el);
  }

  /** Empties the chart for a run whose x goes from xMin to xMax. */
  reset(xMax: number, xMin = 0): void {
    this.xMax = xMax;
    this.xMin = xMin;
    this.x = [];
    this.ys = this.spec.series.map(() => []);
    this.draw();
  }

  /** Appends one x with a value per series (null or undefined: none at this x). */
  add(x: number, values: ReadonlyArray<number | null | undefined>): void {
    const last = this.x.length - 1;
    if (last >= 0 && this.x[last] === x) {
      values.forEach((v, i) => {
        if (v !== null && v !== undefined) this.ys[i]![last] = v;
      });
    } else {
      this.x.push(x);
      this.ys.forEach((col, i) => col.push(values[i] ?? null));
    }
    this.schedule();
  }

  /** Replaces all the data (x ascending). */
  set(x: number[], ys: Array<Array<number | null>>): void {
    this.x = x;
    this.ys = ys;
    this.schedule();
  }

  /** Shows or hides series i (0-based, the x column not counted), in the plot and its legend. */
  showSeries(i: number, show: boolean): void {
    this.plot.setSeries(i + 1, { show });
  }

  /** Points drawn so far, per series. */
  counts(): number[] {
    return this.ys.map((col) => col.filter((v) => v !== null).length);
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.queued = false;
    this.plot.setData([this.x, ...this.ys] as uPlot.AlignedData);
  }
}

/** A round upper bound for a loss axis: 0.5, 1, 2, 2.5, 5 times a power of ten. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
