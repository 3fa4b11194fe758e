/**
 * Grids of grey-scale images (misclassified digits, RBM filters, generated samples) as PNG files,
 * encoded by fast-png (pure TypeScript with its types, encoder and decoder in one ESM package, deflate
 * by fflate; no native add-on, and it runs in browsers as well). Captions, when given, are drawn under
 * each image in a 5x7 pixel font (digits, a-z and a few signs) and also stored in the file's text chunk
 * (Latin-1, so "→" is written "->" there).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encode } from 'fast-png';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font-5x7.js';

export interface GridOptions {
  /** Height and width of every image in pixels (default 28 x 28). */
  height?: number;
  width?: number;
  /** Screen pixels per image pixel (default 2). */
  scale?: number;
  /** Images per row (default 10). */
  columns?: number;
  /** One caption per image, drawn under it (e.g. "7→1": true 7, predicted 1). */
  captions?: readonly string[];
  /**
   * How values become grey levels: 'unit' reads [0, 1] and clamps (pixel intensities, the default);
   * 'each' stretches each image from its own minimum to its maximum (weights such as RBM filters).
   */
  range?: 'unit' | 'each';
  /** Ink on paper: 1 is black on a white page, as digits are printed (default true); false: 1 is white. */
  ink?: boolean;
}

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, row-major, 0 black and 255 white. */
  pixels: Uint8Array;
}

const GAP = 6;
const BORDER = 0xc8;

function checkImages(images: readonly ArrayLike<number>[], h: number, w: number, o: GridOptions): void {
  if (images.length === 0) throw new Error('png grid: no images');
  for (const [name, v] of [['height', h], ['width', w], ['scale', o.scale ?? 2], ['columns', o.columns ?? 10]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`png grid: ${name} must be a positive integer, got ${v}`);
  }
  images.forEach((img, i) => {
    if (img.length !== h * w) throw new Error(`png grid: image ${i} has ${img.length} values, expected ${h} x ${w} = ${h * w}`);
  });
  if (o.captions !== undefined && o.captions.length !== images.length) {
    throw new Error(`png grid: ${o.captions.length} captions for ${images.length} images`);
  }
}

/** Draws the images side by side, `columns` per row, each framed in light grey with its caption below. */
export function renderGrid(images: readonly ArrayLike<number>[], options: GridOptions = {}): GreyImage {
  const h = options.height ?? 28, w = options.width ?? 28, scale = options.scale ?? 2, columns = options.columns ?? 10;
  checkImages(images, h, w, options);
  const ink = options.ink ?? true;
  const captions = options.captions;
  // The font grows with the images: 1 font pixel per screen pixel up to scale 2, then 2.
  const fs = scale >= 3 ? 2 : 1;
  const captionH = captions ? GLYPH_HEIGHT * fs + 2 * fs + 2 : 0;
  const cellW = w * scale + 2, cellH = h * scale + 2;
  const pitchX = cellW + GAP, pitchY = cellH + captionH + GAP;
  const cols = Math.min(columns, images.length), rows = Math.ceil(images.length / columns);
  const width = cols * pitchX + GAP, height = rows * pitchY + GAP;
  const pixels = new Uint8Array(width * height).fill(255);
  const set = (x: number, y: number, v: number) => {
    if (x >= 0 && x < width && y >= 0 && y < height) pixels[y * width + x] = v;
  };
  images.forEach((img, k) => {
    const ox = GAP + (k % columns) * pitchX, oy = GAP + Math.floor(k / columns) * pitchY;
    let lo = 0, hi = 1;
    if (options.range === 'each') {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < img.length; i++) (lo = Math.min(lo, img[i]!)), (hi = Math.max(hi, img[i]!));
      if (!(hi > lo)) hi = lo + 1;
    }
    for (let x = 0; x < cellW; x++) (set(ox + x, oy, BORDER), set(ox + x, oy + cellH - 1, BORDER));
    for (let y = 0; y < cellH; y++) (set(ox, oy + y, BORDER), set(ox + cellW - 1, oy + y, BORDER));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = img[y * w + x]!;
        const t = Number.isFinite(v) ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0;
        const g = Math.round(255 * (ink ? 1 - t : t));
        for (let dy = 0; dy < scale; dy++) pixels.fill(g, (oy + 1 + y * scale + dy) * width + ox + 1 + x * scale, (oy + 1 + y * scale + dy) * width + ox + 1 + (x + 1) * scale);
      }
    }
    const text = captions?.[k];
    if (text) {
      const chars = [...text];
      const textW = chars.length * (GLYPH_WIDTH + 1) * fs - fs;
      let cx = ox + Math.floor((cellW - textW) / 2);
      const cy = oy + cellH + fs + 2;
      for (const ch of chars) {
        const rowsOf = glyph(ch);
        for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
          for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
            if (!((rowsOf[gy]! >> (GLYPH_WIDTH - 1 - gx)) & 1)) continue;
            for (let py = 0; py < fs; py++) for (let px = 0; px < fs; px++) set(cx + gx * fs + px, cy + gy * fs + py, 0);
          }
        }
        cx += (GLYPH_WIDTH + 1) * fs;
      }
    }
  });
  return { width, height, pixels };
}

/** The grid encoded as an 8-bit grey-scale PNG; the captions also go into its text chunk ("Description"). */
export function gridPng(images: readonly ArrayLike<number>[], options: GridOptions = {}): Uint8Array {
  const { width, height, pixels } = renderGrid(images, options);
  const text: Record<string, string> = { Software: 'deepwasm' };
  // tEXt chunks are Latin-1: the arrow is spelled "->" there.
  if (options.captions) text.Description = options.captions.map((c) => c.replace(/→/g, '->')).join(' ');
  return encode({ width, height, data: pixels, channels: 1, depth: 8, text });
}

/** Writes the grid to `path` (folders created); returns the path. */
export async function writeGridPng(path: string, images: readonly ArrayLike<number>[], options: GridOptions = {}): Promise<string> {
  const png = gridPng(images, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, png);
  return path;
}
