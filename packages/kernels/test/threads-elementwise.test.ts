/** Elementwise, softmax, batch-norm and optimizer kernels split over threads: the same bits at 1, 2, 3 and 4 threads. */
import { describe, it } from 'vitest';
import {
  argmax, reduce, copyStrided, adadeltaUpdate, adagradUpdate, adamUpdate, rmspropUpdate, sgdUpdate, axpy, batchNormBackward, batchNormInference, batchNormMoments, binary, clamp, clampBackward, fill, loadKernels, logSoftmaxRows, scale,
  softmaxRows, softmaxRowsBackward, unary, unaryBackward, UNARY_OPS, type Isa,
} from '../src/index.js';
import { put, rng, uniform } from './support/arrays.js';
import { expectSameBitsAcrossThreads, splittingEverything } from './support/threads.js';

// Around the 16-float split unit, odd remainders, and one value.
const SIZES = [1, 15, 16, 17, 33, 100, 1031];

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`elementwise, softmax and batch norm across threads (${isa})`, () => {
    it('elementwise kernels', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(21);
      await splittingEverything(async () => {
        for (const n of SIZES) {
          const xs = uniform(rand, n, -3, 3);
          const x = put(k, xs), y = put(k, uniform(rand, n, 0.1, 2)), dy = put(k, uniform(rand, n, -1, 1));
          const out = k.arena.alloc(n * 4), out2 = k.arena.alloc(n * 4);
          const reset = () => {
            k.arena.f32(out, n).fill(NaN);
            k.arena.f32(out2, n).fill(0.5);
          };
          const check = (what: string, run: () => void) => expectSameBitsAcrossThreads(k, `${what} n=${n}`, reset, run, [[out, n], [out2, n]]);
          for (const op of Object.keys(UNARY_OPS) as Array<keyof typeof UNARY_OPS>) {
            await check(`unary ${op}`, () => {
              unary(k, op, out, x, n);
              unaryBackward(k, op, out2, dy, x, y, n);
            });
          }
          await check('binary', () => binary(k, 'mul', out, x, [n], y, [n]));
          await check('scale, axpy, fill', () => {
            scale(k, out, x, n, 1.5, -0.25);
            axpy(k, out2, x, n, 0.3);
            fill(k, out, Math.ceil(n / 2), 7);
          });
          await check('clamp', () => {
            clamp(k, out, x, n, -1, 1);
            clampBackward(k, out2, dy, x, n, -1, 1);
          });
        }
      });
    });

    it('broadcast binary ops: a row vector, a column vector or a scalar over a matrix, either side', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(26);
      await splittingEverything(async () => {
        for (const rows of [1, 2, 3, 17, 100]) {
          for (const cols of [1, 5, 16, 33]) {
            const n = rows * cols;
            const m = put(k, uniform(rand, n, -3, 3)), row = put(k, uniform(rand, cols, 0.5, 2));
            const col = put(k, uniform(rand, rows, 0.5, 2)), one = put(k, uniform(rand, 1, 0.5, 2));
            const out = k.arena.alloc(n * 4), out2 = k.arena.alloc(n * 4), out3 = k.arena.alloc(n * 4);
            const outs = [[out, n], [out2, n], [out3, n]] as const;
            const reset = () => outs.forEach(([p]) => k.arena.f32(p, n).fill(NaN));
            for (const op of ['add', 'sub', 'mul', 'div'] as const) {
              await expectSameBitsAcrossThreads(k, `${op} [${rows}, ${cols}] with [${cols}], [${rows}, 1], [1]`, reset, () => {
                binary(k, op, out, m, [rows, cols], row, [cols]);
                binary(k, op, out2, m, [rows, cols], col, [rows, 1]);
                binary(k, op, out3, m, [rows, cols], one, [1]);
              }, outs);
              await expectSameBitsAcrossThreads(k, `${op} [${cols}], [${rows}, 1], [1] with [${rows}, ${cols}]`, reset, () => {
                binary(k, op, out, row, [cols], m, [rows, cols]);
                binary(k, op, out2, col, [rows, 1], m, [rows, cols]);
                binary(k, op, out3, one, [1], m, [rows, cols]);
              }, outs);
            }
          }
        }
      });
    });

    it('optimizer updates', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(24);
      await splittingEverything(async () => {
        for (const n of SIZES) {
          const init = Array.from({ length: 6 }, () => uniform(rand, n, 0.01, 1));
          const [p, g, s1, s2, s3, s4] = init.map((v) => put(k, v));
          const reset = () => [p, g, s1, s2, s3, s4].forEach((ptr, i) => k.arena.f32(ptr!, n).set(init[i]!));
          const outs = [p, s1, s2, s3, s4].map((ptr) => [ptr!, n] as const);
          await expectSameBitsAcrossThreads(k, `optimizers n=${n}`, reset, () => {
            for (let step = 1; step <= 2; step++) {
              sgdUpdate(k, p!, g!, s1!, n, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: true, first: step === 1 });
              adamUpdate(k, p!, g!, s2!, s3!, s4!, n, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, amsgrad: true, step });
              adagradUpdate(k, p!, g!, s1!, n, { lr: 0.1, lrDecay: 0.01, eps: 1e-10, weightDecay: 0, step });
              rmspropUpdate(k, p!, g!, s2!, s3!, 0, n, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: true });
              adadeltaUpdate(k, p!, g!, s3!, s4!, n, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0.1 });
            }
          }, outs);
        }
      });
    });

    it('strided copies (permutes, broadcasts, slices)', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(25);
      await splittingEverything(async () => {
        const src = put(k, uniform(rand, 2 * 3 * 5 * 7, -1, 1));
        const dst = k.arena.alloc(4 * 2 * 3 * 5 * 7 * 4);
        const n = 4 * 2 * 3 * 5 * 7;
        const cases: Array<[string, number[], number[], number[]]> = [
          ['permute [2,3,5,7] -> [7,5,3,2]', [1, 7, 35, 105], [105, 35, 7, 1], [2, 3, 5, 7]],
          ['broadcast a row over 13 rows', [7, 1], [0, 1], [13, 7]],
          ['every other column of a [5, 7] slice', [4, 1], [7, 2], [5, 4]],
          ['reversed rows', [7, 1], [-7, 1], [6, 7]],
        ];
        for (const [what, ds, ss, shape] of cases) {
          const from = ss[0]! < 0 ? src + 5 * 7 * 4 : src;
          await expectSameBitsAcrossThreads(k, what, () => k.arena.f32(dst, n).fill(NaN), () => copyStrided(k, dst, ds, from, ss, shape), [[dst, n]]);
        }
      });
    });

    it('reductions along the outer axis', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(26);
      await splittingEverything(async () => {
        for (const [outer, n, inner] of [[1, 5, 1], [7, 33, 1], [5, 9, 21], [3, 1, 40], [13, 0, 3]]) {
          const x = put(k, uniform(rand, outer * n * inner, -1, 1));
          const out = k.arena.alloc(outer * inner * 4), idx = k.arena.alloc(outer * inner * 4);
          const reset = () => [out, idx].forEach((p) => k.arena.f32(p, outer * inner).fill(NaN));
          for (const op of ['sum', 'mean', 'max', 'min'] as const) {
            if (n === 0 && (op === 'max' || op === 'min')) continue;
            await expectSameBitsAcrossThreads(k, `reduce ${op} [${outer}, ${n}, ${inner}]`, reset, () => {
              reduce(k, op, out, x, outer, n, inner);
              if (n > 0) argmax(k, idx, x, outer, n, inner);
            }, [[out, outer * inner], [idx, outer * inner]]);
          }
        }
      });
    });

    it('softmax rows', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(22);
      await splittingEverything(async () => {
        for (const [rows, cols] of [[1, 1], [3, 7], [17, 10], [5, 1000]]) {
          const n = rows * cols;
          const x = put(k, uniform(rand, n, -5, 5)), dy = put(k, uniform(rand, n, -1, 1));
          const y = k.arena.alloc(n * 4), l = k.arena.alloc(n * 4), dx = k.arena.alloc(n * 4);
          await expectSameBitsAcrossThreads(k, `softmax ${rows}x${cols}`, () => k.arena.f32(dx, n).fill(NaN), () => {
            softmaxRows(k, y, x, rows, cols);
            logSoftmaxRows(k, l, x, rows, cols);
            softmaxRowsBackward(k, dx, dy, y, rows, cols);
          }, [[y, n], [l, n], [dx, n]]);
        }
      });
    });

    it('batch norm: moments, normalisation and gradients', async () => {
      const k = await loadKernels({ isa });
      const rand = rng(23);
      await splittingEverything(async () => {
        for (const [N, C, P] of [[1, 1, 1], [1, 5, 7], [3, 7, 9], [4, 3, 49], [2, 17, 1]]) {
          const n = N * C * P;
          const x = put(k, uniform(rand, n, -2, 3)), dy = put(k, uniform(rand, n, -1, 1));
          const weight = put(k, uniform(rand, C, 0.5, 2)), bias = put(k, uniform(rand, C, -1, 1));
          const mean = k.arena.alloc(C * 4), variance = k.arena.alloc(C * 4), y = k.arena.alloc(n * 4), dx = k.arena.alloc(n * 4);
          const dweight = k.arena.alloc(C * 4), dbias = k.arena.alloc(C * 4);
          const outs = [[mean, C], [variance, C], [y, n], [dx, n], [dweight, C], [dbias, C]] as const;
          await expectSameBitsAcrossThreads(k, `batch norm ${N}x${C}x${P}`, () => outs.forEach(([p, c]) => k.arena.f32(p, c).fill(NaN)), () => {
            batchNormMoments(k, x, N, C, P, mean, variance);
            batchNormInference(k, y, x, { N, C, P, mean, variance, weight, bias, eps: 1e-5 });
            batchNormBackward(k, x, dy, { N, C, P, mean, variance, weight, eps: 1e-5, dx, dweight, dbias });
          }, outs);
        }
      });
    });
  });
}
