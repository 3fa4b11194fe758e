import { describe, expect, it } from 'vitest';
import { loadMnist, mnistSplit, oneHot } from '../src/index.js';

describe('MNIST from the mnist package', () => {
  it('holds 10,000 real digits, about 1,000 per class, pixels in [0, 1]', () => {
    const d = loadMnist();
    expect(d.count).toBe(10000);
    expect(d.images.length).toBe(10000 * 784);
    const perClass = new Array(10).fill(0);
    for (const l of d.labels) perClass[l]++;
    expect(perClass).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of d.images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    // Real digits: about a fifth of the pixels are ink.
    const ink = d.images.reduce((s, v) => s + (v > 0.5 ? 1 : 0), 0) / d.images.length;
    expect(ink).toBeGreaterThan(0.08);
    expect(ink).toBeLessThan(0.3);
  });

  it('splits deterministically by seed, without overlap', () => {
    const a = mnistSplit({ seed: 1 });
    const b = mnistSplit({ seed: 1 });
    const c = mnistSplit({ seed: 2 });
    expect(a.train.count).toBe(8000);
    expect(a.test.count).toBe(2000);
    // Byte comparisons: toEqual walks 6.3 million floats one by one (over a minute on a loaded machine).
    const bytes = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    expect(bytes(a.train.y).equals(bytes(b.train.y))).toBe(true);
    expect(bytes(a.train.x).equals(bytes(b.train.x))).toBe(true);
    expect(bytes(a.test.x).equals(bytes(b.test.x))).toBe(true);
    expect(bytes(c.train.y).equals(bytes(a.train.y))).toBe(false);
    const key = (x: Float32Array, i: number) => bytes(x.subarray(i * 784, (i + 1) * 784)).toString('base64');
    const trainSet = new Set(Array.from({ length: a.train.count }, (_, i) => key(a.train.x, i)));
    let shared = 0;
    for (let i = 0; i < a.test.count; i++) if (trainSet.has(key(a.test.x, i))) shared++;
    // The package holds a handful of exact duplicate images; the split itself never reuses an index.
    expect(shared).toBeLessThan(10);
    expect(new Set(a.test.y).size).toBe(10);
    expect(mnistSplit({ sampleShape: [1, 28, 28] }).train.sampleShape).toEqual([1, 28, 28]);
    expect(() => mnistSplit({ train: 9000, test: 2000 })).toThrow('mnistSplit: 9000 train + 2000 test digits asked, the package has 10000');
  });

  it('makes one-hot rows', () => {
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHot([3], 3)).toThrow('oneHot: label 3 at 0 is outside [0, 3)');
  });
});
