/**
 * Winograd F(4x4, 3x3) inference (conv2dInference's 'winograd4' form) against a float64 direct sum
 * with the batch norm's scale and shift, a residual and ReLU, on awkward sizes: partial tiles at the
 * right and bottom edges, padding 0, 1 and 2, channel counts off the 4-row panels, batches whose
 * tile rows go in one chunk or in two (a chunk spanning images). The error bound is relative to each
 * output's sum of |x w| (the magnitude the float32 rounding scales with).
 */
import { describe, expect, it } from 'vitest';
import { conv2dInference, convInferenceForm, convWeightsFloats, loadKernels, prepareConvWeights, runTasks, setThreads, threadsStarted, type Conv2dGeometry, type Isa } from '../src/index.js';
import { get, put, rng, uniform } from './support/arrays.js';

// N, C, H, W, OC, pad
const SHAPES: Array<[number, number, number, number, number, number]> = [
  [1, 16, 14, 14, 16, 1], [2, 17, 9, 11, 19, 1], [1, 16, 18, 16, 24, 0], [2, 20, 13, 7, 16, 2], [4, 16, 5, 6, 18, 1], [1, 64, 28, 28, 33, 1],
  // 512 channels: two chunks of tile rows (9 + 3), the first spanning both images.
  [2, 512, 24, 24, 16, 1],
];
const ISAS: Isa[] = ['simd128', 'relaxed'];

/**
 * |y - ref| <= TOL (s |conv| terms: s * sum |x w|) + 1e-6 |ref| per output. F(4x4, 3x3)'s transforms
 * (entries up to 8 and 1/24) lose about 2-3 bits more than the direct sum; measured below 2e-6 here.
 */
const TOL = 1e-5;

/** The direct sums in float64 and each output's sum of |x w|, [N, OC, OH, OW]. */
function directSums(g: Conv2dGeometry, x: Float32Array, w: Float32Array) {
  const OH = g.H + 2 * g.padH - 2;
  const OW = g.W + 2 * g.padW - 2;
  const sum = new Float64Array(g.N * g.OC * OH * OW);
  const abs = new Float64Array(sum.length);
  for (let n = 0; n < g.N; n++) {
    for (let o = 0; o < g.OC; o++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let total = 0;
          let magnitude = 0;
          for (let c = 0; c < g.C; c++) {
            for (let i = 0; i < 3; i++) {
              const ih = oh + i - g.padH;
              if (ih < 0 || ih >= g.H) continue;
              for (let j = 0; j < 3; j++) {
                const iw = ow + j - g.padW;
                if (iw < 0 || iw >= g.W) continue;
                const p = x[((n * g.C + c) * g.H + ih) * g.W + iw]! * w[((o * g.C + c) * 3 + i) * 3 + j]!;
                total += p;
                magnitude += Math.abs(p);
              }
            }
          }
          const at = ((n * g.OC + o) * OH + oh) * OW + ow;
          sum[at] = total;
          abs[at] = magnitude;
        }
      }
    }
  }
  return { sum, abs, P: OH * OW };
}

for (const isa of ISAS) {
  describe(`conv2dInference, Winograd F(4x4, 3x3) (${isa})`, async () => {
    const k = await loadKernels({ isa });
    it.each(SHAPES)('N=%i C=%i %ix%i -> OC=%i, pad %i, against a float64 direct sum', (N, C, H, W, OC, pad) => {
      const g: Conv2dGeometry = { N, C, H, W, OC, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: pad, padW: pad, dilationH: 1, dilationW: 1, groups: 1 };
      expect(convInferenceForm(g)).toBe('winograd4');
      const OH = H + 2 * pad - 2;
      const OW = W + 2 * pad - 2;
      const r = rng(N * 1009 + C * 31 + H * 7 + OC);
      const x = uniform(r, N * C * H * W, -1, 1);
      const w = uniform(r, OC * C * 9, -0.5, 0.5);
      const s = uniform(r, OC, 0.5, 2);
      const t = uniform(r, OC, -1, 1);
      const res = uniform(r, N * OC * OH * OW, -1, 1);
      const px = put(k, x), pw = put(k, w), ps = put(k, s), pt = put(k, t), pr = put(k, res);
      const prepared = k.arena.alloc(convWeightsFloats(k, g, 'winograd4') * 4);
      prepareConvWeights(k, g, 'winograd4', pw, prepared);
      const py = k.arena.alloc(N * OC * OH * OW * 4);
      let worst = 0;
      const { sum, abs, P } = directSums(g, x, w);
      for (const [withResidual, relu] of [[false, false], [true, true], [false, true]] as const) {
        conv2dInference(k, g, px, prepared, { scale: ps, shift: pt, residual: withResidual ? pr : 0, relu }, py);
        const got = get(k, py, N * OC * OH * OW);
        for (let i = 0; i < sum.length; i++) {
          const o = Math.floor(i / P) % OC;
          let want = s[o]! * sum[i]! + t[o]! + (withResidual ? res[i]! : 0);
          if (relu) want = Math.max(0, want);
          const mag = Math.abs(s[o]!) * abs[i]!;
          const err = Math.abs(got[i]! - want);
          worst = Math.max(worst, (err - 1e-6 * Math.abs(want)) / Math.max(mag, 1e-30));
          if (!(err <= TOL * mag + 1e-6 * Math.abs(want))) {
            expect.fail(`output ${i} (residual ${withResidual}, relu ${relu}) is ${got[i]}, the float64 sum gives ${want} (bound ${TOL * mag + 1e-6 * Math.abs(want)})`);
          }
        }
      }
      expect(worst).toBeLessThan(TOL);
      for (const p of [px, pw, ps, pt, pr, prepared, py]) k.arena.free(p);
    });
  });
}

// One job a layer on several threads (f32_winograd_4x4_3x3_layer and its F(2x2) twin): a call that finds
// a phase's units all claimed waits for them to be done. If the thread holding one never finishes (it
// failed inside the unit, its error in the pool's control block, or the OS holds it), the waiting call
// gives up after 1-2 s and returns without touching the output: the threads still in the job
// finish every unit between them, and the pool's wait reports a failed or stalled thread.
describe('Winograd one-job layers: a call waiting on a unit that never finishes gives up', async () => {
  const k = await loadKernels({ isa: 'simd128' });
  it.each(['f32_winograd_4x4_3x3_layer', 'f32_winograd_2x2_3x3_layer'])('%s', (fn) => {
    const C = 8;
    const state = k.arena.alloc(64);
    const y = k.arena.alloc(64 * 4);
    k.arena.f32(y, 64).fill(7);
    // The input transform's one unit (cChunk = C) claimed by another call, not done.
    k.arena.i32(state, 16).set([1, 0, 0, 0, 0]);
    const scratch = k.arena.alloc(1 << 16);
    // x, C, H, W, padH, padW, th0, th1, tilesW, col, v, T, packed, perBytes, m, OC, [affine,] scale, shift, residual, relu, y, OH, OW, cChunk, oChunk, state, scratch
    const head = [0, C, 8, 8, 1, 1, 0, 2, 2, 0, 0, 4, 0, 0, 0, 4];
    const tail = [0, 0, 0, 0, y, 8, 8, C, 4, state, scratch];
    const args = fn === 'f32_winograd_2x2_3x3_layer' ? [...head, 0, ...tail] : [...head, ...tail];
    (k.exports[fn] as (...a: number[]) => void)(...args);
    expect(Array.from(k.arena.i32(state, 5)), 'phase counters: one more look at the input units, nothing done').toEqual([2, 0, 0, 0, 0]);
    expect(Array.from(k.arena.f32(y, 64)).every((v) => v === 7), 'output untouched').toBe(true);
    for (const p of [state, y, scratch]) k.arena.free(p);
  });
});

// The same through the pool: one input unit (the last channel, read past the end of memory) traps in
// whichever thread claims it; the other thread, its units done, waits for that one, gives up, and the
// job ends with the trap's error in the caller instead of a spin. The pool keeps working.
it('a Winograd one-job layer whose unit fails on one thread ends in an error in the caller, not a hang', async () => {
  const k = await loadKernels({ isa: 'simd128' });
  setThreads(k, 2);
  await threadsStarted(k);
  const [C, H, W, T] = [16, 8, 8, 4];
  const v = k.arena.alloc(36 * C * T * 4);
  const state = k.arena.alloc(64);
  const scratchBytes = 1 << 16;
  // The threads' scratch blocks first, so that memory does not grow between choosing x and the job.
  runTasks(k, [{ fn: 'f32_vfill', args: [v, 16, 0] }, { fn: 'f32_vfill', args: [v + 64, 16, 0] }], scratchBytes);
  const x = k.memory.buffer.byteLength - (C - 1) * H * W * 4;
  k.arena.i32(state, 16).fill(0);
  // x, C, H, W, padH, padW, th0, th1, tilesW, col, v, T, packed, perBytes, m, OC, scale, shift, residual, relu, y, OH, OW, cChunk (1), oChunk, state
  const args = [x, C, H, W, 1, 1, 0, 2, 2, 0, v, T, 0, 0, 0, 4, 0, 0, 0, 0, 0, 8, 8, 1, 4, state, 0];
  const task = { fn: 'f32_winograd_4x4_3x3_layer', args, scratch: args.length - 1 };
  expect(() => runTasks(k, [task, task], scratchBytes)).toThrow(/deepwasm threads: a kernel failed: .*memory access out of bounds/);
  expect(k.arena.i32(state, 2)[1], 'input units done: all but the failed one').toBe(C - 1);
  runTasks(k, [{ fn: 'f32_vfill', args: [v, 16, 2] }, { fn: 'f32_vfill', args: [v + 64, 16, 2] }]);
  expect(Array.from(k.arena.f32(v, 32)).every((e) => e === 2), 'a job after the failure').toBe(true);
  setThreads(k, 1);
  for (const p of [v, state]) k.arena.free(p);
});
