// A GRU layer's whole loop over time for a range of batch rows, as f32-lstm-sequence.ts does for the
// LSTM (see there why rows split with no barrier between steps and keep the per-step kernels' bits).
// gx [T, B, 3H]: input pre-activations in, activations (r, z, n) out; gh [T, B, 3H]: b_hh in, the
// recurrent pre-activations out (the backward pass reads h_n). hs [T + 1, B, H] as for the LSTM.
// whhT: W_hh^T packed (K = H, N = 3H); whh: W_hh packed (K = 3H, N = H).
import { f32_gemm_4x8_packed_b } from '../gemm/f32-gemm-4x8';
import { f32_gru_cell_backward, f32_gru_cell_forward } from './f32-gru-cell';
import { at } from './rows';

export function f32_gru_sequence_forward(
  gx: usize, gh: usize, hs: usize, whhT: usize, mask: usize, T: i32, B: i32, H: i32, b0: i32, b1: i32, reverse: i32, work: usize,
): void {
  const G = H * 3;
  const M = b1 - b0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t;
    const next = reverse ? t : t + 1;
    const row = t * B + b0;
    const hPrev = at(hs, prev * B + b0, H);
    f32_gemm_4x8_packed_b(0, M, G, H, 1.0, hPrev, H, whhT, 1.0, at(gh, row, G), G, work);
    f32_gru_cell_forward(at(gx, row, G), at(gh, row, G), hPrev, at(hs, next * B + b0, H), mask == 0 ? <usize>0 : at(mask, row, 1), M, H);
  }
}

/** dy [T, B, H]; dh [B, H]: the final state's gradient in, the initial one's out; dgx, dgh [T, B, 3H] out. */
export function f32_gru_sequence_backward(
  acts: usize, gh: usize, hs: usize, dy: usize, dh: usize, dgx: usize, dgh: usize, whh: usize, mask: usize,
  T: i32, B: i32, H: i32, b0: i32, b1: i32, reverse: i32, work: usize,
): void {
  const G = H * 3;
  const M = b1 - b0;
  const dhRows = at(dh, b0, H);
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t;
    const row = t * B + b0;
    const m = mask == 0 ? <usize>0 : at(mask, row, 1);
    f32_gru_cell_backward(at(acts, row, G), at(gh, row, G), at(hs, prev * B + b0, H), at(dy, row, H), dhRows, at(dgx, row, G), at(dgh, row, G), m, M, H);
    f32_gemm_4x8_packed_b(0, M, H, G, 1.0, at(dgh, row, G), G, whh, 1.0, dhRows, H, work);
  }
}
