/**
 * Recurrent layers over a whole sequence as single autograd ops (one layer, one direction each).
 *
 * Forward: the input projection of every step is one GEMM up front; each step is one GEMM for the
 * recurrent projection of all gates plus one fused kernel for the nonlinearities and the state
 * update (an LSTM over a packed loop with I + H up to 512 projects inside the loop instead: one
 * product of [x_t | h_{t-1}] by [W_ih^T; W_hh^T] a step, its biases added in the cell). Backward
 * through time mirrors it step by step (fused cell backward, then one GEMM sending the gate
 * gradients to the previous state; an LSTM's loop also sums the bias gradient), and the weight and
 * input gradients are three GEMMs over the whole sequence afterwards, in one parallel job. With a batch and a sequence above 1, each loop over time is one
 * kernel call per thread, the threads taking disjoint batch rows for every step
 * (lstmSequenceForward/Backward and the GRU and RNN ones): one parallel job per direction instead of
 * two per step.
 *
 * Layouts follow PyTorch (weight_ih [G*H, I], weight_hh [G*H, H], gate order LSTM i,f,g,o and
 * GRU r,z,n), time-major input [T, B, I]. A mask [T, B] of 0/1 marks padding: a padded step carries
 * the state through, its output is 0, and it gets no gradient, so the final state of each sequence
 * is the one after its last real step in either direction.
 *
 * The op returns one packed tensor [T + S, B, H]: rows 0..T-1 are the outputs, then the final h
 * (and for LSTM the final c). `splitRecurrentOutput` cuts it into the three tensors.
 */
import {
  biasGroups, binary, copy, copyStrided, fill, gemm, gemmMany, gruCellBackward, type GemmCall, packB, packedBFloats, gruCellForward, lstmCellBackward, lstmCellForward,
  lstmSequenceBackward, lstmSequenceForward, lstmSequenceForwardX, LSTM_INPUT_FUSED_MAX, packLstmWeights, gruSequenceBackward, gruSequenceForward, reduce, rnnCellBackward, rnnCellForward,
  rnnSequenceBackward, rnnSequenceForward, type Kernels,
} from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { narrow, reshape } from './shape-ops.js';
import { defineOp } from '../check/operands.js';
import { checkMask, checkOptions, describe, int, oneOf, optionKeys, show } from '../check/options.js';

export type RecurrentMode = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

export interface RecurrentWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh?: Tensor | null;
  biasHh?: Tensor | null;
}

export interface RecurrentSequenceOptions {
  /** Initial hidden state [B, H] (zeros when absent). */
  h0?: Tensor | null;
  /** Initial cell state [B, H], LSTM only (zeros when absent). */
  c0?: Tensor | null;
  /** [T, B] of 0/1: 0 marks padding (no gradient flows into the mask). */
  mask?: Tensor | null;
  /** Run from the last step to the first (the backward half of a bidirectional layer). */
  reverse?: boolean;
}
export const RECURRENT_SEQUENCE_OPTIONS = optionKeys<RecurrentSequenceOptions>({ h0: true, c0: true, mask: true, reverse: true });
const MODES: readonly RecurrentMode[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];

/** Gate blocks per mode. */
export function gateCount(mode: RecurrentMode): number {
  return mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
}

/** Rows after the T outputs in the packed result: final h, and final c for LSTM. */
export function stateRows(mode: RecurrentMode): number {
  return mode === 'lstm' ? 2 : 1;
}

function fail(mode: RecurrentMode, what: string, got: readonly number[], want: readonly number[]): Error {
  return new Error(`${mode}: ${what} is ${formatShape(got)}, expected ${formatShape(want)}`);
}

function expectShape(mode: RecurrentMode, what: string, t: Tensor | null | undefined, want: number[]): void {
  if (t && (t.ndim !== want.length || t.shape.some((d, i) => d !== want[i]))) throw fail(mode, what, t.shape, want);
}

/** Fills `rows` rows of width `width` at `dst` with bias a (+ b), or zeros without biases. */
function broadcastBias(k: Kernels, dst: number, rows: number, width: number, a: Tensor | null, b: Tensor | null, scratch: Tensor | null): void {
  if (a === null && b === null) return void fill(k, dst, rows * width, 0);
  let src = (a ?? b)!.ptr;
  if (a !== null && b !== null) {
    binary(k, 'add', scratch!.ptr, a.ptr, [width], b.ptr, [width]);
    src = scratch!.ptr;
  }
  copyStrided(k, dst, [width, 1], src, [0, 1], [rows, width]);
}

/**
 * Runs one recurrent layer in one direction over x [T, B, I]. Returns the packed [T + S, B, H]
 * tensor described above (S = stateRows(mode)).
 */
export const recurrentSequence = defineOp('recurrentSequence', 'mode:any x', function recurrentSequence(mode: RecurrentMode, x: Tensor, w: RecurrentWeights, opts: RecurrentSequenceOptions = {}): Tensor {
  oneOf('recurrentSequence', 'mode', mode, MODES);
  checkOptions('recurrentSequence', opts, RECURRENT_SEQUENCE_OPTIONS);
  for (const k of ['h0', 'c0', 'mask'] as const) {
    if (opts[k] != null && !(opts[k] instanceof Tensor)) throw new TypeError(`recurrentSequence: ${k} must be a Tensor or null, got ${describe(opts[k])}`);
  }
  if (x.ndim !== 3) throw new Error(`${mode}: input must be [T, B, features], got ${formatShape(x.shape)}`);
  const [T, B, I] = x.shape as [number, number, number];
  const G = gateCount(mode);
  if (w.weightHh.ndim !== 2) throw new Error(`${mode}: weight_hh must be 2-D, got ${formatShape(w.weightHh.shape)}`);
  const H = w.weightHh.shape[1]!;
  const GH = G * H;
  expectShape(mode, 'weight_hh', w.weightHh, [GH, H]);
  if (w.weightIh.ndim !== 2 || w.weightIh.shape[1] !== I) {
    throw new Error(`${mode}: input ${formatShape(x.shape)} does not match weight_ih ${formatShape(w.weightIh.shape)}: expected ${I} input features`);
  }
  expectShape(mode, 'weight_ih', w.weightIh, [GH, I]);
  const bIh = w.biasIh ?? null;
  const bHh = w.biasHh ?? null;
  expectShape(mode, 'bias_ih', bIh, [GH]);
  expectShape(mode, 'bias_hh', bHh, [GH]);
  const h0 = opts.h0 ?? null;
  const c0 = mode === 'lstm' ? (opts.c0 ?? null) : null;
  if (mode !== 'lstm' && opts.c0) throw new Error(`${mode}: only an LSTM takes a cell state c0`);
  expectShape(mode, 'h0', h0, [B, H]);
  expectShape(mode, 'c0', c0, [B, H]);
  const mask = opts.mask ?? null;
  expectShape(mode, 'mask', mask, [T, B]);
  if (mask) checkMask(mode, 'mask', mask.data);
  if (T === 0) throw new Error(`${mode}: the sequence is empty (T = 0)`);
  const reverse = opts.reverse ?? false;
  const k = x.k;
  const S = stateRows(mode);
  const BH = B * H;
  const f4 = 4;

  // Saved for the backward pass: gate activations, all states (slot layout below), GRU's h-projections.
  const gates = Tensor.empty([T * B, GH]);
  const gh = mode === 'gru' ? Tensor.empty([T * B, GH]) : null;
  // States: forward runs store h_t in slot t+1 (slot 0 = h0); reverse runs store h_t in slot t (slot T = h0).
  // Either way the state *before* step t is the contiguous run of slots starting at prevBase.
  const hs = Tensor.empty([T + 1, B, H]);
  const cs = mode === 'lstm' ? Tensor.empty([T + 1, B, H]) : null;
  const slot = (t: number) => (reverse ? t : t + 1);
  const prevSlot = (t: number) => (reverse ? t + 1 : t);
  const initSlot = reverse ? T : 0;
  const at = (buf: Tensor, s: number) => buf.ptr + s * BH * f4;
  if (h0) copy(k, at(hs, initSlot), h0.ptr, BH);
  else fill(k, at(hs, initSlot), BH, 0);
  if (cs) {
    if (c0) copy(k, at(cs, initSlot), c0.ptr, BH);
    else fill(k, at(cs, initSlot), BH, 0);
  }
  const biasScratch = bIh && bHh ? Tensor.empty([GH]) : null;

  // Input projection for all steps at once (GRU keeps b_hh for the per-step h-projection). An LSTM
  // adds b_ih + b_hh in its cell kernel, after the recurrent product, rather than writing them into
  // every row of the gates first.
  let lstmBias = 0;
  if (mode === 'gru') {
    broadcastBias(k, gates.ptr, T * B, GH, bIh, null, null);
    broadcastBias(k, gh!.ptr, T * B, GH, bHh, null, null);
  } else if (mode === 'lstm') {
    if (biasScratch) binary(k, 'add', biasScratch.ptr, bIh!.ptr, [GH], bHh!.ptr, [GH]);
    lstmBias = biasScratch ? biasScratch.ptr : (bIh ?? bHh)?.ptr ?? 0;
  } else {
    broadcastBias(k, gates.ptr, T * B, GH, bIh, bHh, biasScratch);
  }
  // W_hh is shared by every step: pack it for the GEMM once instead of once per step. A single step,
  // or a batch of one (matrix-vector products that read W_hh in place), gains nothing from packing.
  // An LSTM over a packed loop (I + H up to 512) packs W_ih with it and projects each step's input
  // inside the loop: one product [x_t | h] by [W_ih^T; W_hh^T] a step, no projection of the whole
  // sequence up front.
  const pack = T > 1 && B > 1;
  const fused = pack && mode === 'lstm' && I + H <= LSTM_INPUT_FUSED_MAX;
  if (!fused) gemm(k, false, true, T * B, GH, I, 1, x.ptr, I, w.weightIh.ptr, I, mode === 'lstm' ? 0 : 1, gates.ptr, GH);
  const packedWhh = pack ? Tensor.empty([packedBFloats(k, fused ? I + H : H, GH)]) : null;
  const whhT = packedWhh === null ? null
    : fused ? packLstmWeights(k, I, H, w.weightIh.ptr, w.weightHh.ptr, packedWhh.ptr)
      : packB(k, true, H, GH, w.weightHh.ptr, H, packedWhh.ptr);
  // Step by step (a single step or a batch of one): W_hh read in place.
  const recurrentProduct = (hPrev: number, out: number) => gemm(k, false, true, B, GH, H, 1, hPrev, H, w.weightHh.ptr, H, 1, out, GH);
  const dims = { B, H };
  const maskAt = (t: number) => (mask ? mask.ptr + t * B * f4 : 0);
  // With a packed W_hh the whole loop is one call per thread (rows split, no per-step barrier).
  const seq = { T, B, H };
  const maskPtr = mask ? mask.ptr : 0;
  const act = mode === 'rnn_relu' ? 'relu' : 'tanh';
  if (whhT !== null) {
    if (fused) lstmSequenceForwardX(k, seq, I, x.ptr, gates.ptr, hs.ptr, cs!.ptr, whhT, maskPtr, reverse, lstmBias);
    else if (mode === 'lstm') lstmSequenceForward(k, seq, gates.ptr, hs.ptr, cs!.ptr, whhT, maskPtr, reverse, lstmBias);
    else if (mode === 'gru') gruSequenceForward(k, seq, gates.ptr, gh!.ptr, hs.ptr, whhT, maskPtr, reverse);
    else rnnSequenceForward(k, seq, gates.ptr, hs.ptr, whhT, act, maskPtr, reverse);
  } else {
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const gRow = gates.ptr + t * B * GH * f4;
      const hPrev = at(hs, prevSlot(t));
      const hOut = at(hs, slot(t));
      if (mode === 'gru') {
        const ghRow = gh!.ptr + t * B * GH * f4;
        recurrentProduct(hPrev, ghRow);
        gruCellForward(k, dims, gRow, ghRow, hPrev, hOut, maskAt(t));
      } else {
        recurrentProduct(hPrev, gRow);
        if (mode === 'lstm') lstmCellForward(k, dims, gRow, at(cs!, prevSlot(t)), hPrev, at(cs!, slot(t)), hOut, maskAt(t), lstmBias);
        else rnnCellForward(k, dims, gRow, hPrev, hOut, act, maskAt(t));
      }
    }
  }

  const out = Tensor.empty([T + S, B, H]);
  const outBase = reverse ? 0 : 1;
  copy(k, out.ptr, at(hs, outBase), T * BH);
  if (mask) binary(k, 'mul', out.ptr, out.ptr, [T * B, H], mask.ptr, [T * B, 1]);
  const finalSlot = reverse ? 0 : T;
  copy(k, out.ptr + T * BH * f4, at(hs, finalSlot), BH);
  if (cs) copy(k, out.ptr + (T + 1) * BH * f4, at(cs, finalSlot), BH);
  biasScratch?.dispose();
  packedWhh?.dispose();

  const inputs: Tensor[] = [x, w.weightIh, w.weightHh];
  const biasIndex = inputs.length;
  if (bIh) inputs.push(bIh);
  if (bHh) inputs.push(bHh);
  const h0Index = inputs.length;
  if (h0) inputs.push(h0);
  const c0Index = inputs.length;
  if (c0) inputs.push(c0);
  const saved = [gates, hs, ...(cs ? [cs] : []), ...(gh ? [gh] : []), ...(mask ? [mask] : [])];
  const result = recordOp(out, mode, inputs, (g) => {
    const grads: (Tensor | null)[] = inputs.map(() => null);
    const dh = Tensor.empty([B, H]);
    copy(k, dh.ptr, g.ptr + T * BH * f4, BH);
    const dc = cs ? Tensor.empty([B, H]) : null;
    if (dc) copy(k, dc.ptr, g.ptr + (T + 1) * BH * f4, BH);
    // dG: gradient of the (input-side) pre-activations; GRU also needs the h-side ones separately.
    const dG = Tensor.empty([T * B, GH]);
    const dGh = mode === 'gru' ? Tensor.empty([T * B, GH]) : dG;
    const packedBack = pack ? Tensor.empty([packedBFloats(k, GH, H)]) : null;
    const whh = packedBack ? packB(k, false, GH, H, w.weightHh.ptr, H, packedBack.ptr) : null;
    // An LSTM's loop over time also sums the bias gradient, by groups of 4 batch rows (added up below).
    const biasGrad = (bIh?.requiresGrad ?? false) || (bHh?.requiresGrad ?? false);
    const biasParts = whh !== null && mode === 'lstm' && biasGrad ? Tensor.empty([biasGroups(B), GH]) : null;
    if (whh !== null) {
      if (mode === 'lstm') lstmSequenceBackward(k, seq, gates.ptr, cs!.ptr, g.ptr, dh.ptr, dc!.ptr, dG.ptr, whh, maskPtr, reverse, biasParts?.ptr ?? 0);
      else if (mode === 'gru') gruSequenceBackward(k, seq, gates.ptr, gh!.ptr, hs.ptr, g.ptr, dh.ptr, dG.ptr, dGh.ptr, whh, maskPtr, reverse);
      else rnnSequenceBackward(k, seq, hs.ptr, g.ptr, dh.ptr, dG.ptr, whh, act, maskPtr, reverse);
    } else {
      for (let s = T - 1; s >= 0; s--) {
        const t = reverse ? T - 1 - s : s;
        const row = t * B * GH * f4;
        const dy = g.ptr + t * BH * f4;
        if (mode === 'lstm') {
          lstmCellBackward(k, dims, gates.ptr + row, at(cs!, prevSlot(t)), at(cs!, slot(t)), dy, dh.ptr, dc!.ptr, dG.ptr + row, maskAt(t));
        } else if (mode === 'gru') {
          gruCellBackward(k, dims, gates.ptr + row, gh!.ptr + row, at(hs, prevSlot(t)), dy, dh.ptr, dG.ptr + row, dGh.ptr + row, maskAt(t));
        } else {
          rnnCellBackward(k, dims, at(hs, slot(t)), dy, dh.ptr, dG.ptr + row, act, maskAt(t));
        }
        // dh (gradient of the previous state) += dGh_t · W_hh
        gemm(k, false, false, B, H, GH, 1, dGh.ptr + row, GH, w.weightHh.ptr, H, 1, dh.ptr, H);
      }
    }
    packedBack?.dispose();
    const TB = T * B;
    // The input and weight gradients: independent products of the gate gradients, in one parallel job.
    const products: GemmCall[] = [];
    const product = (i: number, shape: readonly number[], call: Omit<GemmCall, 'c' | 'alpha' | 'beta'>) => {
      const t = Tensor.empty(shape);
      grads[i] = t;
      products.push({ ...call, alpha: 1, beta: 0, c: t.ptr });
    };
    if (x.requiresGrad) product(0, x.shape, { transA: false, transB: false, M: TB, N: I, K: GH, a: dG.ptr, lda: GH, b: w.weightIh.ptr, ldb: I, ldc: I });
    if (w.weightIh.requiresGrad) product(1, w.weightIh.shape, { transA: true, transB: false, M: GH, N: I, K: TB, a: dG.ptr, lda: GH, b: x.ptr, ldb: I, ldc: I });
    if (w.weightHh.requiresGrad) {
      product(2, w.weightHh.shape, { transA: true, transB: false, M: GH, N: H, K: TB, a: dGh.ptr, lda: GH, b: at(hs, reverse ? 1 : 0), ldb: H, ldc: H });
    }
    gemmMany(k, products);
    let bi = biasIndex;
    let dbIh: Tensor | null = null;
    if (bIh) {
      if (bIh.requiresGrad) {
        dbIh = Tensor.empty([GH]);
        if (biasParts) reduce(k, 'sum', dbIh.ptr, biasParts.ptr, 1, biasGroups(B), GH);
        else reduce(k, 'sum', dbIh.ptr, dG.ptr, 1, TB, GH);
        grads[bi] = dbIh;
      }
      bi++;
    }
    if (bHh?.requiresGrad) {
      const db = Tensor.empty([GH]);
      // Both biases enter the same pre-activations (but GRU's b_hh): the same sum, copied rather than recomputed.
      if (dbIh !== null && dGh === dG) copy(k, db.ptr, dbIh.ptr, GH);
      else if (biasParts) reduce(k, 'sum', db.ptr, biasParts.ptr, 1, biasGroups(B), GH);
      else reduce(k, 'sum', db.ptr, dGh.ptr, 1, TB, GH);
      grads[bi] = db;
    }
    biasParts?.dispose();
    if (h0) grads[h0Index] = h0.requiresGrad ? dh : null;
    if (c0) grads[c0Index] = c0.requiresGrad ? dc : null;
    return grads;
  }, saved);
  if (result.node === null) for (const t of saved) if (t !== mask) t.dispose();
  return result;
});

/** Cuts the packed result of recurrentSequence into outputs [T, B, H], final h [B, H] and (LSTM) final c. */
export const splitRecurrentOutput = defineOp('splitRecurrentOutput', 'mode:any packed', function splitRecurrentOutput(mode: RecurrentMode, packed: Tensor): { output: Tensor; h: Tensor; c: Tensor | null } {
  const S = stateRows(mode);
  const T = packed.shape[0]! - S;
  const [, B, H] = packed.shape as [number, number, number];
  const output = narrow(packed, 0, 0, T);
  const h = reshape(narrow(packed, 0, T, 1), [B, H]);
  const c = mode === 'lstm' ? reshape(narrow(packed, 0, T + 1, 1), [B, H]) : null;
  return { output, h, c };
});

/** A [T, B] mask of 0/1 from sequence lengths (each in 1..T). */
export function lengthsToMask(lengths: ArrayLike<number>, T: number, where = 'lengthsToMask'): Tensor {
  int(where, 'T', T);
  if (lengths == null || typeof lengths !== 'object' || typeof lengths.length !== 'number') {
    throw new TypeError(`${where}: lengths must be an array of sequence lengths, got ${describe(lengths)}`);
  }
  const B = lengths.length;
  const m = Tensor.empty([T, B]);
  const d = m.data;
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    if (!Number.isInteger(len) || len < 1 || len > T) {
      throw new RangeError(`${where}: sequence lengths must be integers in [1, ${T}] (the padded length); got ${show(len)} for sequence ${b}`);
    }
    for (let t = 0; t < T; t++) d[t * B + b] = t < len ? 1 : 0;
  }
  return m;
}
