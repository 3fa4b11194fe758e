// An LSTM layer's whole loop over time for a range of batch rows: one call per thread instead of a
// parallel GEMM and a parallel cell pass per step. A batch row's states depend only on the same row
// of the states before, so rows b0..b1 run every step on their own, and the caller's threads take
// disjoint row ranges of one sequence with no barrier between the steps. Each step is the same
// per-row arithmetic as the one-step kernels (the packed-B GEMM over the range's rows, then the
// fused cell), and GEMM rows are cut in multiples of 4 by the caller, so every element is the same
// sum in the same order whatever the split: the bits do not depend on the thread count.
//
// Layouts (row-major f32, B the whole batch): gates [T, B, 4H]; hs and cs [T + 1, B, H] with the
// state before step t in slot t (forward) or t + 1 (reverse) and the state after it in the other;
// mask [T, B] of 0/1 or 0 for none; whhT is W_hh^T packed by f32_pack_b_panels (K = H, N = 4H),
// whh is W_hh packed the same way (K = 4H, N = H); work is this thread's GEMM workspace. Row ranges
// start at multiples of 4 (b0) when the bias gradient is summed here (group-sums.ts).
import { f32_gemm_4x8_packed_b } from '../gemm/f32-gemm-4x8';
import { addGroupSums, clearGroupSums } from './group-sums';
import { f32_lstm_cell_backward, f32_lstm_cell_forward } from './f32-lstm-cell';
import { at } from './rows';

/**
 * Forward over all T steps for rows b0..b1: gates hold the input projections on entry, the
 * activations (i, f, g, o) on return; the states after every step go to hs and cs. bias [4H]
 * (b_ih + b_hh) is added to each step's pre-activations after the recurrent product (0: none, or
 * already in the gates).
 */
export function f32_lstm_sequence_forward(
  gates: usize, hs: usize, cs: usize, whhT: usize, mask: usize, bias: usize, T: i32, B: i32, H: i32, b0: i32, b1: i32, reverse: i32, work: usize,
): void {
  const G = H << 2;
  const M = b1 - b0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t;
    const next = reverse ? t : t + 1;
    const gRow = at(gates, t * B + b0, G);
    const hPrev = at(hs, prev * B + b0, H);
    f32_gemm_4x8_packed_b(0, M, G, H, 1.0, hPrev, H, whhT, 1.0, gRow, G, work);
    const m = mask == 0 ? <usize>0 : at(mask, t * B + b0, 1);
    f32_lstm_cell_forward(gRow, at(cs, prev * B + b0, H), hPrev, at(cs, next * B + b0, H), at(hs, next * B + b0, H), m, M, H, bias);
  }
}

/**
 * Backward through all T steps for rows b0..b1 (last step first). dy [T, B, H] is the gradient of
 * the outputs; dh and dc [B, H] hold the gradient of the final states on entry and of the initial
 * ones on return; dgates [T, B, 4H] receives the gradient of every step's pre-activations. dbias
 * [ceil(B / 4), 4H] (0: none) receives each group of 4 rows' sum of them over the steps, in step
 * order (b0 must then be a multiple of 4); the bias gradient is their sum over the groups.
 */
export function f32_lstm_sequence_backward(
  acts: usize, cs: usize, dy: usize, dh: usize, dc: usize, dgates: usize, whh: usize, mask: usize, dbias: usize,
  T: i32, B: i32, H: i32, b0: i32, b1: i32, reverse: i32, work: usize,
): void {
  const G = H << 2;
  const M = b1 - b0;
  const dhRows = at(dh, b0, H);
  const parts = dbias == 0 ? <usize>0 : at(dbias, b0 >> 2, G);
  if (parts != 0) clearGroupSums(parts, b0, b1, G);
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t;
    const next = reverse ? t : t + 1;
    const row = t * B + b0;
    const m = mask == 0 ? <usize>0 : at(mask, row, 1);
    const dG = at(dgates, row, G);
    f32_lstm_cell_backward(at(acts, row, G), at(cs, prev * B + b0, H), at(cs, next * B + b0, H), at(dy, row, H), dhRows, at(dc, b0, H), dG, m, M, H);
    if (parts != 0) addGroupSums(dG, parts, b0, b1, G);
    f32_gemm_4x8_packed_b(0, M, H, G, 1.0, dG, G, whh, 1.0, dhRows, H, work);
  }
}
