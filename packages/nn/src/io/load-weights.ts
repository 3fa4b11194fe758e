/**
 * Loading a decoded safetensors file into a module: which tensors go where, in which dtype, and the
 * checks made before anything is written (the module is untouched by a failed load).
 *
 * - Float tensors (F64, F32, F16, BF16, F8) load into the parameter or buffer of the same name,
 *   converted to float32 as PyTorch's load_state_dict converts them (round to nearest).
 * - Integer and bool tensors load the same way when every value is exactly a float32 (e.g. PyTorch's
 *   I64 `num_batches_tracked`); a value that is not is an error naming the tensor, index and value.
 * - Tensors of names the module lacks are unexpected keys, whatever their dtype (an error when
 *   strict, reported when not); shape mismatches are always errors.
 * - With `allowNonFinite: false`, a NaN or infinity in a tensor to load is an error naming the
 *   tensor and its first bad index.
 */
import type { Module, StateEntry } from '../modules/module.js';
import { DTYPES, readExact } from './dtypes.js';
import type { Decoded, SafeTensor } from './safetensors.js';

export interface LoadWeightsOptions {
  /** Missing and unexpected keys are errors (default true), as in PyTorch's load_state_dict. */
  strict?: boolean;
  /** Accept NaN and infinities in the weights (default true, as PyTorch). */
  allowNonFinite?: boolean;
}

export interface LoadWeightsResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Reads `strict` given as a boolean (the old signature) or as options. */
export function loadOptions(opts: boolean | LoadWeightsOptions | undefined): Required<LoadWeightsOptions> {
  if (typeof opts === 'boolean') return { strict: opts, allowNonFinite: true };
  const o = opts ?? {};
  if (typeof o !== 'object') throw new Error(`load options: expected { strict?, allowNonFinite? }, got ${String(o)}`);
  for (const k of Object.keys(o)) {
    if (k !== 'strict' && k !== 'allowNonFinite') throw new Error(`load options: unknown option "${k}" (known: strict, allowNonFinite)`);
  }
  for (const k of ['strict', 'allowNonFinite'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new Error(`load options: "${k}" must be true or false, got ${JSON.stringify(o[k])}`);
  }
  return { strict: o.strict ?? true, allowNonFinite: o.allowNonFinite ?? true };
}

function coordinate(shape: readonly number[], index: number): string {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(index % shape[d]!);
    index = Math.floor(index / shape[d]!);
  }
  return `[${out.join(', ')}]`;
}

/** Why an integer or bool tensor cannot be loaded as float32 exactly, or null. */
function inexactInteger(name: string, t: SafeTensor): string | null {
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  for (let i = 0; i < t.data.length; i++) {
    const stored = readExact(view, 0, t.dtype, i);
    const exact = typeof stored === 'bigint' ? BigInt(t.data[i]!) === stored : t.data[i] === stored;
    if (!exact) {
      return `"${name}" (${t.dtype}): value ${stored} at index ${i} ${coordinate(t.shape, i)} is not exactly a float32, so it cannot be loaded without rounding`;
    }
  }
  return null;
}

/**
 * Loads the decoded tensors into `model` (see the file comment). `op` names the caller in errors.
 * Returns the missing and unexpected keys, like PyTorch's load_state_dict.
 */
export function loadDecoded(model: Module, decoded: Decoded, options: boolean | LoadWeightsOptions | undefined, op: string): LoadWeightsResult {
  const opts = loadOptions(options);
  const own = model.stateDict();
  const entries = new Map<string, StateEntry>();
  const problems: string[] = [];
  for (const [name, t] of Object.entries(decoded.tensors)) {
    entries.set(name, { shape: t.shape, data: t.data });
    if (!own.has(name)) continue;
    const kind = DTYPES[t.dtype].kind;
    if (kind !== 'float') {
      const why = t.dtype === 'BOOL' ? null : inexactInteger(name, t);
      if (why !== null) problems.push(why);
    }
    if (!opts.allowNonFinite) {
      const bad = t.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        problems.push(`"${name}" holds ${t.data[bad]} at index ${bad} ${coordinate(t.shape, bad)} (non-finite weights refused: allowNonFinite is false)`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`${op}: ${problems.join('; ')}`);
  try {
    return model.loadStateDict(entries, { strict: opts.strict });
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message}`, { cause: e });
  }
}
