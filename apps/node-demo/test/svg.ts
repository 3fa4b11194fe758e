/** Reading the SVG that Vega writes: parse it strictly, find axes, plot areas and legends with absolute positions. */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

export function parseSvg(svg: string): Document {
  const doc = new DOMParser({
    onError: (level, message) => {
      throw new Error(`SVG ${level}: ${message}`);
    },
  }).parseFromString(svg, 'image/svg+xml');
  if (doc.documentElement?.nodeName !== 'svg') throw new Error('not an SVG document');
  return doc;
}

export function elements(doc: Document | Element, tag = '*'): Element[] {
  return Array.from(doc.getElementsByTagName(tag));
}

const hasClass = (e: Element, cls: string) => (e.getAttribute('class') ?? '').split(' ').includes(cls);

/** Sum of the translate() of the element and all its ancestors (Vega positions everything by translation). */
export function absolute(e: Element): { x: number; y: number } {
  let x = 0, y = 0;
  for (let n: Element | null = e; n && n.nodeType === 1; n = n.parentNode as Element | null) {
    const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)/.exec(n.getAttribute?.('transform') ?? '');
    if (m) (x += Number(m[1])), (y += Number(m[2]));
  }
  return { x, y };
}

const inside = (e: Element, cls: string) => {
  for (let n = e.parentNode as Element | null; n && n.nodeType === 1; n = n.parentNode as Element | null) if (hasClass(n, cls)) return true;
  return false;
};

/** The tick labels of each axis whose aria-label starts with `which` ("X-axis" / "Y-axis"), as numbers. */
export function tickValues(doc: Document, which: 'X-axis' | 'Y-axis'): number[][] {
  return elements(doc, 'g')
    .filter((g) => (g.getAttribute('aria-label') ?? '').startsWith(which))
    .map((axis) =>
      elements(axis, 'g')
        .filter((g) => hasClass(g, 'role-axis-label'))
        .flatMap((g) => elements(g, 'text'))
        .filter((t) => (t.textContent ?? '') !== '') // log axes leave the minor ticks unlabelled
        .map((t) => {
          const s = (t.textContent ?? '').replace(/\u2212/g, '-').replace(/,/g, '');
          return s.endsWith('%') ? Number(s.slice(0, -1)) / 100 : Number(s);
        }),
    );
}

/** Plot areas: the framed backgrounds of the views (not of legends, axes or titles), each once. */
export function plotAreas(doc: Document): Array<{ x: number; y: number; w: number; h: number }> {
  const seen = new Set<string>();
  return elements(doc, 'path')
    .filter((p) => hasClass(p, 'background') && !inside(p, 'role-legend') && !inside(p, 'role-axis') && !inside(p, 'role-title'))
    .flatMap((p) => {
      const m = /^M([-\d.]+),([-\d.]+)h([\d.]+)v([\d.]+)/.exec(p.getAttribute('d') ?? '');
      if (!m || Number(m[3]) === 0 || Number(m[4]) === 0) return [];
      const o = absolute(p);
      const area = { x: o.x + Number(m[1]), y: o.y + Number(m[2]), w: Number(m[3]), h: Number(m[4]) };
      // A view's frame and the group of its marks share the rectangle (half a pixel apart).
      const key = [Math.floor(area.x), Math.floor(area.y), area.w, area.h].join();
      if (seen.has(key)) return [];
      seen.add(key);
      return [area];
    });
}

/** Top-left corner and entry labels of each legend. */
export function legends(doc: Document): Array<{ x: number; y: number; labels: string[] }> {
  return elements(doc, 'g')
    .filter((g) => hasClass(g, 'role-legend'))
    .map((g) => ({
      ...absolute(g.getElementsByTagName('g')[0] ?? g),
      labels: elements(g, 'g').filter((l) => hasClass(l, 'role-legend-label')).flatMap((l) => elements(l, 'text')).map((t) => t.textContent ?? ''),
    }));
}

export function textsOf(doc: Document): string[] {
  return elements(doc, 'text').map((t) => t.textContent ?? '');
}

/** True when the values are consecutive multiples of a step of 1, 2 or 5 times a power of ten. */
export function roundTicks(values: number[]): boolean {
  if (values.length < 2) return false;
  const step = Math.abs(values[1]! - values[0]!);
  const k = Math.floor(Math.log10(step) + 1e-9);
  const mantissa = step / 10 ** k;
  if (![1, 2, 5].some((r) => Math.abs(mantissa - r) < 1e-6)) return false;
  return values.every((v, i) => Math.abs(v / step - Math.round(v / step)) < 1e-6 && (i === 0 || Math.abs(Math.abs(v - values[i - 1]!) - step) < step * 1e-6));
}

/** True when every value has one significant digit (the labels of a log axis: 0.02, 0.03, 0.1, 0.2, 1). */
export function oneSignificantDigit(values: number[]): boolean {
  return values.length >= 2 && values.every((v) => {
    const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return v > 0 && Math.abs(mantissa - Math.round(mantissa)) < 1e-6;
  });
}
