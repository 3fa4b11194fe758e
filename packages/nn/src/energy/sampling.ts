/**
 * Sampling ops on the kernels' Philox generator. Each call draws a fresh 64-bit key from the seeded
 * Generator (two nextU32), so a seeded run is bit-identical and its samples do not depend on how
 * many threads run the kernels. No gradients flow through samples; ops never record a graph.
 */
import { axpy, bernoulliPhilox, bernoulliSigmoidPhilox, cdBiasGrad, copy, gemm, normalPhilox, uniformPhilox, type PhiloxKey } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { affine, sub } from '../functional/elementwise.js';
import { sum } from '../functional/reduce.js';
import { defineOp } from '../check/operands.js';
import { checkGenerator, checkOptions, num, optionKeys } from '../check/options.js';
import { defaultGenerator, type Generator } from '../random/generator.js';

export interface SampleOptions {
  generator?: Generator;
}
export interface SigmoidSampleOptions extends SampleOptions {
  /** Inverse temperature: the probabilities are sigmoid(beta x). Default 1. */
  beta?: number;
}
const SAMPLE_OPTIONS = optionKeys<SampleOptions>({ generator: true });
const SIGMOID_OPTIONS = optionKeys<SigmoidSampleOptions>({ generator: true, beta: true });

function keyFrom(where: string, opts: SampleOptions): PhiloxKey {
  if (opts.generator !== undefined) checkGenerator(where, opts.generator);
  const g = opts.generator ?? defaultGenerator;
  return { k0: g.nextU32(), k1: g.nextU32() };
}

/** A binary unit's conditional and its sample: prob = sigmoid(beta x), sample = 1 with that probability. */
export const bernoulliSigmoid = defineOp(
  'bernoulliSigmoid',
  'x opts:any',
  function bernoulliSigmoid(x: Tensor, opts: SigmoidSampleOptions = {}): { prob: Tensor; sample: Tensor } {
    checkOptions('bernoulliSigmoid', opts, SIGMOID_OPTIONS);
    const beta = opts.beta === undefined ? 1 : num('bernoulliSigmoid', 'beta', opts.beta);
    const prob = Tensor.empty(x.shape), sample = Tensor.empty(x.shape);
    bernoulliSigmoidPhilox(x.k, x.ptr, prob.ptr, sample.ptr, x.size, beta, keyFrom('bernoulliSigmoid', opts));
    return { prob, sample };
  },
);

/** 1 with probability p, else 0, elementwise. */
export const bernoulli = defineOp('bernoulli', 'p opts:any', function bernoulli(p: Tensor, opts: SampleOptions = {}): Tensor {
  checkOptions('bernoulli', opts, SAMPLE_OPTIONS);
  const out = Tensor.empty(p.shape);
  bernoulliPhilox(p.k, p.ptr, out.ptr, p.size, keyFrom('bernoulli', opts));
  return out;
});

/** mean + std * N(0, 1), elementwise (Gaussian units). */
export const normalAround = defineOp(
  'normalAround',
  'mean std:number opts:any',
  function normalAround(mean: Tensor, std: number, opts: SampleOptions = {}): Tensor {
    checkOptions('normalAround', opts, SAMPLE_OPTIONS);
    num('normalAround', 'std', std, 0);
    const out = Tensor.empty(mean.shape);
    normalPhilox(mean.k, mean.ptr, out.ptr, mean.size, std, keyFrom('normalAround', opts));
    return out;
  },
);

/** Uniform [0, 1) numbers as a Float32Array (for the samplers that run in JavaScript). */
export function uniformArray(k: Tensor['k'], n: number, g: Generator): Float32Array {
  if (n === 0) return new Float32Array(0);
  const t = Tensor.empty([n], k);
  uniformPhilox(k, t.ptr, n, { k0: g.nextU32(), k1: g.nextU32() });
  const out = t.toArray();
  t.dispose();
  return out;
}

/** Adds `g` into `p.grad` (creating it, kept, on first use), as backward() accumulates into leaves. */
export function accumulateGrad(p: Tensor, g: Tensor): void {
  if (p.grad === null || p.grad.isDisposed) {
    const own = Tensor.empty(p.shape, p.k).keep();
    copy(p.k, own.ptr, g.ptr, g.size);
    own.name = p.name ? `${p.name}.grad` : undefined;
    p.grad = own;
  } else {
    axpy(p.k, p.grad.ptr, g.ptr, g.size, 1);
    p.grad.version++;
  }
}

/**
 * p.grad += alpha a^T b for a [rows, out] and b [rows, in] (p is [out, in]): one GEMM with the
 * transposed A straight into the gradient (created zero-filled and kept on first use), so the
 * contrastive-divergence statistics need no transposed or concatenated copies.
 */
export function accumulateOuterGrad(p: Tensor, a: Tensor, b: Tensor, alpha: number): void {
  const rows = a.shape[0]!, M = a.shape[1]!, N = b.shape[1]!;
  if (a.ndim !== 2 || b.ndim !== 2 || b.shape[0] !== rows || p.ndim !== 2 || p.shape[0] !== M || p.shape[1] !== N) {
    throw new Error(`accumulateOuterGrad: expected a [rows, ${p.shape[0]}] and b [rows, ${p.shape[1]}], got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  const fresh = ownGrad(p);
  const grad = p.grad!;
  gemm(p.k, true, false, M, N, rows, alpha, a.ptr, Math.max(1, M), b.ptr, Math.max(1, N), fresh ? 0 : 1, grad.ptr, Math.max(1, N));
  grad.version++;
}

/**
 * p.grad += alphaA sum_i a[i] - alphaB sum_i b[i] for a [rowsA, n] and b [rowsB, n] (p is [n]): a
 * contrastive-divergence bias gradient in one kernel call straight into the gradient (created and kept
 * on first use), the bits the separate column sums, scalings, difference and add give. One column is
 * summed as a row by reduce, so p of size 1 keeps the separate ops.
 */
export function accumulateBiasGrad(p: Tensor, a: Tensor, alphaA: number, b: Tensor, alphaB: number): void {
  const n = p.size;
  if (p.ndim !== 1 || a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== n || b.shape[1] !== n) {
    throw new Error(`accumulateBiasGrad: expected a [rows, ${n}] and b [rows, ${n}] for p [${p.shape.join(', ')}], got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  if (n < 2) return accumulateGrad(p, sub(affine(sum(a, 0), alphaA), affine(sum(b, 0), alphaB)));
  const fresh = ownGrad(p);
  const grad = p.grad!;
  cdBiasGrad(p.k, grad.ptr, a.ptr, a.shape[0]!, alphaA, b.ptr, b.shape[0]!, alphaB, n, !fresh);
  grad.version++;
}

/** Gives p a kept gradient tensor (uninitialised) when it has none; returns true if it is new (to be overwritten, not added to). */
export function ownGrad(p: Tensor): boolean {
  if (p.grad !== null && !p.grad.isDisposed) return false;
  const own = Tensor.empty(p.shape, p.k).keep();
  own.name = p.name ? `${p.name}.grad` : undefined;
  p.grad = own;
  return true;
}
