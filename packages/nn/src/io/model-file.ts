/**
 * Model files: one safetensors file holding the weights (names = stateDict keys, so PyTorch's
 * safetensors library reads it and load_state_dict accepts it) and, in the header's `__metadata__`
 * (string values only, per the format), the architecture as JSON:
 *   {"format": "pt", "deepwasm.architecture": "{\"format\":\"deepwasm-model\",\"version\":1,\"architecture\":{...}}"}
 * One file means one rename: a save is atomic as a whole (temp file, fsync, rename; see
 * atomic-file.ts). The old two-file form (`x.safetensors` + `x.json`) is still read. Browsers get and
 * give bytes or Blobs of the same one file.
 */
import type { Module, ModuleConfig } from '../modules/module.js';
import { MAX_MODULE_DEPTH, moduleFromConfig } from '../modules/registry.js';
import { decodeSafetensors, encodeSafetensors, type Decoded, type TensorToEncode } from './safetensors.js';
import { writeFileAtomic } from './atomic-file.js';
import { nodeBuiltin } from '@deepwasm/kernels';
import { parseStrictJson, isJsonObject } from './strict-json.js';
import { loadDecoded, type LoadWeightsOptions, type LoadWeightsResult } from './load-weights.js';

export type { LoadWeightsOptions, LoadWeightsResult } from './load-weights.js';

const FORMAT = 'deepwasm-model';
/** The metadata key of the architecture; '' marks a file saved from a module without getConfig. */
export const ARCHITECTURE_KEY = 'deepwasm.architecture';
/** Buffers PyTorch keeps as int64: written as I64 so torch's load_state_dict gets its own dtype. */
const INT64_BUFFER = /(^|\.)num_batches_tracked$/;
/** JSON nesting allowed in an architecture: each module level is two JSON levels (module, children), options one or two more. */
const MAX_JSON_DEPTH = 2 * MAX_MODULE_DEPTH + 8;

/** The model's parameters and buffers as a safetensors file, with optional string metadata. */
export function weightsToBytes(model: Module, metadata: Record<string, string> = {}): Uint8Array {
  const entries = new Map<string, TensorToEncode>();
  for (const [name, t] of model.stateDict()) {
    entries.set(name, { dtype: INT64_BUFFER.test(name) ? 'I64' : 'F32', shape: [...t.shape], data: t.toArray() });
  }
  return encodeSafetensors(entries, { format: 'pt', ...metadata });
}

/** Loads safetensors bytes into `model`; see load-weights.ts for the rules. Nothing is half-loaded. */
export function loadWeightsFromBytes(model: Module, bytes: Uint8Array, options: boolean | LoadWeightsOptions = true): LoadWeightsResult {
  return loadDecoded(model, decodeSafetensors(bytes), options, 'loadWeights');
}

export interface SavedArchitecture {
  format: typeof FORMAT;
  version: 1;
  architecture: ModuleConfig;
}

export function architectureToJson(model: Module): string {
  const doc: SavedArchitecture = { format: FORMAT, version: 1, architecture: model.getConfig() };
  return JSON.stringify(doc);
}

/** Rebuilds a module from architecture JSON, checked whole (see registry.ts) before anything is built. */
export function moduleFromJson(json: string): Module {
  if (typeof json !== 'string') throw new Error(`architecture: expected JSON text, got ${typeof json}`);
  const doc = parseStrictJson(json, {
    maxDepth: MAX_JSON_DEPTH,
    what: 'architecture file is not valid JSON',
    depthHint: ` (modules may nest at most ${MAX_MODULE_DEPTH} deep; corrupted or hostile file?)`,
  });
  if (!isJsonObject(doc) || doc.format !== FORMAT) throw new Error(`architecture file: expected "format": "${FORMAT}"`);
  for (const k of Object.keys(doc)) {
    if (k !== 'format' && k !== 'version' && k !== 'architecture') throw new Error(`architecture file: unknown field "${k}" (expected format, version, architecture)`);
  }
  if (doc.version !== 1) throw new Error(`architecture file: unsupported version ${JSON.stringify(doc.version)} (this library reads 1)`);
  return moduleFromConfig(doc.architecture as unknown as ModuleConfig);
}

/** The model as one safetensors file with its architecture in the metadata. */
export function modelToBytes(model: Module): Uint8Array {
  return weightsToBytes(model, { [ARCHITECTURE_KEY]: architectureToJson(model) });
}

/**
 * Rebuilds a model from the one-file form (the architecture in the metadata) or, given
 * `architectureJson`, from the old two-file form.
 */
function modelFromDecoded(decoded: Decoded, architectureJson: string | null, options: boolean | LoadWeightsOptions | undefined, op: string, file: string): Module {
  const embedded = decoded.metadata[ARCHITECTURE_KEY];
  const json = architectureJson ?? embedded;
  if (json === undefined) throw new Error(`${op}: ${file} has no "${ARCHITECTURE_KEY}" in its metadata (a weights-only safetensors file: build the model and use loadWeights)`);
  if (json === '') throw new Error(`${op}: ${file} was saved from a module without getConfig: it holds weights only (build the model and use loadWeights)`);
  let model: Module;
  try {
    model = moduleFromJson(json);
  } catch (e) {
    throw new Error(`${op}: ${file}: ${(e as Error).message}`, { cause: e });
  }
  loadDecoded(model, decoded, options, `${op}: ${file}`);
  return model;
}

/**
 * Browser or Node: rebuilds a model from the bytes of one file (architecture in the metadata), or
 * from the old two-file form `modelFromBuffers(architectureJson, weights)`.
 */
export function modelFromBuffers(bytes: ArrayBuffer | Uint8Array, options?: LoadWeightsOptions): Module;
export function modelFromBuffers(architectureJson: string, weights: ArrayBuffer | Uint8Array, options?: LoadWeightsOptions): Module;
export function modelFromBuffers(a: string | ArrayBuffer | Uint8Array, b?: ArrayBuffer | Uint8Array | LoadWeightsOptions, c?: LoadWeightsOptions): Module {
  const asBytes = (x: ArrayBuffer | Uint8Array): Uint8Array => (x instanceof Uint8Array ? x : new Uint8Array(x));
  if (typeof a === 'string') {
    if (!(b instanceof Uint8Array || b instanceof ArrayBuffer)) throw new Error('modelFromBuffers(architectureJson, weights): weights must be an ArrayBuffer or Uint8Array');
    return modelFromDecoded(decodeSafetensors(asBytes(b)), a, c, 'modelFromBuffers', 'the weights');
  }
  if (b instanceof Uint8Array || b instanceof ArrayBuffer) throw new Error('modelFromBuffers: give the model bytes alone, or (architectureJson, weights)');
  return modelFromDecoded(decodeSafetensors(asBytes(a)), null, b, 'modelFromBuffers', 'the model file');
}

/** Browser: the model as one Blob (a safetensors file, architecture included). */
export function modelToBlob(model: Module): Blob {
  return new Blob([modelToBytes(model) as BlobPart], { type: 'application/octet-stream' });
}

/**
 * Browser, kept for old callers: `weights` is the one-file model (architecture included; it alone
 * is enough for modelFromBuffers), `architecture` the same JSON on its own.
 */
export function modelToBlobs(model: Module): { weights: Blob; architecture: Blob } {
  return { weights: modelToBlob(model), architecture: new Blob([architectureToJson(model)], { type: 'application/json' }) };
}

/** The file saveModel writes for `path`: `x`, `x.safetensors` and (old habit) `x.json` all mean `x.safetensors`. */
export function modelPath(path: string): string {
  return `${path.replace(/\.(safetensors|json)$/, '')}.safetensors`;
}

/** The two files of the old form: `<base>.safetensors` and `<base>.json`. */
export function modelPaths(base: string): { weights: string; architecture: string } {
  const stem = base.replace(/\.(safetensors|json)$/, '');
  return { weights: `${stem}.safetensors`, architecture: `${stem}.json` };
}

/**
 * Node: saves the model as one safetensors file (architecture in the metadata) with one atomic
 * rename, creating missing folders. A module without getConfig is saved as weights only. An old
 * architecture file `<base>.json` beside it (the two-file form) is removed once the new file is in
 * place. Errors name the path given.
 */
export async function saveModel(model: Module, path: string): Promise<{ path: string; architecture: boolean }> {
  const file = modelPath(path);
  let architecture = '';
  try {
    architecture = architectureToJson(model);
  } catch {
    architecture = ''; // a custom module without getConfig: weights only
  }
  let bytes: Uint8Array;
  try {
    bytes = weightsToBytes(model, { [ARCHITECTURE_KEY]: architecture });
  } catch (e) {
    throw new Error(`saveModel("${path}"): ${(e as Error).message}`, { cause: e });
  }
  await writeFileAtomic(file, bytes, `saveModel("${path}")`);
  await removeOldArchitecture(modelPaths(path).architecture);
  return { path: file, architecture: architecture !== '' };
}

async function removeOldArchitecture(jsonPath: string): Promise<void> {
  const fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const text = await fs.readFile(jsonPath, 'utf8').catch(() => null);
  if (text === null) return;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return; // not ours
  }
  if (isJsonObject(doc) && doc.format === FORMAT) await fs.rm(jsonPath, { force: true }).catch(() => undefined);
}

/**
 * Node: rebuilds a saved model and loads its weights: the one-file form, or the old two-file form
 * (`x.safetensors` whose metadata has no architecture, and `x.json`).
 */
export async function loadModel(path: string, options?: LoadWeightsOptions): Promise<Module> {
  const fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const file = modelPath(path);
  const op = `loadModel("${path}")`;
  const bytes = await fs.readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${op}: cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, { cause: e });
  });
  let decoded: Decoded;
  try {
    decoded = decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${op}: ${file}: ${(e as Error).message}`, { cause: e });
  }
  let json: string | null = null;
  if (decoded.metadata[ARCHITECTURE_KEY] === undefined) {
    const legacy = modelPaths(path).architecture;
    json = await fs.readFile(legacy, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw new Error(`${op}: cannot read ${legacy}: ${e.message}`, { cause: e });
      throw new Error(`${op}: ${file} has no "${ARCHITECTURE_KEY}" in its metadata and there is no ${legacy} beside it (a weights-only file: build the model and use loadWeights)`);
    });
  }
  return modelFromDecoded(decoded, json, options, op, file);
}

/** Node: loads weights from a safetensors file into an existing model. */
export async function loadWeights(model: Module, path: string, options: boolean | LoadWeightsOptions = true): Promise<LoadWeightsResult> {
  const fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const op = `loadWeights("${path}")`;
  const bytes = await fs.readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${op}: cannot read it: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, { cause: e });
  });
  let decoded: Decoded;
  try {
    decoded = decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message}`, { cause: e });
  }
  return loadDecoded(model, decoded, options, op);
}
