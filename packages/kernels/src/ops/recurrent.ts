/**
 * Fused recurrent cells, one time step for a batch (the GEMMs of a step run outside, on gemm()).
 * Pointers are byte offsets of contiguous row-major f32 buffers; `mask` is an f32 [B] of 0/1 (or 0
 * for none): rows with mask 0 carry their state through unchanged and get no gradient.
 */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';

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

/** LSTM step: gates [B,4H] pre-activations in, activations (i,f,g,o) out; writes c and h. */
export function lstmCellForward(k: Kernels, d: CellDims, gates: number, cPrev: number, hPrev: number, c: number, h: number, mask = 0): void {
  const w = 'lstmCellForward';
  dims(w, d);
  const n = d.B * d.H;
  check(k, w, 'gates', gates, 4 * n);
  for (const [what, p] of [['cPrev', cPrev], ['hPrev', hPrev], ['c', c], ['h', h]] as const) check(k, w, what, p, n);
  checkMask(k, w, mask, d.B);
  kernel(k, 'f32_lstm_cell_forward')(gates, cPrev, hPrev, c, h, mask, d.B, d.H);
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
  kernel(k, 'f32_rnn_cell_forward')(pre, hPrev, h, mask, d.B, d.H, nonlinearity === 'relu' ? 1 : 0);
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
  kernel(k, 'f32_rnn_cell_backward')(h, dy, dh, dpre, mask, d.B, d.H, nonlinearity === 'relu' ? 1 : 0);
}
