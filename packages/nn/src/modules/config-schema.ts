/**
 * Schemas for module configs (what getConfig() writes and the registry's factories read): each
 * field's type, range and default, declared once beside the factory. Reading a config checks every
 * field, rejects unknown ones with a suggestion, fills in defaults, and names the JSON path of
 * anything wrong (e.g. `children.3.config.kernelSize`).
 */
export interface Field<T> {
  /** What a valid value looks like, for error messages. */
  readonly expects: string;
  /** Absent fields take this value; a field without one is required unless optional. */
  readonly fallback?: { value: T };
  readonly optional?: boolean;
  /** Returns the value if valid, else undefined. */
  read(v: unknown): T | undefined;
}

export type Fields = Record<string, Field<unknown>>;
export type ConfigOf<S extends Fields> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function field<T>(expects: string, read: (v: unknown) => T | undefined, fallback?: T): Field<T> {
  return fallback === undefined ? { expects, read } : { expects, read, fallback: { value: fallback } };
}

/** An integer >= min (default: any integer). */
export function int(opts: { min?: number; default?: number } = {}): Field<number> {
  const min = opts.min ?? -Infinity;
  const expects = min === -Infinity ? 'an integer' : `an integer >= ${min}`;
  return field(expects, (v) => (isInt(v) && v >= min ? v : undefined), opts.default);
}

/** A finite number in [min, max]. */
export function num(opts: { min?: number; max?: number; default?: number } = {}): Field<number> {
  const min = opts.min ?? -Infinity;
  const max = opts.max ?? Infinity;
  const range = min > -Infinity && max < Infinity ? ` in [${min}, ${max}]` : min > -Infinity ? ` >= ${min}` : max < Infinity ? ` <= ${max}` : '';
  return field(`a finite number${range}`, (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : undefined), opts.default);
}

export function bool(fallback?: boolean): Field<boolean> {
  return field('true or false', (v) => (typeof v === 'boolean' ? v : undefined), fallback);
}

export function oneOf<const T extends string>(values: readonly T[], fallback?: T): Field<T> {
  return field(`one of ${values.map((s) => JSON.stringify(s)).join(', ')}`, (v) => (values.includes(v as T) ? (v as T) : undefined), fallback);
}

/** An integer >= min, or a pair [h, w] of them (PyTorch's int or tuple arguments). */
export function pair(opts: { min: number; default?: number }): Field<number | [number, number]> {
  return field(
    `an integer >= ${opts.min} or a pair [h, w] of them`,
    (v) => {
      if (isInt(v)) return v >= opts.min ? v : undefined;
      if (Array.isArray(v) && v.length === 2 && v.every((x) => isInt(x) && x >= opts.min)) return [v[0] as number, v[1] as number];
      return undefined;
    },
    opts.default,
  );
}

/** A finite number > 0, or a pair [h, w] of them (a scale factor). */
export function positivePair(): Field<number | [number, number]> {
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
  return field('a finite number > 0 or a pair [h, w] of them', (v) => {
    if (ok(v)) return v;
    if (Array.isArray(v) && v.length === 2 && v.every(ok)) return [v[0] as number, v[1] as number];
    return undefined;
  });
}

/** An array of integers >= min. */
export function ints(opts: { min: number }): Field<number[]> {
  return field(`an array of integers >= ${opts.min}`, (v) => (Array.isArray(v) && v.every((x) => isInt(x) && x >= opts.min) ? [...(v as number[])] : undefined));
}

/** An array of distinct strings. */
export function uniqueStrings(): Field<string[]> {
  return field('an array of distinct strings', (v) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') && new Set(v).size === v.length ? [...(v as string[])] : undefined,
  );
}

/** The field's value or null. */
export function nullable<T>(f: Field<T>, fallback: T | null = null): Field<T | null> {
  return { expects: `${f.expects}, or null`, read: (v) => (v === null ? null : f.read(v)), fallback: { value: fallback } };
}

/** May be absent (then undefined, so the constructor applies its own default). */
export function optional<T>(f: Field<T>): Field<T | undefined> {
  return { expects: f.expects, read: f.read, optional: true };
}

/** Edit distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length]!;
}

/** ` (did you mean "kernelSize"?)` for the closest known name, or ''. */
export function suggest(name: string, known: Iterable<string>): string {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  let best = '';
  let bestD = Infinity;
  for (const k of known) {
    const dist = Math.min(distance(name.toLowerCase(), k.toLowerCase()), distance(camel, k));
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== '' && bestD <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * Checks `config` against `schema` and returns it with defaults filled in. `where` is the JSON path
 * of the config object (e.g. 'children.3.config') and `type` the module type, both for errors.
 */
export function readConfig<S extends Fields>(schema: S, config: unknown, where: string, type: string): ConfigOf<S> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new Error(`architecture: ${where} (${type}): expected an object of options, got ${show(config)}`);
  }
  const given = config as Record<string, unknown>;
  const known = Object.keys(schema);
  for (const k of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(schema, k)) {
      const fields = known.length === 0 ? `${type} takes no options` : `${type} takes ${known.join(', ')}`;
      throw new Error(`architecture: ${where}.${k}: unknown option for ${type}${suggest(k, known)}; ${fields}`);
    }
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, f] of Object.entries(schema)) {
    const present = Object.prototype.hasOwnProperty.call(given, k) && given[k] !== undefined;
    if (!present) {
      if (f.fallback !== undefined) out[k] = f.fallback.value;
      else if (!f.optional) throw new Error(`architecture: ${where}.${k}: ${type} needs "${k}" (${f.expects})`);
      continue;
    }
    const v = f.read(given[k]);
    if (v === undefined) throw new Error(`architecture: ${where}.${k}: ${type}'s "${k}" must be ${f.expects}, got ${show(given[k])}`);
    out[k] = v;
  }
  return out as ConfigOf<S>;
}
