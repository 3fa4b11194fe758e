// An Elman RNN layer's whole loop over time for a range of batch rows, as f32-lstm-sequence.ts does
// for the LSTM. pre [T, B, H]: input projections (and biases) in, pre-activations out; hs
// [T + 1, B, H] as for the LSTM; whhT: W_hh^T packed (K = N = H), whh: W_hh packed.
import { f32_gemm_4x8_packed_b } from '../gemm/f32-gemm-4x8';
import { f32_rnn_cell_backward, f32_rnn_cell_forward } from './f32-rnn-cell';
import { at } from './rows';

export function f32_rnn_sequence_forward(
  pre: usize, hs: usize, whhT: usize, mask: usize, T: i32, B: i32, H: i32, b0: i32, b1: i32, reverse: i32, relu: i32, work: usize,
): void {
  const M = b1 - b0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t;
    const next = reverse ? t : t + 1;
    const row = t * B + b0;
    const hPrev = at(hs, prev * B + b0, H);
    f32_gemm_4x8_packed_b(0, M, H, H, 1.0, hPrev, H, whhT, 1.0, at(pre, row, H), H, work);
    f32_rnn_cell_forward(at(pre, row, H), hPrev, at(hs, next * B + b0, H), mask == 0 ? <usize>0 : at(mask, row, 1), M, H, relu);
  }
}

/** dy [T, B, H]; dh [B, H]: the final state's gradient in, the initial one's out; dpre [T, B, H] out. */
export function f32_rnn_sequence_backward(
  hs: usize, dy: usize, dh: usize, dpre: usize, whh: usize, mask: usize, T: i32, B: i32, H: i32, b0: i32, b1: i32, reverse: i32, relu: i32, work: usize,
): void {
  const M = b1 - b0;
  const dhRows = at(dh, b0, H);
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const next = reverse ? t : t + 1;
    const row = t * B + b0;
    const m = mask == 0 ? <usize>0 : at(mask, row, 1);
    f32_rnn_cell_backward(at(hs, next * B + b0, H), at(dy, row, H), dhRows, at(dpre, row, H), m, M, H, relu);
    f32_gemm_4x8_packed_b(0, M, H, H, 1.0, at(dpre, row, H), H, whh, 1.0, dhRows, H, work);
  }
}
