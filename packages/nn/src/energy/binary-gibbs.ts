/**
 * The Gibbs half-steps and weight statistics of one contrastive-divergence step on binary units, with
 * the 0/1 states as lists of their ones: a 0/1 row times W is the sum of the rows of W it picks, so a
 * batch of MNIST-like visible states (13-20% ones) times W^T costs a fifth of a GEMM, and each
 * half-step is one kernel call per thread piece (product, bias, sigmoid, Philox sample and the
 * sample's lists). States that are not 0/1 (data of a deeper layer: probabilities) and dense hidden
 * samples (about half ones, where the GEMM is as fast) take the GEMM; either way the result does not
 * depend on the thread count. Used by RBM.contrastiveDivergence, which owns the scope (all the tensors
 * made here live in its tidy).
 */
import { binaryHalfStep, binaryLists, binaryListsInts, binaryOuterGrad, copyStrided, gemm, gemmPackedB, packB, packedBFloats, type PackedB, type PhiloxKey } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../random/generator.js';

/**
 * Hidden samples at most this dense go through the 0/1 product for the visible input, denser ones
 * through the GEMM (784-500 RBM, batch 64: at half ones the product took 1.1x the GEMM's time on one
 * thread and 1.2x on two; its time scales with the ones).
 */
const SPARSE_VISIBLE_DENSITY = 0.4;

/** A 0/1 batch and the lists of its rows' ones (null when it is not 0/1, or when nobody needs them). */
export interface BinaryStates {
  states: Tensor;
  lists: Tensor | null;
}

/** The parameters a step reads: weight [hidden, visible], visible bias, hidden bias. */
interface Params {
  weight: Tensor;
  visibleBias: Tensor;
  hiddenBias: Tensor;
}

export class BinaryGibbs {
  private readonly k: Tensor['k'];
  private readonly V: number;
  private readonly H: number;
  private readonly wT: PackedB;
  private w: PackedB | null = null;

  constructor(
    private readonly p: Params,
    private readonly generator: Generator | undefined,
  ) {
    this.k = p.weight.k;
    [this.H, this.V] = p.weight.shape as [number, number];
    // W^T packed once for this step's hidden inputs (both the 0/1 product and the GEMM read it).
    this.wT = packB(this.k, true, this.V, this.H, p.weight.ptr, this.V, Tensor.empty([packedBFloats(this.k, this.V, this.H)], this.k).ptr);
  }

  /** x with the lists of its rows when it holds only 0 and 1 (data), else with none. */
  lists(x: Tensor): BinaryStates {
    const rows = x.shape[0]!, cols = x.shape[1]!;
    const lists = Tensor.empty([binaryListsInts(rows, cols)], this.k);
    return { states: x, lists: binaryLists(this.k, x.ptr, rows, cols, lists.ptr) ? lists : null };
  }

  /** p(h | v) and, when `sample`, a sample with its lists (drawing a key; none without). */
  hidden(v: BinaryStates, sample: boolean): { prob: Tensor; sample: BinaryStates | null } {
    const rows = v.states.shape[0]!, H = this.H;
    const x = Tensor.empty([rows, H], this.k);
    if (v.lists === null) {
      copyStrided(this.k, x.ptr, [H, 1], this.p.hiddenBias.ptr, [0, 1], [rows, H]);
      gemmPackedB(this.k, false, rows, 1, v.states.ptr, this.V, this.wT, 1, x.ptr, H);
    }
    const product = v.lists === null ? null : { lists: v.lists.ptr, B: this.wT, bias: this.p.hiddenBias.ptr };
    if (!sample) {
      binaryHalfStep(this.k, product, x.ptr, rows, H, x.ptr, 0, 0, 1, null);
      return { prob: x, sample: null };
    }
    const s = Tensor.empty([rows, H], this.k), lists = Tensor.empty([binaryListsInts(rows, H)], this.k);
    binaryHalfStep(this.k, product, x.ptr, rows, H, x.ptr, s.ptr, lists.ptr, 1, this.key());
    return { prob: x, sample: { states: s, lists } };
  }

  /** E[v | h] (when `prob`) and a sample of binary visible units with its lists, from a 0/1 h with lists. */
  visible(h: BinaryStates, prob: boolean): { prob: Tensor | null; sample: BinaryStates } {
    const rows = h.states.shape[0]!, V = this.V, H = this.H;
    const x = Tensor.empty([rows, V], this.k);
    let product = null;
    if (h.lists !== null && density(h.lists, rows, H) <= SPARSE_VISIBLE_DENSITY) {
      this.w ??= packB(this.k, false, H, V, this.p.weight.ptr, V, Tensor.empty([packedBFloats(this.k, H, V)], this.k).ptr);
      product = { lists: h.lists.ptr, B: this.w, bias: this.p.visibleBias.ptr };
    } else {
      copyStrided(this.k, x.ptr, [V, 1], this.p.visibleBias.ptr, [0, 1], [rows, V]);
      gemm(this.k, false, false, rows, V, H, 1, h.states.ptr, H, this.p.weight.ptr, V, 1, x.ptr, V);
    }
    const s = Tensor.empty([rows, V], this.k), lists = Tensor.empty([binaryListsInts(rows, V)], this.k);
    binaryHalfStep(this.k, product, x.ptr, rows, V, prob ? x.ptr : 0, s.ptr, lists.ptr, 1, this.key());
    return { prob: prob ? x : null, sample: { states: s, lists } };
  }

  /**
   * weight.grad (+)= hk^T vk / m - h0^T v0 / batch (hk, h0: hidden probabilities; vk a 0/1 sample),
   * in one pass over the gradient when v0 is 0/1 too, else the data's term by a GEMM after it.
   */
  weightGrad(grad: Tensor, fresh: boolean, hk: Tensor, vk: BinaryStates, h0: Tensor, v0: BinaryStates): void {
    const m = vk.states.shape[0]!, batch = v0.states.shape[0]!, H = this.H, V = this.V;
    const both = v0.lists !== null;
    binaryOuterGrad(this.k, grad.ptr, hk.ptr, vk.states.ptr, m, 1 / m, both ? h0.ptr : 0, both ? v0.states.ptr : 0, batch, 1 / batch, H, V, !fresh);
    if (!both) gemm(this.k, true, false, H, V, batch, -1 / batch, h0.ptr, H, v0.states.ptr, V, 1, grad.ptr, V);
    grad.version++;
  }

  private key(): PhiloxKey {
    const g = this.generator ?? defaultGenerator;
    return { k0: g.nextU32(), k1: g.nextU32() };
  }
}

/** Fraction of ones of a [rows, cols] 0/1 matrix, from its lists' counts. */
function density(lists: Tensor, rows: number, cols: number): number {
  const ints = lists.k.arena.i32(lists.ptr, binaryListsInts(rows, cols));
  let ones = 0;
  for (let r = 0; r < rows; r++) ones += ints[r * (cols + 1)]!;
  return ones / (rows * cols);
}
