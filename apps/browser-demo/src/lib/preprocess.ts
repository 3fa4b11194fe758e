/**
 * A drawn digit made to look like an MNIST digit, as LeCun et al. prepared theirs: the ink's bounding
 * box scaled (aspect kept, area-averaged, so edges turn grey) to fit a 20x20 box, then moved in the
 * 28x28 field by whole pixels so that its centre of mass falls on pixel 14 (MNIST's own digits have
 * theirs within half a pixel of it: the translation was by whole pixels). Pure functions on grey
 * levels in [0, 1] (1 = ink), so Node tests run them as they are.
 */
export const SIDE = 28;
export const BOX = 20;

/** Grey levels of a canvas's pixels: the ink is white on black, so the red channel is the ink. */
export function inkFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Float32Array {
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4]! / 255;
  return ink;
}

/** The bounding box of the pixels above `threshold`, or null when there is no ink. */
export function inkBox(ink: Float32Array, width: number, height: number, threshold = 0.05): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Where MNIST puts the centre of mass: on pixel 14, i.e. 14.5 in the coordinates of centreOfMass. */
export const CENTRE = 14.5;

/** Centre of mass (x, y) of a side x side image, in pixel-centre coordinates (pixel i covers [i, i+1)). */
export function centreOfMass(img: Float32Array, side: number): { x: number; y: number; mass: number } {
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = img[y * side + x]!;
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return m > 0 ? { x: mx / m, y: my / m, mass: m } : { x: side / 2, y: side / 2, mass: 0 };
}

/**
 * The 784 grey levels MNIST models expect, or null when nothing is drawn. Each output pixel is the
 * mean of the ink it covers (exact area weights along both axes).
 */
export function toMnist(ink: Float32Array, width: number, height: number): Float32Array | null {
  const box = inkBox(ink, width, height, 0.3);
  if (box === null) return null;
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const scale = BOX / Math.max(bw, bh); // output pixels per input pixel
  const ow = bw * scale, oh = bh * scale;
  const placed = resample(ink, width, box, scale, Math.floor((SIDE - ow) / 2), Math.floor((SIDE - oh) / 2));
  const c = centreOfMass(placed, SIDE);
  return shift(placed, Math.round(CENTRE - c.x), Math.round(CENTRE - c.y));
}

/** The image moved by whole pixels (dx right, dy down), zeros coming in. */
function shift(img: Float32Array, dx: number, dy: number): Float32Array {
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= SIDE) continue;
    for (let x = 0; x < SIDE; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < SIDE) out[y * SIDE + x] = img[sy * SIDE + sx]!;
    }
  }
  return out;
}

/** Area-weighted resampling of the box of `ink` into a 28x28 field, scaled by `scale`, its corner at (ox, oy). */
function resample(ink: Float32Array, width: number, box: { x0: number; y0: number; x1: number; y1: number }, scale: number, ox: number, oy: number): Float32Array {
  const out = new Float32Array(SIDE * SIDE);
  // Weights of each input column (row) over the output columns (rows) it overlaps.
  const spans = (from: number, to: number, offset: number) => {
    const list: Array<Array<[number, number]>> = [];
    for (let i = from; i < to; i++) {
      const a = offset + (i - from) * scale, b = a + scale;
      const parts: Array<[number, number]> = [];
      for (let o = Math.max(0, Math.floor(a)); o < Math.min(SIDE, Math.ceil(b)); o++) {
        const w = Math.min(b, o + 1) - Math.max(a, o);
        if (w > 0) parts.push([o, w]);
      }
      list.push(parts);
    }
    return list;
  };
  const cols = spans(box.x0, box.x1, ox);
  const rows = spans(box.y0, box.y1, oy);
  for (let y = box.y0; y < box.y1; y++) {
    const ry = rows[y - box.y0]!;
    for (let x = box.x0; x < box.x1; x++) {
      const v = ink[y * width + x]!;
      if (v === 0) continue;
      for (const [oyI, wy] of ry) for (const [oxI, wx] of cols[x - box.x0]!) out[oyI * SIDE + oxI] += v * wx * wy;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, out[i]!);
  return out;
}
