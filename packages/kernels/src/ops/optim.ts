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
import { splitOver } from '../threads/index.js';

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
