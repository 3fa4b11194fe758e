/**
 * A recurrent layer's loop over time as one call per thread (assembly/recurrent/f32-*-sequence.ts):
 * the threads take disjoint ranges of batch rows (multiples of 4, whole GEMM row tiles) and run
 * every step of their rows, so a sequence costs one job forward and one backward instead of a
 * parallel GEMM and a parallel cell pass per step (each a wake-up and a barrier: 100 per direction
 * for 50 steps). The bits are those of the per-step kernels, whatever the split.
 */
import type { Kernels } from '../load.js';
import { inMemory, kernel, size } from './check.js';
import type { PackedB } from './gemm.js';
import { PIECES_PER_THREAD, runTasks, splitOver, splitRange, threadsFor } from '../threads/index.js';

export interface SequenceDims {
  /** Steps. */
  T: number;
  /** Batch rows. */
  B: number;
  /** Hidden size. */
  H: number;
}

/** Per Kernels: the GEMM workspace of the one-thread call (workers use their own scratch). */
const workspaces = new WeakMap<Kernels, number>();

function workspaceBytes(k: Kernels): number {
  return kernel(k, 'gemm_workspace_bytes')() as number;
}

function workspace(k: Kernels): number {
  let p = workspaces.get(k);
  if (p === undefined) {
    p = k.arena.alloc(workspaceBytes(k));
    workspaces.set(k, p);
  }
  return p;
}

function checkDims(where: string, d: SequenceDims): void {
  for (const what of ['T', 'B', 'H'] as const) size(where, what, d[what]);
}

function checkPacked(where: string, what: string, p: PackedB, K: number, N: number): void {
  if (p.K !== K || p.N !== N) throw new RangeError(`${where}: ${what} is packed as ${p.K} x ${p.N}, expected ${K} x ${N}`);
}

/** Groups of 4 batch rows whose bias-gradient partials lstmSequenceBackward keeps (ceil(B / 4)). */
export function biasGroups(B: number): number {
  return Math.ceil(B / 4);
}

/**
 * Runs `fn` over row ranges of the batch on k's threads (the GEMM workspace as each call's last
 * argument), or once over all rows on the calling thread below the size threshold.
 */
function byRowRanges(k: Kernels, fn: string, d: SequenceDims, gates: number, head: number[], tail: number[]): void {
  const threads = threadsFor(k, d.T * d.B * gates * d.H * d.H);
  if (threads > 1 && d.B > 4) {
    const ranges = splitRange(d.B, threads * PIECES_PER_THREAD, 4);
    const args = (b0: number, b1: number) => [...head, d.T, d.B, d.H, b0, b1, ...tail, 0];
    const last = head.length + 5 + tail.length;
    return runTasks(k, ranges.map(([b0, b1]) => ({ fn, args: args(b0, b1), scratch: last })), workspaceBytes(k));
  }
  kernel(k, fn)(...head, d.T, d.B, d.H, 0, d.B, ...tail, workspace(k));
}

/**
 * LSTM forward over all steps. gates [T, B, 4H]: input projections in, activations (i, f, g, o)
 * out. hs, cs [T + 1, B, H]: the initial state in slot 0 (forward) or T (reverse), the state after
 * step t written to slot t + 1 (forward) or t (reverse). whhT: W_hh^T packed (H x 4H). mask: f32
 * [T, B] of 0/1, or 0 for none. bias: f32 [4H] (b_ih + b_hh) added to each step's pre-activations
 * after the recurrent product, or 0 (none, or already in the gates).
 */
export function lstmSequenceForward(
  k: Kernels, d: SequenceDims, gates: number, hs: number, cs: number, whhT: PackedB, mask: number, reverse: boolean, bias = 0,
): void {
  const w = 'lstmSequenceForward';
  checkDims(w, d);
  const { T, B, H } = d;
  if (T === 0 || B === 0 || H === 0) return;
  checkPacked(w, 'whhT', whhT, H, 4 * H);
  inMemory(k, w, 'gates', gates, T * B * 4 * H * 4);
  inMemory(k, w, 'hs', hs, (T + 1) * B * H * 4);
  inMemory(k, w, 'cs', cs, (T + 1) * B * H * 4);
  if (mask !== 0) inMemory(k, w, 'mask', mask, T * B * 4);
  if (bias !== 0) inMemory(k, w, 'bias', bias, 4 * H * 4);
  byRowRanges(k, 'f32_lstm_sequence_forward', d, 4, [gates, hs, cs, whhT.ptr, mask, bias], [reverse ? 1 : 0]);
}

/** Largest I + H of lstmSequenceForwardX: a block of 128 packed [x_t | h] rows fits the GEMM workspace. */
export const LSTM_INPUT_FUSED_MAX = 512;

/**
 * Packs an LSTM's W_ih [4H, I] and W_hh [4H, H] for lstmSequenceForwardX into dst
 * (packedBFloats(I + H, 4H) floats): [W_ih^T; W_hh^T] as one K = I + H by 4H packed op(B); large
 * ones split over the threads by panels (a copy: the same bits).
 */
export function packLstmWeights(k: Kernels, I: number, H: number, weightIh: number, weightHh: number, dst: number): PackedB {
  const w = 'packLstmWeights';
  size(w, 'I', I);
  size(w, 'H', H);
  const K = I + H, N = 4 * H;
  inMemory(k, w, 'weightIh', weightIh, N * I * 4);
  inMemory(k, w, 'weightHh', weightHh, N * H * 4);
  inMemory(k, w, 'dst', dst, (kernel(k, 'f32_packed_b_floats')(K, N) as number) * 4);
  const task = (s: number, e: number) => ({ fn: 'f32_pack_lstm_weights', args: [weightIh + s * I * 4, I, weightHh + s * H * 4, H, e - s, dst + s * K * 4] });
  if (!splitOver(k, K * N, N, 8, task)) kernel(k, 'f32_pack_lstm_weights')(weightIh, I, weightHh, H, N, dst);
  return { ptr: dst, K, N };
}

/**
 * LSTM forward over all steps with the input projection inside the loop: each step's pre-activations
 * are [x_t | h_{t-1}] times the weights packed by packLstmWeights, one product (K = I + H, at most
 * LSTM_INPUT_FUSED_MAX), then the cell. x [T, B, I]; gates [T, B, 4H] receives the activations
 * (nothing read from it); hs, cs, mask, bias as for lstmSequenceForward.
 */
export function lstmSequenceForwardX(
  k: Kernels, d: SequenceDims, I: number, x: number, gates: number, hs: number, cs: number, w: PackedB, mask: number, reverse: boolean, bias = 0,
): void {
  const where = 'lstmSequenceForwardX';
  checkDims(where, d);
  size(where, 'I', I);
  const { T, B, H } = d;
  if (T === 0 || B === 0 || H === 0) return;
  if (I === 0 || I + H > LSTM_INPUT_FUSED_MAX) throw new RangeError(`${where}: I + H = ${I + H} must be in 1..${LSTM_INPUT_FUSED_MAX} (use a projection GEMM and lstmSequenceForward)`);
  checkPacked(where, 'w', w, I + H, 4 * H);
  inMemory(k, where, 'x', x, T * B * I * 4);
  inMemory(k, where, 'gates', gates, T * B * 4 * H * 4);
  inMemory(k, where, 'hs', hs, (T + 1) * B * H * 4);
  inMemory(k, where, 'cs', cs, (T + 1) * B * H * 4);
  if (mask !== 0) inMemory(k, where, 'mask', mask, T * B * 4);
  if (bias !== 0) inMemory(k, where, 'bias', bias, 4 * H * 4);
  byRowRanges(k, 'f32_lstm_sequence_forward_x', d, 4 + (4 * I) / H, [x, I, gates, hs, cs, w.ptr, mask, bias], [reverse ? 1 : 0]);
}

/**
 * LSTM backward through all steps. acts [T, B, 4H] and cs as the forward pass left them; dy
 * [T, B, H] the outputs' gradient; dh, dc [B, H]: the final states' gradients in, the initial
 * states' out; dgates [T, B, 4H] out. whh: W_hh packed (4H x H). mask as in the forward pass.
 * dbias: 0, or [biasGroups(B), 4H] floats that receive, for each group of 4 batch rows, the sum of
 * its rows of dgates over the steps (in step order): the bias gradient is their sum over the groups
 * (in group order), the same bits at any thread count.
 */
export function lstmSequenceBackward(
  k: Kernels, d: SequenceDims, acts: number, cs: number, dy: number, dh: number, dc: number, dgates: number, whh: PackedB, mask: number, reverse: boolean,
  dbias = 0,
): void {
  const w = 'lstmSequenceBackward';
  checkDims(w, d);
  const { T, B, H } = d;
  if (T === 0 || B === 0 || H === 0) return;
  checkPacked(w, 'whh', whh, 4 * H, H);
  for (const [what, p] of [['acts', acts], ['dgates', dgates]] as const) inMemory(k, w, what, p, T * B * 4 * H * 4);
  inMemory(k, w, 'cs', cs, (T + 1) * B * H * 4);
  inMemory(k, w, 'dy', dy, T * B * H * 4);
  for (const [what, p] of [['dh', dh], ['dc', dc]] as const) inMemory(k, w, what, p, B * H * 4);
  if (mask !== 0) inMemory(k, w, 'mask', mask, T * B * 4);
  if (dbias !== 0) inMemory(k, w, 'dbias', dbias, biasGroups(B) * 4 * H * 4);
  byRowRanges(k, 'f32_lstm_sequence_backward', d, 4, [acts, cs, dy, dh, dc, dgates, whh.ptr, mask, dbias], [reverse ? 1 : 0]);
}

/**
 * GRU forward over all steps. gx [T, B, 3H]: input pre-activations in, activations (r, z, n) out;
 * gh [T, B, 3H]: b_hh in, the recurrent pre-activations out. hs as for lstmSequenceForward; whhT:
 * W_hh^T packed (H x 3H).
 */
export function gruSequenceForward(k: Kernels, d: SequenceDims, gx: number, gh: number, hs: number, whhT: PackedB, mask: number, reverse: boolean): void {
  const w = 'gruSequenceForward';
  checkDims(w, d);
  const { T, B, H } = d;
  if (T === 0 || B === 0 || H === 0) return;
  checkPacked(w, 'whhT', whhT, H, 3 * H);
  for (const [what, p] of [['gx', gx], ['gh', gh]] as const) inMemory(k, w, what, p, T * B * 3 * H * 4);
  inMemory(k, w, 'hs', hs, (T + 1) * B * H * 4);
  if (mask !== 0) inMemory(k, w, 'mask', mask, T * B * 4);
  byRowRanges(k, 'f32_gru_sequence_forward', d, 3, [gx, gh, hs, whhT.ptr, mask], [reverse ? 1 : 0]);
}

/** GRU backward through all steps: dy [T, B, H]; dh [B, H] final in, initial out; dgx, dgh [T, B, 3H] out; whh: W_hh packed (3H x H). */
export function gruSequenceBackward(
  k: Kernels, d: SequenceDims, acts: number, gh: number, hs: number, dy: number, dh: number, dgx: number, dgh: number, whh: PackedB, mask: number, reverse: boolean,
): void {
  const w = 'gruSequenceBackward';
  checkDims(w, d);
  const { T, B, H } = d;
  if (T === 0 || B === 0 || H === 0) return;
  checkPacked(w, 'whh', whh, 3 * H, H);
  for (const [what, p] of [['acts', acts], ['gh', gh], ['dgx', dgx], ['dgh', dgh]] as const) inMemory(k, w, what, p, T * B * 3 * H * 4);
  inMemory(k, w, 'hs', hs, (T + 1) * B * H * 4);
  inMemory(k, w, 'dy', dy, T * B * H * 4);
  inMemory(k, w, 'dh', dh, B * H * 4);
  if (mask !== 0) inMemory(k, w, 'mask', mask, T * B * 4);
  byRowRanges(k, 'f32_gru_sequence_backward', d, 3, [acts, gh, hs, dy, dh, dgx, dgh, whh.ptr, mask], [reverse ? 1 : 0]);
}

/** Elman RNN forward over all steps: pre [T, B, H] projections in, pre-activations out; whhT: W_hh^T packed (H x H). */
export function rnnSequenceForward(k: Kernels, d: SequenceDims, pre: number, hs: number, whhT: PackedB, nonlinearity: 'tanh' | 'relu', mask: number, reverse: boolean): void {
  const w = 'rnnSequenceForward';
  checkDims(w, d);
  const { T, B, H } = d;
  if (T === 0 || B === 0 || H === 0) return;
  checkPacked(w, 'whhT', whhT, H, H);
  inMemory(k, w, 'pre', pre, T * B * H * 4);
  inMemory(k, w, 'hs', hs, (T + 1) * B * H * 4);
  if (mask !== 0) inMemory(k, w, 'mask', mask, T * B * 4);
  byRowRanges(k, 'f32_rnn_sequence_forward', d, 1, [pre, hs, whhT.ptr, mask], [reverse ? 1 : 0, nonlinearity === 'relu' ? 1 : 0]);
}

/** Elman RNN backward through all steps: dy [T, B, H]; dh [B, H] final in, initial out; dpre [T, B, H] out; whh: W_hh packed. */
export function rnnSequenceBackward(
  k: Kernels, d: SequenceDims, hs: number, dy: number, dh: number, dpre: number, whh: PackedB, nonlinearity: 'tanh' | 'relu', mask: number, reverse: boolean,
): void {
  const w = 'rnnSequenceBackward';
  checkDims(w, d);
  const { T, B, H } = d;
  if (T === 0 || B === 0 || H === 0) return;
  checkPacked(w, 'whh', whh, H, H);
  inMemory(k, w, 'hs', hs, (T + 1) * B * H * 4);
  for (const [what, p] of [['dy', dy], ['dpre', dpre]] as const) inMemory(k, w, what, p, T * B * H * 4);
  inMemory(k, w, 'dh', dh, B * H * 4);
  if (mask !== 0) inMemory(k, w, 'mask', mask, T * B * 4);
  byRowRanges(k, 'f32_rnn_sequence_backward', d, 1, [hs, dy, dh, dpre, whh.ptr, mask], [reverse ? 1 : 0, nonlinearity === 'relu' ? 1 : 0]);
}
