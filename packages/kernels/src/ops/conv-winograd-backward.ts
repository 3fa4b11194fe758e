/**
 * The backward pass of a Winograd F(2x2, 3x3) convolution (winograd.ts) in three jobs: the bias
 * gradient, the input gradient's filters (transformed and packed), the input transform of x and the
 * transform of dY for the filter gradient, all independent, in one job; the input gradient's tile
 * tasks beside the 16 GEMMs of the filter gradient dU[xi] = D[xi] V[xi]^T in the next; then dw = G^T dU G.
 * ResNet's 64 x 56 x 56 3x3 layer ran eight jobs and its bias sums on the calling thread. Every task
 * computes its outputs as one call over everything would, so the bits do not depend on the threads.
 */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import { gemmTasks } from './gemm.js';
import { PIECES_PER_THREAD, splitRange, threadsFor, type Task } from '../threads/index.js';
import type { Conv2dGeometry } from './conv.js';
import { runOrCall } from './conv-tasks.js';
import { fusedPlan, tileChunks, type Piece } from './winograd.js';

/** Tasks of a transform over a chunk's pieces: one per piece, or each cut into ranges of tile rows for several threads. */
function pieceTasks(pieces: readonly Piece[], tilesW: number, threads: number, task: (n: number, th0: number, th1: number, col: number) => Task): Task[] {
  const tasks: Task[] = [];
  for (const [n, th0, th1, col] of pieces) {
    const parts = threads > 1 ? Math.ceil((PIECES_PER_THREAD * threads) / pieces.length) : 1;
    for (const [a, b] of splitRange(th1 - th0, parts)) tasks.push(task(n, th0 + a, th0 + b, col + a * tilesW));
  }
  return tasks;
}

/**
 * dx, dw and db (each overwritten) of a convolution winogradApplies accepts whose tiles fit one
 * chunk (see tileChunks); returns false, doing nothing, when they do not or dx or dw is not wanted.
 */
export function conv2dBackwardWinograd(
  k: Kernels, g: Conv2dGeometry, x: number, w: number, dy: number, dx: number, dw: number, db: number, OH: number, OW: number,
): boolean {
  if (dx === 0 || dw === 0) return false;
  const tc = tileChunks(g.N, OH, OW, Math.max(g.C, g.OC));
  const chunks = [...tc.chunks()];
  if (chunks.length !== 1) return false;
  const { T, pieces } = chunks[0]!;
  const P = OH * OW;
  const threads = threadsFor(k, 32 * T * g.OC * g.C);
  const plan = fusedPlan(k, { N: g.N, C: g.OC, H: OH, W: OW, padH: 2 - g.padH, padW: 2 - g.padW, OC: g.C, OH: g.H, OW: g.W }, dy, w, 1, 0, dx, threads, 0);
  const v = k.arena.alloc(16 * g.C * T * 4);
  const d = k.arena.alloc(16 * g.OC * T * 4);
  const du = k.arena.alloc(16 * g.OC * g.C * 4);
  const imageIn = g.C * g.H * g.W * 4;
  const imageOut = g.OC * P * 4;
  try {
    const first: Task[] = [];
    if (db !== 0) for (const [c0, c1] of splitRange(g.OC, threads)) first.push({ fn: 'f32_channel_sums', args: [dy, g.N, g.OC, P, c0, c1, db] });
    first.push(...plan.prep);
    first.push(...pieceTasks(pieces, tc.tilesW, threads, (n, th0, th1, col) => ({
      fn: 'f32_winograd_2x2_3x3_input', args: [x + n * imageIn, g.C, g.H, g.W, g.padH, g.padW, th0, th1, tc.tilesW, v, T, col, 0], scratch: 12,
    })));
    first.push(...pieceTasks(pieces, tc.tilesW, threads, (n, th0, th1, col) => ({
      fn: 'f32_winograd_2x2_3x3_output_grad', args: [dy + n * imageOut, g.OC, OH, OW, th0, th1, tc.tilesW, d, T, col],
    })));
    runOrCall(k, threads, first, tc.planeFloats * 4);
    const second = [...plan.tasks];
    for (let xi = 0; xi < 16; xi++) {
      const at = (p: number, rows: number) => p + xi * rows * T * 4;
      second.push(...gemmTasks(k, 'f32_gemm_4x8', false, true, g.OC, g.C, T, 1, at(d, g.OC), T, at(v, g.C), T, 0, du + xi * g.OC * g.C * 4, g.C, threads));
    }
    runOrCall(k, threads, second, Math.max(plan.scratchBytes, kernel(k, 'gemm_workspace_bytes')() as number));
    // dw = G^T dU G, by output channels (each filter's values are the same).
    const last = splitRange(g.OC, threads > 1 ? threads * PIECES_PER_THREAD : 1).map(([o0, o1]): Task => ({
      fn: 'f32_winograd_2x2_3x3_filter_grad_rows', args: [du, g.OC, g.C, dw, o0, o1],
    }));
    runOrCall(k, threads, last, 0);
  } finally {
    plan.free();
    for (const ptr of [v, d, du]) k.arena.free(ptr);
  }
  return true;
}
