/**
 * The backward pass of a Winograd F(2x2, 3x3) convolution (winograd.ts) in one job: the filter
 * gradient's tasks, the input gradient's tile tasks (each first makes sure the rotated filters are
 * transformed and packed, claiming units of them: f32_winograd_2x2_3x3_fused_packing) and the bias
 * sums. A filter-gradient task takes a fixed range of tile rows (and of output channels) and runs,
 * chunk by chunk in its thread's cache, the input transform of x, the transform of dY and the 16
 * GEMMs dU[xi] += D[xi] V[xi]^T, then dw = G^T dU G for its range; the last one to finish adds the
 * ranges' filter gradients in range order (f32_winograd_2x2_3x3_filter_grad_tiles). ResNet's 64 x 56
 * x 56 3x3 layer ran three jobs, the first writing x's and dY's transforms into two 3.2 MB buffers
 * that the 16 GEMMs read back (1.2x on two threads), after the filters on the calling thread. The
 * ranges depend on the geometry only, and every task computes its outputs as one call would, so the
 * bits do not depend on the threads.
 */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import { splitRange, threadsFor, type Task } from '../threads/index.js';
import type { Conv2dGeometry } from './conv.js';
import { runOrCall } from './conv-tasks.js';
import { fusedPlan, packingTasks, packUnits } from './winograd.js';

/** Tiles a chunk of a filter-gradient task aims at (whole tile rows: ResNet's 56 x 56, 2 rows of 28). */
const GRAD_TILES = 64;

/** Most tile ranges (each range's filter gradient is added to the others'), and most floats of their filter gradients (16 MB). */
const MAX_PARTS = 16;
const MAX_PART_FLOATS = 1 << 22;

/** Filter-gradient tasks aimed at when there are few tile ranges (then split by output channels). */
const GRAD_TASKS = 8;

/**
 * How the filter gradient splits, from the geometry alone: chunks of `rows` tile rows of the batch,
 * `ranges` of whole chunks (at least two a range, each range its own filter gradient), each cut
 * into `channels` ranges of output channels (each task transforms all of x over its tiles, so only
 * when the tiles give too few ranges: large channel counts on small images).
 */
export function filterGradSplit(g: Conv2dGeometry, OH: number, OW: number): { rows: number; ranges: Array<[number, number]>; channels: Array<[number, number]> } {
  const tilesW = Math.ceil(OW / 2);
  const tileRows = g.N * Math.ceil(OH / 2);
  const rows = Math.max(1, Math.min(tileRows, Math.floor(GRAD_TILES / tilesW)));
  const chunks = Math.ceil(tileRows / rows);
  const parts = Math.max(1, Math.min(MAX_PARTS, Math.floor(chunks / 2), Math.floor(MAX_PART_FLOATS / (9 * g.OC * g.C))));
  const ranges = splitRange(chunks, parts).map(([a, b]): [number, number] => [a * rows, Math.min(b * rows, tileRows)]);
  const channels = splitRange(g.OC, Math.max(1, Math.floor(GRAD_TASKS / ranges.length)), 4);
  return { rows, ranges, channels };
}

/**
 * The tasks in the order that balances the pool's blocks (a job is cut into one contiguous block of
 * tasks a thread, by count; a thread drains its block from the front, then takes what is left of
 * the others from their fronts): each task goes to the least loaded block with room, the costliest
 * first, and each block runs its costliest first, so the last tasks of a job, the ones a thread
 * finished early helps with, are the cheapest. The order changes no bits.
 */
function blockOrder(tasks: readonly Task[], cost: (t: Task) => number, threads: number): Task[] {
  if (threads <= 1) return [...tasks];
  const blocks = Math.min(threads, tasks.length);
  const room = Array.from({ length: blocks }, (_, b) => Math.floor(((b + 1) * tasks.length) / blocks) - Math.floor((b * tasks.length) / blocks));
  const load = new Array<number>(blocks).fill(0);
  const lists: Task[][] = Array.from({ length: blocks }, () => []);
  for (const t of [...tasks].sort((a, b) => cost(b) - cost(a))) {
    let best = -1;
    for (let b = 0; b < blocks; b++) if (lists[b]!.length < room[b]! && (best < 0 || load[b]! < load[best]!)) best = b;
    lists[best]!.push(t);
    load[best]! += cost(t);
  }
  return lists.flat();
}

/**
 * dx, dw and db (each overwritten; dx and db may be 0) of a convolution winogradApplies accepts, in
 * one job; returns false, doing nothing, when dw is not wanted (the input gradient alone is
 * winogradFused's).
 */
export function conv2dBackwardWinograd(
  k: Kernels, g: Conv2dGeometry, x: number, w: number, dy: number, dx: number, dw: number, db: number, OH: number, OW: number,
): boolean {
  if (dw === 0) return false;
  const P = OH * OW;
  const tilesW = Math.ceil(OW / 2);
  const tiles = g.N * Math.ceil(OH / 2) * tilesW;
  const threads = threadsFor(k, (dx !== 0 ? 32 : 16) * tiles * g.OC * g.C);
  const plan = dx !== 0 ? fusedPlan(k, { N: g.N, C: g.OC, H: OH, W: OW, padH: 2 - g.padH, padW: 2 - g.padW, OC: g.C, OH: g.H, OW: g.W }, dy, w, 1, 0, dx, threads, 0) : null;
  const { rows, ranges, channels } = filterGradSplit(g, OH, OW);
  // One range: its tasks write dw; else each range its own block, the last task to finish adds them in range order.
  const filters = g.OC * g.C * 9;
  const nparts = ranges.length;
  const parts = nparts > 1 ? k.arena.alloc(nparts * filters * 4) : 0;
  // i32 words zeroed: the filter-gradient tasks' counter, then a flag per unit of the packed filters.
  const units = plan !== null ? packUnits(plan) : 0;
  const ctl = k.arena.alloc((1 + units) * 4);
  k.arena.i32(ctl, 1 + units).fill(0);
  try {
    const grads: Task[] = [];
    ranges.forEach(([r0, r1], p) => {
      for (const [o0, o1] of channels) {
        const part = nparts > 1 ? parts + p * filters * 4 : dw;
        grads.push({
          fn: 'f32_winograd_2x2_3x3_filter_grad_tiles',
          args: [x, g.C, g.H, g.W, g.padH, g.padW, dy, g.OC, OH, OW, r0, r1, rows, o0, o1, part, parts, nparts, ctl, nparts * channels.length, dw, 0], scratch: 21,
        });
      }
    });
    const inputs = plan !== null ? packingTasks(plan, ctl + 4) : [];
    const sums: Task[] = db === 0 ? [] : splitRange(g.OC, threads).map(([c0, c1]) => ({ fn: 'f32_channel_sums', args: [dy, g.N, g.OC, P, c0, c1, db] }));
    const M = Math.max(...channels.map(([o0, o1]) => o1 - o0));
    const gradScratch = kernel(k, 'f32_winograd_2x2_3x3_filter_grad_scratch_bytes')(g.C, M, rows, tilesW) as number;
    // Multiply-adds (with transforms): a filter-gradient task's tiles x channels, an input-gradient tile task's, a bias sum's reads / 16.
    const cost = (t: Task): number => {
      const a = t.args;
      if (t.fn === 'f32_winograd_2x2_3x3_filter_grad_tiles') return (a[11]! - a[10]!) * tilesW * (a[14]! - a[13]!) * g.C;
      if (t.fn === 'f32_channel_sums') return ((a[5]! - a[4]!) * g.N * P) / 16;
      return (a[14]! - a[13]!) * a[15]! * g.OC * g.C;
    };
    runOrCall(k, threads, blockOrder([...grads, ...inputs, ...sums], cost, threads), Math.max(gradScratch, plan?.scratchBytes ?? 0));
  } finally {
    plan?.free();
    k.arena.free(ctl);
    if (parts !== 0) k.arena.free(parts);
  }
  return true;
}

/**
 * dw (overwritten) = the filter gradient of a convolution winogradApplies accepts, from x [N, C, H, W]
 * and dy [N, OC, OH, OW]: dU[xi] = sum over tiles of D[xi] V[xi]^T (16 GEMMs of OC x C over the
 * tiles, 2.25x fewer multiply-adds than dY · colsᵀ, and no column matrix), then dw = G^T dU G.
 */
export function conv2dFilterGradWinograd(k: Kernels, g: Conv2dGeometry, x: number, dy: number, dw: number, OH: number, OW: number): void {
  conv2dBackwardWinograd(k, g, x, 0, dy, 0, dw, 0, OH, OW);
}
