/**
 * Fused recurrent cells, one time step for a batch (the GEMMs of a step run outside, on gemm()).
 * Pointers are byte offsets of contiguous row-major f32 buffers; `mask` is an f32 [B] of 0/1 (or 0
 * for none): rows with mask 0 carry their state through unchanged and get no gradient.
 */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import { splitOver } from '../threads/index.js';

export interface CellDims {
  /** Batch rows. */
  B: number;
  /** Hidden size. */
  H: number;
}

function dims(where: string, d: CellDims): void {
  size(where, 'B', d.B);
  size(where, 'H', d.H);
}

function check(k: Kernels, where: string, what: string, ptr: number, floats: number): void {
  inMemory(k, where, what, ptr, floats * 4);
}

function checkMask(k: Kernels, where: string, mask: number, B: number): void {
  if (mask !== 0) check(k, where, 'mask', mask, B);
}

/**
 * Element visits a cell's pass is counted as, per hidden unit of a row, against the threads' size
 * threshold: a forward LSTM unit runs three sigmoids and two tanh (about 70 us for 32 x 128 here,
 * against 2-5 us for a dispatch), so a batch of 32 x 128 units splits.
 */
const CELL_COST = 64;

/**
 * Runs a cell kernel over ranges of batch rows on the threads (rows are independent: every row's
 * values are the same operations whatever the split). `rowArgs(b0)` gives the call's arguments with
 * each pointer moved to row b0 (`B` and `H` come last); returns false below the threshold.
 */
function byRows(k: Kernels, fn: string, d: CellDims, cost: number, rowArgs: (b0: number) => number[], tail: number[] = []): boolean {
  return splitOver(k, cost * d.B * d.H, d.B, 1, (b0, b1) => ({ fn, args: [...rowArgs(b0), b1 - b0, d.H, ...tail] }));
}

/** Moves a [B, width] row pointer (0 stays 0) to row b0. */
function row(p: number, b0: number, width: number): number {
  return p === 0 ? 0 : p + b0 * width * 4;
}

/**
 * LSTM step: gates [B,4H] pre-activations in, activations (i,f,g,o) out; writes c and h. bias: f32
 * [4H] added to every row's pre-activations first (0: none).
 */
export function lstmCellForward(k: Kernels, d: CellDims, gates: number, cPrev: number, hPrev: number, c: number, h: number, mask = 0, bias = 0): void {
  const w = 'lstmCellForward';
  dims(w, d);
  const n = d.B * d.H;
  check(k, w, 'gates', gates, 4 * n);
  for (const [what, p] of [['cPrev', cPrev], ['hPrev', hPrev], ['c', c], ['h', h]] as const) check(k, w, what, p, n);
  checkMask(k, w, mask, d.B);
  if (bias !== 0) check(k, w, 'bias', bias, 4 * d.H);
  const H = d.H;
  if (byRows(k, 'f32_lstm_cell_forward', d, CELL_COST, (b) => [row(gates, b, 4 * H), row(cPrev, b, H), row(hPrev, b, H), row(c, b, H), row(h, b, H), row(mask, b, 1)], [bias])) return;
  kernel(k, 'f32_lstm_cell_forward')(gates, cPrev, hPrev, c, h, mask, d.B, d.H, bias);
}

/** LSTM step backward: see assembly/recurrent/f32-lstm-cell.ts for the contract on dh and dc. */
export function lstmCellBackward(
  k: Kernels, d: CellDims, acts: number, cPrev: number, c: number, dy: number, dh: number, dc: number, dgates: number, mask = 0,
): void {
  const w = 'lstmCellBackward';
  dims(w, d);
  const n = d.B * d.H;
  check(k, w, 'acts', acts, 4 * n);
  check(k, w, 'dgates', dgates, 4 * n);
  for (const [what, p] of [['cPrev', cPrev], ['c', c], ['dh', dh], ['dc', dc]] as const) check(k, w, what, p, n);
  if (dy !== 0) check(k, w, 'dy', dy, n);
  checkMask(k, w, mask, d.B);
  const H = d.H;
  const rows = (b: number) => [row(acts, b, 4 * H), row(cPrev, b, H), row(c, b, H), row(dy, b, H), row(dh, b, H), row(dc, b, H), row(dgates, b, 4 * H), row(mask, b, 1)];
  if (byRows(k, 'f32_lstm_cell_backward', d, CELL_COST, rows)) return;
  kernel(k, 'f32_lstm_cell_backward')(acts, cPrev, c, dy, dh, dc, dgates, mask, d.B, d.H);
}

/** GRU step: gx [B,3H] input pre-activations in, activations (r,z,n) out; gh [B,3H] read; writes h. */
export function gruCellForward(k: Kernels, d: CellDims, gx: number, gh: number, hPrev: number, h: number, mask = 0): void {
  const w = 'gruCellForward';
  dims(w, d);
  const n = d.B * d.H;
  check(k, w, 'gx', gx, 3 * n);
  check(k, w, 'gh', gh, 3 * n);
  check(k, w, 'hPrev', hPrev, n);
  check(k, w, 'h', h, n);
  checkMask(k, w, mask, d.B);
  const H = d.H;
  if (byRows(k, 'f32_gru_cell_forward', d, CELL_COST, (b) => [row(gx, b, 3 * H), row(gh, b, 3 * H), row(hPrev, b, H), row(h, b, H), row(mask, b, 1)])) return;
  kernel(k, 'f32_gru_cell_forward')(gx, gh, hPrev, h, mask, d.B, d.H);
}

/** GRU step backward: writes dgx and dgh [B,3H]; dh becomes the direct part of the gradient of h'. */
export function gruCellBackward(
  k: Kernels, d: CellDims, acts: number, gh: number, hPrev: number, dy: number, dh: number, dgx: number, dgh: number, mask = 0,
): void {
  const w = 'gruCellBackward';
  dims(w, d);
  const n = d.B * d.H;
  for (const [what, p] of [['acts', acts], ['gh', gh], ['dgx', dgx], ['dgh', dgh]] as const) check(k, w, what, p, 3 * n);
  check(k, w, 'hPrev', hPrev, n);
  check(k, w, 'dh', dh, n);
  if (dy !== 0) check(k, w, 'dy', dy, n);
  checkMask(k, w, mask, d.B);
  const H = d.H;
  const rows = (b: number) => [row(acts, b, 3 * H), row(gh, b, 3 * H), row(hPrev, b, H), row(dy, b, H), row(dh, b, H), row(dgx, b, 3 * H), row(dgh, b, 3 * H), row(mask, b, 1)];
  if (byRows(k, 'f32_gru_cell_backward', d, CELL_COST, rows)) return;
  kernel(k, 'f32_gru_cell_backward')(acts, gh, hPrev, dy, dh, dgx, dgh, mask, d.B, d.H);
}

export type RnnNonlinearity = 'tanh' | 'relu';

/** Elman RNN step: h = act(pre). */
export function rnnCellForward(k: Kernels, d: CellDims, pre: number, hPrev: number, h: number, nonlinearity: RnnNonlinearity, mask = 0): void {
  const w = 'rnnCellForward';
  dims(w, d);
  const n = d.B * d.H;
  check(k, w, 'pre', pre, n);
  check(k, w, 'hPrev', hPrev, n);
  check(k, w, 'h', h, n);
  checkMask(k, w, mask, d.B);
  const relu = nonlinearity === 'relu' ? 1 : 0;
  const H = d.H;
  if (byRows(k, 'f32_rnn_cell_forward', d, CELL_COST / 4, (b) => [row(pre, b, H), row(hPrev, b, H), row(h, b, H), row(mask, b, 1)], [relu])) return;
  kernel(k, 'f32_rnn_cell_forward')(pre, hPrev, h, mask, d.B, d.H, relu);
}

/** Elman RNN step backward: dpre = (dh + dy) act'(pre), from the step's output h. */
export function rnnCellBackward(k: Kernels, d: CellDims, h: number, dy: number, dh: number, dpre: number, nonlinearity: RnnNonlinearity, mask = 0): void {
  const w = 'rnnCellBackward';
  dims(w, d);
  const n = d.B * d.H;
  check(k, w, 'h', h, n);
  check(k, w, 'dh', dh, n);
  check(k, w, 'dpre', dpre, n);
  if (dy !== 0) check(k, w, 'dy', dy, n);
  checkMask(k, w, mask, d.B);
  const relu = nonlinearity === 'relu' ? 1 : 0;
  const H = d.H;
  if (byRows(k, 'f32_rnn_cell_backward', d, CELL_COST / 4, (b) => [row(h, b, H), row(dy, b, H), row(dh, b, H), row(dpre, b, H), row(mask, b, 1)], [relu])) return;
  kernel(k, 'f32_rnn_cell_backward')(h, dy, dh, dpre, mask, d.B, d.H, relu);
}
