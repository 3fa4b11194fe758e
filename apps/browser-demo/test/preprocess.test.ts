/**
 * The drawing pad's MNIST preprocessing (lib/preprocess.ts) on real test digits: a digit enlarged to
 * the pad's 280x280 comes back as itself; drawn small in a corner, it comes back centred by mass
 * (within the half pixel of whole-pixel moves, as MNIST's own are), its longer side 20 pixels.
 */
import { describe, expect, it } from 'vitest';
import { mnistSplit } from '@deepwasm/data';
import { BOX, CENTRE, SIDE, centreOfMass, inkBox, toMnist } from '../src/lib/preprocess.js';

const { test } = mnistSplit({ train: 0, test: 50, seed: 0 });
const digit = (i: number) => test.x.subarray(i * 784, (i + 1) * 784);

/** A 28x28 digit drawn onto a width x height canvas, `scale` canvas pixels per pixel, its corner at (ox, oy). */
function paint(img: Float32Array, width: number, height: number, scale: number, ox: number, oy: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < 28 * scale; y++) {
    for (let x = 0; x < 28 * scale; x++) {
      const v = img[Math.floor(y / scale) * 28 + Math.floor(x / scale)]!;
      if (v > 0) out[(oy + y) * width + ox + x] = v;
    }
  }
  return out;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) (ma += a[i]! / a.length), (mb += b[i]! / b.length);
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('MNIST preprocessing of a drawn digit', () => {
  it('gives nothing for an empty pad', () => {
    expect(toMnist(new Float32Array(280 * 280), 280, 280)).toBeNull();
  });

  it('turns an enlarged MNIST digit back into itself (MNIST digits are already centred by mass in a 20x20 box)', () => {
    for (let i = 0; i < 20; i++) {
      const back = toMnist(paint(digit(i), 280, 280, 10, 0, 0), 280, 280)!;
      expect(correlation(back, digit(i)), `test digit ${i}`).toBeGreaterThan(0.95);
    }
  });

  it('centres a small off-centre digit by mass and scales its longer side to 20 pixels', () => {
    for (let i = 0; i < 20; i++) {
      const small = paint(digit(i), 280, 280, 3, 190 - i, 5 + 2 * i);
      const out = toMnist(small, 280, 280)!;
      const c = centreOfMass(out, SIDE);
      expect(Math.abs(c.x - CENTRE), `digit ${i}: centre x ${c.x}`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(c.y - CENTRE), `digit ${i}: centre y ${c.y}`).toBeLessThanOrEqual(0.5);
      const box = inkBox(out, SIDE, SIDE, 0)!;
      const side = Math.max(box.x1 - box.x0, box.y1 - box.y0);
      expect(side, `digit ${i}: box ${JSON.stringify(box)}`).toBeGreaterThanOrEqual(BOX);
      expect(side).toBeLessThanOrEqual(BOX + 1); // a box of 20 at a fractional offset covers 21 pixels
      expect(correlation(out, digit(i)), `digit ${i}`).toBeGreaterThan(0.8);
      for (const v of out) expect(v >= 0 && v <= 1).toBe(true);
    }
  });
});
