// The LSTM forward loop over time with the input projection inside it. Each step's pre-activations
// are one product [x_t | h_{t-1}] (K = I + H) by [W_ih^T; W_hh^T], the weights packed once as column
// panels of 8 over the whole K (f32_pack_lstm_weights), instead of a GEMM of the whole sequence's
// inputs up front (a job of its own, whose [T*B, 4H] result went out to memory and came back into
// every step's recurrent product) and a second pass over each step's gates. Rows b0..b1 as in
// f32-lstm-sequence.ts: a row's sums depend only on its own inputs and states, in the same order
// whatever the split, so the bits do not depend on the thread count.
import { GEMM_KC, GEMM_MC, GEMM_NC, MR, NR, microTile4x8 } from '../gemm/f32-gemm-4x8';
import { packA, packB } from '../gemm/pack';
import { f32_lstm_cell_forward } from './f32-lstm-cell';
import { at } from './rows';

/**
 * Packs [W_ih | W_hh] transposed ([N, K1] and [N, K2] row-major, PyTorch's layout; K = K1 + K2) as
 * f32_pack_b_panels lays out a K x N op(B): column panel j/8 at float j*K, row p of it at p*8 (zeros
 * past N). Threads pack ranges of whole panels by moving b1, b2 (rows of W) and dst.
 */
export function f32_pack_lstm_weights(b1: usize, K1: i32, b2: usize, K2: i32, N: i32, dst: usize): void {
  const K = K1 + K2;
  for (let j = 0; j < N; j += NR) {
    const panel = dst + <usize>j * <usize>K * 4;
    const nc = min(NR, N - j);
    packB(true, b1, <usize>K1, 0, K1, j, nc, panel);
    packB(true, b2, <usize>K2, 0, K2, j, nc, panel + <usize>K1 * 32);
  }
}

/**
 * c [M, N] = [x | h] (M rows of I and of H floats) times the packed weights w (K = I + H, N columns):
 * each 4-row tile of [x | h] packed over the whole K into the workspace's A block (M rows at a time
 * up to GEMM_MC; K at most GEMM_KC), then every 4x8 tile one pass over K, stored with beta 0.
 */
function stepProduct(x: usize, I: i32, h: usize, H: i32, M: i32, w: usize, N: i32, c: usize, work: usize): void {
  const K = I + H;
  const tile = work + <usize>(GEMM_MC * GEMM_KC + GEMM_KC * GEMM_NC) * 4;
  for (let ic = 0; ic < M; ic += GEMM_MC) {
    const mc = min(GEMM_MC, M - ic);
    for (let ir = 0; ir < mc; ir += MR) {
      const pa = work + <usize>(ir * K) * 4;
      packA(false, x, <usize>I, ic + ir, min(MR, mc - ir), 0, I, pa);
      packA(false, h, <usize>H, ic + ir, min(MR, mc - ir), 0, H, pa + <usize>I * 16);
    }
    for (let jr = 0; jr < N; jr += NR) {
      const pb = w + <usize>jr * <usize>K * 4;
      for (let ir = 0; ir < mc; ir += MR) {
        const cp = c + (<usize>(ic + ir) * <usize>N + <usize>jr) * 4;
        microTile4x8(K, work + <usize>(ir * K) * 4, pb, cp, <usize>N, min(MR, mc - ir), min(NR, N - jr), 1.0, 0.0, tile);
      }
    }
  }
}

/**
 * Forward over all T steps for rows b0..b1: x [T, B, I] the inputs; gates [T, B, 4H] receives the
 * activations (i, f, g, o; nothing is read from it); hs, cs, mask, bias as for
 * f32_lstm_sequence_forward; w the weights packed by f32_pack_lstm_weights (K = I + H <= GEMM_KC).
 */
export function f32_lstm_sequence_forward_x(
  x: usize, I: i32, gates: usize, hs: usize, cs: usize, w: usize, mask: usize, bias: usize,
  T: i32, B: i32, H: i32, b0: i32, b1: i32, reverse: i32, work: usize,
): void {
  const G = H << 2;
  const M = b1 - b0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t;
    const next = reverse ? t : t + 1;
    const gRow = at(gates, t * B + b0, G);
    const hPrev = at(hs, prev * B + b0, H);
    stepProduct(at(x, t * B + b0, I), I, hPrev, H, M, w, G, gRow, work);
    const m = mask == 0 ? <usize>0 : at(mask, t * B + b0, 1);
    f32_lstm_cell_forward(gRow, at(cs, prev * B + b0, H), hPrev, at(cs, next * B + b0, H), at(hs, next * B + b0, H), m, M, H, bias);
  }
}
