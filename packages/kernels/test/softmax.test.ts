import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadKernels,
  logSoftmaxRows,
  logSoftmaxRowsBackward,
  softmaxRows,
  softmaxRowsBackward,
  type Kernels,
} from '../src/index.js';
import {
  refLogSoftmaxRows,
  refLogSoftmaxRowsBackward,
  refSoftmaxRows,
  refSoftmaxRowsBackward,
} from '../src/reference/softmax.js';
import { get, ISAS, mismatches, put, rng, SIZES, U, uniform } from './support/arrays.js';

const SHAPES: Array<[number, number]> = [
  ...SIZES.map((c): [number, number] => [3, c]),
  [1, 1],
  [64, 10],
  [5, 1000],
];

// exp is within ~2.5 ulp (see the elementwise suite); a sum of c positive terms in 8 lanes adds at
// most (c / 8 + 3) roundings relative to the sum; the final division adds one.
const relErr = (cols: number) => (8 + cols / 8) * U;

/** |x - rowmax(x)| per element: rounding x - max costs that times u, relatively, after exp. */
function spread(x: Float32Array, rows: number, cols: number): Float64Array {
  const d = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j]!);
    for (let j = 0; j < cols; j++) d[r * cols + j] = m - x[r * cols + j]!;
  }
  return d;
}

describe.each(ISAS)('softmax (%s)', (isa) => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels({ isa });
  });

  const run = (f: typeof softmaxRows, x: Float32Array, rows: number, cols: number, inPlace = false) => {
    const px = put(k, x);
    const py = inPlace ? px : k.arena.alloc(x.length * 4);
    f(k, py, px, rows, cols);
    const y = get(k, py, x.length);
    k.arena.free(px);
    if (!inPlace) k.arena.free(py);
    return y;
  };

  it('softmaxRows and logSoftmaxRows match float64 over every width', () => {
    const rand = rng(11);
    for (const [rows, cols] of SHAPES) {
      const x = uniform(rand, rows * cols, -30, 30);
      const e = relErr(cols);
      const d = spread(x, rows, cols);
      const y = run(softmaxRows, x, rows, cols);
      const tol = (i: number, w: number) => (e + d[i]! * U) * Math.abs(w) + 2 ** -146;
      expect(mismatches(`softmax ${rows}x${cols}`, y, refSoftmaxRows(x, rows, cols), { tol })).toBe('');
      // log-softmax: (x - max) is exact to one rounding, log(sum) has the sum's relative error as absolute error.
      const want = refLogSoftmaxRows(x, rows, cols);
      const l = run(logSoftmaxRows, x, rows, cols);
      expect(mismatches(`logSoftmax ${rows}x${cols}`, l, want, { tol: (_, w) => 2 * U * Math.abs(w) + e + 60 * U })).toBe('');
      expect(mismatches('softmax in place', run(softmaxRows, x, rows, cols, true), y)).toBe('');
      expect(mismatches('logSoftmax in place', run(logSoftmaxRows, x, rows, cols, true), l)).toBe('');
    }
  });

  it('handles -Inf rows with one finite entry, and gives NaN rows for +Inf, NaN or all -Inf', () => {
    const I = Infinity;
    const x = Float32Array.from([-I, -I, 3, -I, -I, -I, -I, -I, 1, I, 2, 0, 1, NaN, 2, 0, -I, -I, -I, -I, 1e30, -1e30, 0, 5]);
    const y = run(softmaxRows, x, 6, 4);
    expect(Array.from(y.subarray(0, 4))).toEqual([0, 0, 1, 0]);
    for (const v of y.subarray(4, 20)) expect(v).toBeNaN();
    expect(Array.from(y.subarray(20, 24))).toEqual([1, 0, 0, 0]);
    const l = run(logSoftmaxRows, x, 6, 4);
    expect(Array.from(l.subarray(0, 4))).toEqual([-I, -I, 0, -I]);
    for (const v of l.subarray(4, 20)) expect(v).toBeNaN();
    expect(l[20]).toBe(0);
    expect(l[21]).toBe(Math.fround(-2e30));
  });

  it('the backward passes match float64', () => {
    const rand = rng(12);
    for (const [rows, cols] of SHAPES) {
      const n = rows * cols;
      const x = uniform(rand, n, -5, 5);
      const dy = uniform(rand, n, -2, 2);
      for (const [fwd, bwd, ref, name] of [
        [softmaxRows, softmaxRowsBackward, refSoftmaxRowsBackward, 'softmax'],
        [logSoftmaxRows, logSoftmaxRowsBackward, refLogSoftmaxRowsBackward, 'logSoftmax'],
      ] as const) {
        const y = run(fwd, x, rows, cols);
        const pdy = put(k, dy);
        const py = put(k, y);
        const pdx = k.arena.alloc(n * 4);
        bwd(k, pdx, pdy, py, rows, cols);
        const want = ref(dy, y, rows, cols);
        // The row sum (of dy*y, or of dy) carries (c / 8 + 3) roundings of sum |terms|; it is then
        // scaled by y (softmax) or e^y (log-softmax), plus a few roundings of the result itself.
        const bound = new Float64Array(n);
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += Math.abs(dy[r * cols + j]! * (name === 'softmax' ? y[r * cols + j]! : 1));
          for (let j = 0; j < cols; j++) {
            const w = name === 'softmax' ? Math.abs(y[r * cols + j]!) : Math.exp(y[r * cols + j]!);
            bound[r * cols + j] = (cols / 8 + 4) * U * s * w * 1.01 + 4 * U * (Math.abs(dy[r * cols + j]!) * (1 + w) + w * s);
          }
        }
        expect(mismatches(`${name}' ${rows}x${cols}`, get(k, pdx, n), want, { tol: (i) => bound[i]! })).toBe('');
        bwd(k, pdy, pdy, py, rows, cols);
        expect(mismatches(`${name}' in place`, get(k, pdy, n), get(k, pdx, n))).toBe('');
        for (const p of [pdy, py, pdx]) k.arena.free(p);
      }
    }
  });

  it('treats empty matrices as no-ops and rejects negative sizes', () => {
    const p = put(k, [7]);
    softmaxRows(k, p, p, 0, 5);
    logSoftmaxRows(k, p, p, 3, 0);
    softmaxRowsBackward(k, p, p, p, 0, 0);
    expect(get(k, p, 1)[0]).toBe(7);
    expect(() => softmaxRows(k, p, p, -1, 2)).toThrow(/rows must be a non-negative integer/);
    expect(() => logSoftmaxRowsBackward(k, p, p, p, 2, 2.5)).toThrow(/cols/);
    k.arena.free(p);
  });
});
