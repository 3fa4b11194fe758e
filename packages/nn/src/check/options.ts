/**
 * Option objects and hyper-parameters, checked where they are given (a layer's constructor, an
 * optimizer, fit), so a typo or a bad value fails at once with the API's name instead of being
 * ignored (`weight_decay` for `weightDecay`) or failing later inside a kernel.
 *
 * Each API lists its keys once, beside its options interface, with `optionKeys<Options>({...})`:
 * the compiler rejects a list that misses a key of the interface or names one it lacks.
 */
import { Generator } from '../random/generator.js';
import { Tensor } from '../tensor/tensor.js';

/** The keys of T as a runtime list; the object literal must name every key of T and no other. */
export function optionKeys<T>(keys: { [K in keyof Required<T>]: true }): ReadonlySet<string> {
  return new Set(Object.keys(keys));
}

/** Joins two key lists (an interface that extends another). */
export function joinKeys(...lists: ReadonlyArray<ReadonlySet<string>>): ReadonlySet<string> {
  return new Set(lists.flatMap((l) => [...l]));
}

/** A value as it should appear in a message: `"a"` for a string, `[1, 2]`, `undefined`, `NaN`. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (typeof v === 'symbol') return v.toString();
  if (v instanceof Tensor) return `Tensor ${JSON.stringify(v.shape)}`;
  const ctor = (v as object).constructor?.name;
  if (ArrayBuffer.isView(v)) return `${ctor}(${(v as unknown as ArrayLike<number>).length})`;
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    // cyclic: fall through
  }
  return ctor ? `a ${ctor}` : String(v);
}

/** `string "a"`, `undefined`, `2.5`, `Float32Array(3)`: the value, typed where it could be misread. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return `string ${show(v)}`;
  if (typeof v === 'bigint') return `bigint ${v}`;
  return show(v);
}

/** Edits (insert, delete, substitute, swap two neighbours) from a to b: 'bais' is one from 'bias'. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known key `name` most likely stands for: its camelCase form (`weight_decay`, any case), else
 * the closest by edit distance, else one that starts with it or that it starts with (`pad`, `epsilon`).
 */
export function closestKey(name: string, known: Iterable<string>): string | undefined {
  const camel = name.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  const lower = camel.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  let prefix: string | undefined;
  for (const k of known) {
    const kl = k.toLowerCase();
    if (kl === lower) return k;
    if (prefix === undefined && Math.min(kl.length, lower.length) >= 3 && (kl.startsWith(lower) || lower.startsWith(kl))) prefix = k;
    const dist = distance(lower, k.toLowerCase());
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : prefix;
}

/**
 * Throws unless `options` is undefined or a plain object whose keys are all in `allowed`:
 * `SGD: unknown option "weight_decay"; did you mean "weightDecay"?`.
 */
export function checkOptions(where: string, options: unknown, allowed: ReadonlySet<string>): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key in options) {
    if (allowed.has(key)) continue;
    const near = closestKey(key, allowed);
    const hint = near !== undefined ? `did you mean "${near}"?` : allowed.size === 0 ? 'it takes no options' : `the options are ${[...allowed].join(', ')}`;
    throw new TypeError(`${where}: unknown option "${key}"; ${hint}`);
  }
}

/* Hyper-parameters: each check names the API and the parameter, and returns the value. */

function fail(where: string, name: string, must: string, v: unknown): never {
  throw new RangeError(`${where}: ${name} must be ${must}, got ${describe(v)}`);
}

/** An integer >= min (default 1). */
export function int(where: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    fail(where, name, min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : min === -Infinity ? 'an integer' : `an integer >= ${min}`, v);
  }
  return v;
}

/** A finite number in [lo, hi] (bounds excluded where `open` says). NaN and ±Infinity fail. */
export function num(where: string, name: string, v: unknown, lo = -Infinity, hi = Infinity, open: { lo?: boolean; hi?: boolean } = {}): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (open.lo ? v > lo : v >= lo) && (open.hi ? v < hi : v <= hi);
  if (!ok) {
    const range =
      lo === -Infinity && hi === Infinity ? 'a finite number'
        : hi === Infinity ? `a number ${open.lo ? '>' : '>='} ${lo}`
          : lo === -Infinity ? `a number ${open.hi ? '<' : '<='} ${hi}`
            : `a number in ${open.lo ? '(' : '['}${lo}, ${hi}${open.hi ? ')' : ']'}`;
    fail(where, name, range, v);
  }
  return v as number;
}

export function bool(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(where, name, 'true or false', v);
  return v;
}

export function oneOf<const T extends string>(where: string, name: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(where, name, values.map((s) => `'${s}'`).join(', ').replace(/, ([^,]*)$/, ' or $1'), v);
  return v as T;
}

/** A size given as one integer or a pair, each >= min: returns the pair. */
export function intPair(where: string, name: string, v: unknown, min = 1): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : null;
  const must = min === 1 ? 'a positive integer or a pair of them' : min === 0 ? 'a non-negative integer or a pair of them' : `an integer >= ${min} or a pair of them`;
  if (p === null || !p.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= min)) fail(where, name, must, v);
  return [p[0] as number, p[1] as number];
}

/** 0/1 values (a mask): throws naming the first other value and its position. */
export function checkMask(where: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== 0 && v !== 1) throw new RangeError(`${where}: ${name}[${i}] = ${show(v)}; a mask holds only 0 and 1`);
  }
}

/**
 * An optimizer's options and, when parameters come in groups, each group's options (plus
 * `params`): `SGD: unknown option "weight_decay"; did you mean "weightDecay"?`.
 */
export function checkOptimizerOptions(where: string, params: unknown, options: unknown, allowed: ReadonlySet<string>): void {
  checkOptions(where, options, allowed);
  if (!Array.isArray(params)) throw new TypeError(`${where}: params must be an array of tensors or of parameter groups, got ${describe(params)}`);
  const groupKeys = new Set([...allowed, 'params']);
  params.forEach((g: unknown, i) => {
    if (g === null || typeof g !== 'object' || g instanceof Tensor) return;
    if (!Array.isArray((g as { params?: unknown }).params)) {
      throw new TypeError(`${where}: parameter group ${i} must have a params array, got ${show(g)}`);
    }
    checkOptions(`${where}: parameter group ${i}`, g, groupKeys);
  });
}

/** A Generator instance (layers' `generator` option). */
export function checkGenerator(where: string, v: unknown): void {
  if (!(v instanceof Generator)) throw new TypeError(`${where}: generator must be a Generator (new Generator(seed)), got ${describe(v)}`);
}
