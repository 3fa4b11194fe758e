/**
 * Fused optimizer updates: one pass over a parameter tensor, its gradient and its state buffers.
 * Formulas follow torch.optim (see assembly/optim/). Every scalar the update derives from the options
 * (1 - beta, 1 - dampening, bias corrections, lr / bias correction, 1 - lr * wd) is formed here in
 * float64 and rounded to float32 once when passed, as torch forms them from Python floats: formed in
 * float32 inside the kernel, 1 - beta2 for beta2 = 0.999 is 1.3e-5 relatively off and an AdamW
 * trajectory drifts from torch's by up to 4e-4 of a weight's displacement in 30 steps (now 5e-6;
 * packages/nn/test/optim-torch.test.ts). Pointers are byte offsets of n-float buffers.
 */
import type { Kernels } from '../load.js';
import { kernel, size } from './check.js';
import { PIECES_PER_THREAD, runTasks, splitOver, splitRange, threadsFor } from '../threads/index.js';

/**
 * One fused update: pointers, then n, then scalars. Every element's update is independent, so large
 * parameters split into ranges over the threads (at multiples of 16 floats: the same vector code as
 * one call); a pointer of 0 (state the update does not use) stays 0.
 */
function update(k: Kernels, fn: string, ptrs: number[], n: number, scalars: number[]): void {
  const task = (s: number, e: number) => ({ fn, args: [...ptrs.map((p) => (p === 0 ? 0 : p + s * 4)), e - s, ...scalars] });
  if (!splitOver(k, 8 * n, n, 16, task)) kernel(k, fn)(...ptrs, n, ...scalars);
}

export interface SgdArgs {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** First step of this parameter: the momentum buffer starts as the gradient. */
  first: boolean;
}

export function sgdUpdate(k: Kernels, p: number, g: number, buf: number, n: number, a: SgdArgs): void {
  size('sgdUpdate', 'n', n);
  if (n === 0) return;
  update(k, 'f32_sgd', [p, g, buf], n, [a.lr, a.momentum, 1 - a.dampening, a.weightDecay, a.nesterov ? 1 : 0, a.first ? 1 : 0]);
}

export interface AdamArgs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights directly instead of adding wd * p to the gradient. */
  decoupled: boolean;
  amsgrad: boolean;
  /** Step count, starting at 1. */
  step: number;
}

export function adamUpdate(k: Kernels, p: number, g: number, m: number, v: number, vmax: number, n: number, a: AdamArgs): void {
  size('adamUpdate', 'n', n);
  if (!(a.step >= 1)) throw new RangeError(`adamUpdate: step must be >= 1, got ${a.step}`);
  if (n === 0) return;
  const bc1 = 1 - a.beta1 ** a.step;
  const bc2 = 1 - a.beta2 ** a.step;
  const decay = a.decoupled ? 1 - a.lr * a.weightDecay : 1;
  const l2 = a.decoupled ? 0 : a.weightDecay;
  update(k, 'f32_adam', [p, g, m, v, vmax], n, [a.lr / bc1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, Math.sqrt(bc2), l2, decay, a.amsgrad ? 1 : 0]);
}

/** One tensor of a multi-tensor update: pointers as adamUpdate takes them (vmax 0 without amsgrad) and its length. */
export interface AdamTensor {
  p: number;
  g: number;
  m: number;
  v: number;
  vmax: number;
  n: number;
}

const tables = new WeakMap<Kernels, { ptr: number; bytes: number }>();

/** A block of at least `bytes` owned by k for the multi-tensor tables (allocated once, grown as needed; one op at a time). */
function tableBlock(k: Kernels, bytes: number): number {
  let t = tables.get(k);
  if (t === undefined || t.bytes < bytes) {
    if (t !== undefined) k.arena.free(t.ptr);
    t = { ptr: k.arena.alloc(Math.max(bytes, 1024)), bytes: Math.max(bytes, 1024) };
    tables.set(k, t);
  }
  return t.ptr;
}

/**
 * adamUpdate of several tensors that share the step count and options (torch's foreach Adam), in one
 * kernel call, or on several threads in ranges of the tensors laid end to end, cut at multiples of 16
 * floats so the ranges are equal whatever the tensors' sizes (each element's update is independent
 * and the same IEEE operations whether the vector or the scalar loop runs it: the same bits).
 */
export function adamUpdateMulti(k: Kernels, tensors: readonly AdamTensor[], a: AdamArgs): void {
  if (!(a.step >= 1)) throw new RangeError(`adamUpdateMulti: step must be >= 1, got ${a.step}`);
  let total = 0;
  for (const t of tensors) total += size('adamUpdateMulti', 'n', t.n);
  if (total === 0) return;
  const bc1 = 1 - a.beta1 ** a.step;
  const bc2 = 1 - a.beta2 ** a.step;
  const decay = a.decoupled ? 1 - a.lr * a.weightDecay : 1;
  const l2 = a.decoupled ? 0 : a.weightDecay;
  const scalars = [a.lr / bc1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, Math.sqrt(bc2), l2, decay, a.amsgrad ? 1 : 0];
  const threads = threadsFor(k, 8 * total);
  if (threads <= 1) {
    // One call over the whole table.
    const base = tableBlock(k, tensors.length * 24);
    const view = new Uint32Array(k.memory.buffer, base, tensors.length * 6);
    for (let i = 0; i < tensors.length; i++) {
      const t = tensors[i]!;
      view[6 * i] = t.p;
      view[6 * i + 1] = t.g;
      view[6 * i + 2] = t.m;
      view[6 * i + 3] = t.v;
      view[6 * i + 4] = t.vmax;
      view[6 * i + 5] = t.n;
    }
    kernel(k, 'f32_adam_multi')(base, tensors.length, ...scalars);
    return;
  }
  // Each range's entries: the parts of the tensors it covers.
  const parts: number[][] = splitRange(total, threads * PIECES_PER_THREAD, 16).map(([s, e]) => {
    const words: number[] = [];
    let off = 0;
    for (const t of tensors) {
      const lo = Math.max(s, off) - off;
      const hi = Math.min(e, off + t.n) - off;
      if (hi > lo) {
        const at = (p: number) => (p === 0 ? 0 : p + lo * 4);
        words.push(at(t.p), at(t.g), at(t.m), at(t.v), at(t.vmax), hi - lo);
      }
      off += t.n;
    }
    return words;
  });
  const words = parts.reduce((c, w) => c + w.length, 0);
  const base = tableBlock(k, words * 4);
  const view = new Uint32Array(k.memory.buffer, base, words);
  let w = 0;
  runTasks(k, parts.map((p) => {
    view.set(p, w);
    const call = { fn: 'f32_adam_multi', args: [base + w * 4, p.length / 6, ...scalars] };
    w += p.length;
    return call;
  }));
}

export interface AdagradArgs {
  lr: number;
  lrDecay: number;
  eps: number;
  weightDecay: number;
  step: number;
}

export function adagradUpdate(k: Kernels, p: number, g: number, sum: number, n: number, a: AdagradArgs): void {
  size('adagradUpdate', 'n', n);
  if (n === 0) return;
  const clr = a.lr / (1 + (a.step - 1) * a.lrDecay);
  update(k, 'f32_adagrad', [p, g, sum], n, [clr, a.eps, a.weightDecay]);
}

export interface RmspropArgs {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

/** gavg and buf may be 0 when centered / momentum are off. */
export function rmspropUpdate(k: Kernels, p: number, g: number, sq: number, gavg: number, buf: number, n: number, a: RmspropArgs): void {
  size('rmspropUpdate', 'n', n);
  if (n === 0) return;
  update(k, 'f32_rmsprop', [p, g, sq, gavg, buf], n, [a.lr, a.alpha, 1 - a.alpha, a.eps, a.weightDecay, a.momentum, a.centered ? 1 : 0]);
}

export interface AdadeltaArgs {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
}

export function adadeltaUpdate(k: Kernels, p: number, g: number, sq: number, acc: number, n: number, a: AdadeltaArgs): void {
  size('adadeltaUpdate', 'n', n);
  if (n === 0) return;
  update(k, 'f32_adadelta', [p, g, sq, acc], n, [a.lr, a.rho, 1 - a.rho, a.eps, a.weightDecay]);
}

/** Σ x² over n floats, accumulated in float64. */
export function sumSquares(k: Kernels, x: number, n: number): number {
  size('sumSquares', 'n', n);
  if (n === 0) return 0;
  return kernel(k, 'f32_sum_squares')(x, n) as number;
}
