/** Making tensors: constants, copies of JS data, and seeded random tensors. */
import { fill } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { checkShape, formatShape, sizeOf, type Shape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { defineOp } from '../check/operands.js';
import { bool, checkGenerator, checkOptions, describe, int, num, optionKeys } from '../check/options.js';

export interface CreateOptions {
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}
export const CREATE_OPTIONS = optionKeys<CreateOptions>({ requiresGrad: true });
const RANDN_OPTIONS = optionKeys<RandomOptions & { mean?: number; std?: number }>({ requiresGrad: true, generator: true, mean: true, std: true });
const RAND_OPTIONS = optionKeys<RandomOptions & { low?: number; high?: number }>({ requiresGrad: true, generator: true, low: true, high: true });

/** requiresGrad from checked options (and the generator's type, for random tensors). */
function readCreate(where: string, opts: CreateOptions & { generator?: Generator }, keys: ReadonlySet<string>): boolean {
  checkOptions(where, opts, keys);
  if (opts.generator !== undefined) checkGenerator(where, opts.generator);
  return bool(where, 'requiresGrad', opts.requiresGrad ?? false);
}

export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  const requiresGrad = readCreate('full', opts, CREATE_OPTIONS);
  if (typeof value !== 'number') throw new TypeError(`full: value must be a number, got ${describe(value)}`);
  const t = Tensor.empty(shape);
  fill(t.k, t.ptr, t.size, value);
  t.requiresGrad = requiresGrad;
  return t;
}

export function zeros(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

export const zerosLike = defineOp('zerosLike', 't', function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  return full(t.shape, 0, opts);
});

export const onesLike = defineOp('onesLike', 't', function onesLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  return full(t.shape, 1, opts);
});

export function scalar(value: number, opts: CreateOptions = {}): Tensor {
  return full([], value, opts);
}

type Nested = number | readonly Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as readonly Nested[])[0] as Nested;
  }
  return shape;
}

/** A plain array's entries must be numbers: 'a', null or undefined would become NaN or 0 silently. */
function numbersOnly(values: ArrayLike<unknown>): void {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number') throw new TypeError(`tensor(): data[${i}] is ${describe(values[i])}, not a number`);
  }
}

function flattenInto(data: Nested, shape: Shape, dim: number, out: Float32Array, offset: { i: number }): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw new Error('tensor(): ragged nested array (sub-arrays differ in length)');
    if (typeof data !== 'number') throw new TypeError(`tensor(): entry ${offset.i} of the nested array is ${describe(data)}, not a number`);
    out[offset.i++] = data;
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`tensor(): ragged nested array: expected ${shape[dim]} entries at depth ${dim}`);
  }
  for (const v of data as readonly Nested[]) flattenInto(v, shape, dim + 1, out, offset);
}

/**
 * A tensor holding a copy of `data`: a flat array-like with an explicit shape, or nested arrays whose
 * shape is inferred.
 */
export function tensor(data: ArrayLike<number> | Nested, shape?: Shape, opts: CreateOptions = {}): Tensor {
  const requiresGrad = readCreate('tensor', opts, CREATE_OPTIONS);
  if (data === null || (typeof data !== 'number' && (typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number'))) {
    throw new TypeError(`tensor(): data must be a number, an array or a typed array, got ${describe(data)}`);
  }
  let flat: ArrayLike<number>;
  let s: number[];
  if (typeof data === 'number') {
    flat = [data];
    s = shape ? checkShape(shape, 'tensor') : [];
  } else if (Array.isArray(data) && (data.length === 0 || Array.isArray(data[0]))) {
    s = inferShape(data as Nested);
    const buf = new Float32Array(sizeOf(s));
    flattenInto(data as Nested, s, 0, buf, { i: 0 });
    flat = buf;
    if (shape !== undefined && sizeOf(shape) !== buf.length) {
      throw new Error(`tensor(): data of shape ${formatShape(s)} does not fit shape ${formatShape(shape)}`);
    }
    if (shape !== undefined) s = checkShape(shape, 'tensor');
  } else {
    flat = data as ArrayLike<number>;
    s = shape ? checkShape(shape, 'tensor') : [flat.length];
    if (!ArrayBuffer.isView(flat)) numbersOnly(flat);
  }
  if (sizeOf(s) !== flat.length) {
    throw new Error(`tensor(): ${flat.length} values do not fill shape ${formatShape(s)} (${sizeOf(s)} elements)`);
  }
  const t = Tensor.empty(s);
  t.data.set(flat);
  t.requiresGrad = requiresGrad;
  return t;
}

/** Alias of tensor() with a required shape, for flat data. */
export function fromArray(data: ArrayLike<number>, shape: Shape, opts: CreateOptions = {}): Tensor {
  return tensor(data, shape, opts);
}

/** Standard normal samples (mean 0, std 1) scaled by std and shifted by mean. */
export function randn(shape: Shape, opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const requiresGrad = readCreate('randn', opts, RANDN_OPTIONS);
  const g = opts.generator ?? defaultGenerator;
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  const t = Tensor.empty(shape);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * g.normal();
  t.requiresGrad = requiresGrad;
  return t;
}

/** Uniform samples in [low, high) (default [0, 1)). */
export function rand(shape: Shape, opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const requiresGrad = readCreate('rand', opts, RAND_OPTIONS);
  const g = opts.generator ?? defaultGenerator;
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  const t = Tensor.empty(shape);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * g.uniform();
  t.requiresGrad = requiresGrad;
  return t;
}

/** 0, 1, ..., n-1 (or start..end by step). */
export function arange(start: number, end?: number, step = 1): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  num('arange', 'start', start);
  num('arange', 'end', end);
  num('arange', 'step', step);
  if (step === 0) throw new Error('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const t = Tensor.empty([n]);
  const d = t.data;
  for (let i = 0; i < n; i++) d[i] = start + i * step;
  return t;
}

/** The n x n identity matrix. */
export function eye(n: number): Tensor {
  int('eye', 'n', n, 0);
  const t = zeros([n, n]);
  const d = t.data;
  for (let i = 0; i < n; i++) d[i * n + i] = 1;
  return t;
}
