/**
 * The one place ops check what they are given. Every public op is defined through `defineOp(name,
 * params, body)`: before the body runs, each argument is checked against its declared kind, so
 * `add(t, 'a')` fails with `add: argument "b" must be a Tensor or a number, got string "a"` instead
 * of "Cannot read properties of undefined" somewhere inside.
 *
 * `params` lists the arguments in order, each `name` or `name:kind`:
 *   tensor (the default)  a Tensor
 *   tensor?               a Tensor, null or undefined
 *   operand               a Tensor or a number
 *   tensors               a non-empty array of Tensors
 *   number, number?       a number (undefined allowed with ?)
 *   any                   not checked here (labels, options: the body checks them)
 */
import { Tensor } from '../tensor/tensor.js';
import { describe } from './options.js';
import { activeTracer } from '../tensor/trace-hook.js';

type Check = (v: unknown) => string | null;

const KINDS: Record<string, Check> = {
  tensor: (v) => (v instanceof Tensor ? null : 'a Tensor'),
  'tensor?': (v) => (v instanceof Tensor || v === null || v === undefined ? null : 'a Tensor or null'),
  operand: (v) => (v instanceof Tensor || typeof v === 'number' ? null : 'a Tensor or a number'),
  tensors: (v) => (Array.isArray(v) && v.length > 0 && v.every((t) => t instanceof Tensor) ? null : 'a non-empty array of Tensors'),
  number: (v) => (typeof v === 'number' ? null : 'a number'),
  'number?': (v) => (typeof v === 'number' || v === undefined ? null : 'a number'),
  any: () => null,
};

function argumentError(opName: string, name: string, must: string, v: unknown): TypeError {
  if (must === 'a non-empty array of Tensors' && Array.isArray(v)) {
    const i = v.findIndex((t) => !(t instanceof Tensor));
    if (i >= 0) return new TypeError(`${opName}: argument "${name}" must be an array of Tensors, but ${name}[${i}] is ${describe(v[i])}`);
    return new TypeError(`${opName}: argument "${name}" must be a non-empty array of Tensors, got []`);
  }
  return new TypeError(`${opName}: argument "${name}" must be ${must}, got ${describe(v)}`);
}

/** Throws unless `v` is a Tensor: `Linear(3, 4): input must be a Tensor, got string "x"` (for layers' forward). */
export function tensorArg(where: string | (() => string), name: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${typeof where === 'string' ? where : where()}: ${name} must be a Tensor, got ${describe(v)}`);
}

/** Wraps `body` so its arguments are checked first; the result has body's exact type. */
export function defineOp<F extends (...args: never[]) => unknown>(opName: string, params: string, body: F): F {
  const specs = params.split(/\s+/).filter(Boolean).map((p) => {
    const [name, kind = 'tensor'] = p.split(':') as [string, string?];
    const check = KINDS[kind];
    if (check === undefined) throw new Error(`defineOp(${opName}): unknown argument kind "${kind}"`);
    return { name, check };
  });
  const n = specs.length;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    for (let i = 0; i < n; i++) {
      const s = specs[i]!;
      const must = s.check(args[i]);
      if (must !== null) throw argumentError(opName, s.name, must, args[i]);
    }
    const tracer = activeTracer();
    if (tracer !== null) return tracer.op(opName, args, () => (body as unknown as (...a: unknown[]) => unknown).apply(this, args));
    return (body as unknown as (...a: unknown[]) => unknown).apply(this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: body.name || opName });
  return wrapped as unknown as F;
}
