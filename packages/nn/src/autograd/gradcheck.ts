/**
 * Finite-difference gradient check. The output is projected onto a fixed random direction w, so one
 * backward pass gives the gradient of L = Σ w·f(x) for every input; each checked input element is
 * then nudged by ±eps and L recomputed (in float64 on the JS side) for a central difference.
 */
import { Tensor } from '../tensor/tensor.js';
import { noGrad, tidy } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import { Generator } from '../random/generator.js';
import { mul } from '../functional/elementwise.js';
import { sum } from '../functional/reduce.js';
import { tensor } from '../functional/creation.js';
import { backward } from './backward.js';
import { checkOptions, describe, int, joinKeys, num, optionKeys } from '../check/options.js';

export interface GradCheckOptions {
  /** Step of the central difference (default 1e-3; inputs are float32). */
  eps?: number;
  /** Absolute tolerance (default 1e-3). */
  atol?: number;
  /** Relative tolerance (default 1e-2). */
  rtol?: number;
  /** Check at most this many elements per input, chosen at random (default: all up to 256). */
  maxPerInput?: number;
  /** Seed of the projection and of the element choice. */
  seed?: number;
}
const GRAD_CHECK_OPTIONS = optionKeys<GradCheckOptions>({ eps: true, atol: true, rtol: true, maxPerInput: true, seed: true });
const ASSERT_GRAD_CHECK_OPTIONS = joinKeys(GRAD_CHECK_OPTIONS, new Set(['name']));

export interface GradCheckMismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradCheckResult {
  ok: boolean;
  checked: number;
  maxAbsError: number;
  mismatches: GradCheckMismatch[];
}

/**
 * Compares the analytic gradients of fn at `inputs` with central differences. Inputs must be
 * leaf tensors; their requiresGrad is set for the check. Returns the comparison; use
 * `assertGradCheck` to throw with the worst mismatches.
 */
export function gradCheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions = {},
): GradCheckResult {
  return check(fn, inputs, options, 'gradCheck', GRAD_CHECK_OPTIONS);
}

function check(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions,
  where: string,
  keys: ReadonlySet<string>,
): GradCheckResult {
  checkOptions(where, options, keys);
  if (typeof fn !== 'function') throw new TypeError(`${where}: fn must be a function of the inputs, got ${describe(fn)}`);
  if (!Array.isArray(inputs) || !inputs.every((x) => x instanceof Tensor)) {
    throw new TypeError(`${where}: inputs must be an array of Tensors, got ${describe(inputs)}`);
  }
  const eps = num(where, 'eps', options.eps ?? 1e-3, 0, Infinity, { lo: true });
  const atol = num(where, 'atol', options.atol ?? 1e-3, 0);
  const rtol = num(where, 'rtol', options.rtol ?? 1e-2, 0);
  const maxPer = int(where, 'maxPerInput', options.maxPerInput ?? 256);
  const gen = new Generator(int(where, 'seed', options.seed ?? 1234, 0));

  for (const x of inputs) {
    if (x.node !== null) throw new Error(`gradCheck: inputs must be leaf tensors, ${x} is computed`);
    x.requiresGrad = true;
    if (x.grad !== null) {
      x.grad.dispose();
      x.grad = null;
    }
  }

  let w: Float64Array = new Float64Array(0);
  let outShape: readonly number[] = [];
  tidy(() => {
    const y = fn(...inputs);
    outShape = y.shape;
    w = Float64Array.from({ length: y.size }, () => gen.uniform() * 2 - 1);
    const wt = tensor(Float32Array.from(w), y.shape);
    backward(sum(mul(y, wt)));
  });

  const objective = (): number =>
    noGrad(() =>
      tidy(() => {
        const y = fn(...inputs);
        if (y.size !== w.length) {
          throw new Error(`gradCheck: fn gave ${formatShape(y.shape)} after ${formatShape(outShape)}: not deterministic?`);
        }
        const d = y.data;
        let acc = 0;
        for (let i = 0; i < d.length; i++) acc += d[i]! * w[i]!;
        return acc;
      }),
    );

  const mismatches: GradCheckMismatch[] = [];
  let checked = 0;
  let maxAbsError = 0;
  inputs.forEach((x, inputIndex) => {
    const analytic = x.grad === null ? new Float32Array(x.size) : x.grad.toArray();
    const indices =
      x.size <= maxPer ? Array.from({ length: x.size }, (_, i) => i) : Array.from(gen.permutation(x.size).slice(0, maxPer));
    for (const i of indices) {
      const orig = x.data[i]!;
      x.data[i] = orig + eps;
      const fPlus = objective();
      x.data[i] = orig - eps;
      const fMinus = objective();
      x.data[i] = orig;
      // The perturbation actually applied is what float32 could represent.
      const h = Math.fround(orig + eps) - Math.fround(orig - eps);
      const numeric = (fPlus - fMinus) / h;
      const a = analytic[i]!;
      const err = Math.abs(a - numeric);
      maxAbsError = Math.max(maxAbsError, err);
      checked++;
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        mismatches.push({ input: inputIndex, index: i, analytic: a, numeric });
      }
    }
  });
  return { ok: mismatches.length === 0, checked, maxAbsError, mismatches };
}

/** gradCheck that throws an error listing the worst mismatches (for tests). */
export function assertGradCheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions & { name?: string } = {},
): GradCheckResult {
  const r = check(fn, inputs, options, 'assertGradCheck', ASSERT_GRAD_CHECK_OPTIONS);
  if (!r.ok) {
    const worst = [...r.mismatches]
      .sort((p, q) => Math.abs(q.analytic - q.numeric) - Math.abs(p.analytic - p.numeric))
      .slice(0, 5)
      .map((m) => `input ${m.input} [${m.index}]: analytic ${m.analytic}, numeric ${m.numeric}`)
      .join('; ');
    throw new Error(
      `gradient check failed${options.name ? ` for ${options.name}` : ''}: ${r.mismatches.length} of ${r.checked} ` +
        `elements differ: ${worst}`,
    );
  }
  return r;
}
