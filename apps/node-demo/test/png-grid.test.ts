/** PNG image grids: a valid PNG of the computed size that decodes back to the drawn grey levels and captions. */
import { describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import { gridPng, renderGrid } from '../src/images/png-grid.js';
import { GLYPH_HEIGHT } from '../src/images/font-5x7.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Image k: a horizontal ramp 0..1 over 4 x 3 pixels, shifted by k/10 (clamped). */
const ramp = (k: number) => Float32Array.from({ length: 12 }, (_, i) => (i % 3) / 2 + k / 10);

describe('png grid', () => {
  it('encodes a valid grey-scale PNG of the computed size that decodes back pixel for pixel', () => {
    const images = Array.from({ length: 7 }, (_, k) => ramp(k));
    const png = gridPng(images, { height: 4, width: 3, scale: 2, columns: 3, captions: images.map((_, k) => `${k}→${k + 1}`) });
    expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
    const { width, height, pixels } = renderGrid(images, { height: 4, width: 3, scale: 2, columns: 3, captions: images.map((_, k) => `${k}→${k + 1}`) });
    // 3 columns of (3*2 + 2 border + 6 gap) plus a 6 gap; 3 rows of (4*2 + 2 + caption 7+2+2 + 6) plus 6.
    expect(width).toBe(3 * (3 * 2 + 2 + 6) + 6);
    expect(height).toBe(3 * (4 * 2 + 2 + GLYPH_HEIGHT + 4 + 6) + 6);
    const back = decode(png);
    expect([back.width, back.height, back.channels, back.depth]).toEqual([width, height, 1, 8]);
    expect(Buffer.from(back.data).equals(Buffer.from(pixels))).toBe(true);
    expect(back.text.Description).toBe('0->1 1->2 2->3 3->4 4->5 5->6 6->7');
    // Image 0, pixel (row 0, column 1) = 0.5: grey 128 (ink on paper), at offset gap 6 + border 1 + 1*2.
    expect(back.data[(6 + 1) * width + 6 + 1 + 2]).toBe(128);
    // Image 0, column 2 = 1: black; column 0 = 0: white.
    expect(back.data[(6 + 1) * width + 6 + 1 + 4]).toBe(0);
    expect(back.data[(6 + 1) * width + 6 + 1]).toBe(255);
  });

  it('draws captions in black below each image, and none when there are no captions', () => {
    const images = [ramp(0), ramp(0)];
    const opts = { height: 4, width: 3, scale: 2, columns: 2 };
    const plain = renderGrid(images, opts);
    const captioned = renderGrid(images, { ...opts, captions: ['1', '7'] });
    const blackBelow = (g: { width: number; pixels: Uint8Array }, y0: number) => {
      let n = 0;
      for (let i = y0 * g.width; i < g.pixels.length; i++) n += g.pixels[i] === 0 ? 1 : 0;
      return n;
    };
    const below = 6 + 4 * 2 + 2;
    expect(blackBelow(plain, below)).toBe(0);
    // "1" has 10 lit font pixels, "7" has 11 (HD44780 glyphs).
    expect(blackBelow(captioned, below)).toBe(10 + 11);
  });

  it("stretches each image to its own range with range 'each' (filters), and ink false puts 1 in white", () => {
    const w = Float32Array.from([-0.3, 0, 0.3]);
    const g = renderGrid([w], { height: 1, width: 3, scale: 1, range: 'each', ink: false });
    const row = g.pixels.subarray(7 * g.width + 7, 7 * g.width + 10);
    expect([...row]).toEqual([0, 128, 255]);
  });

  it('rejects wrong sizes, caption counts and characters the font lacks, naming them', () => {
    expect(() => gridPng([new Float32Array(10)])).toThrow(/image 0 has 10 values, expected 28 x 28 = 784/);
    expect(() => gridPng([new Float32Array(4)], { height: 2, width: 2, captions: [] })).toThrow(/0 captions for 1 images/);
    expect(() => gridPng([new Float32Array(4)], { height: 2, width: 2, captions: ['A'] })).toThrow(/no "A"/);
    expect(() => gridPng([new Float32Array(4)], { height: 2, width: 2, scale: 0 })).toThrow(/scale must be a positive integer, got 0/);
    expect(() => gridPng([])).toThrow(/no images/);
  });
});
