/**
 * Model files: weights as safetensors (names = stateDict keys, so PyTorch's safetensors library reads
 * them and load_state_dict accepts them) and the architecture as JSON. Node writes files atomically
 * (temp file, then rename); browsers get and give bytes or Blobs.
 */
import type { Module, ModuleConfig } from '../modules/module.js';
import { moduleFromConfig } from '../modules/registry.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { writeFileAtomic } from './atomic-file.js';

const FORMAT = 'deepwasm-model';

/** The model's parameters and buffers as a safetensors file. */
export function weightsToBytes(model: Module, metadata: Record<string, string> = {}): Uint8Array {
  const entries: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [name, t] of model.stateDict()) {
    entries[name] = { dtype: 'F32', shape: [...t.shape], data: t.toArray() };
  }
  return encodeSafetensors(entries, { format: 'pt', ...metadata });
}

/**
 * Loads safetensors bytes into the model. The file is checked whole (header, offsets, sizes) and
 * every tensor is checked against the model before anything is written: nothing is half-loaded.
 */
export function loadWeightsFromBytes(model: Module, bytes: Uint8Array, strict = true): void {
  const { tensors } = decodeSafetensors(bytes);
  const entries = new Map(Object.entries(tensors).map(([name, t]) => [name, { shape: t.shape, data: t.data }]));
  model.loadStateDict(entries, strict);
}

export interface SavedArchitecture {
  format: typeof FORMAT;
  version: 1;
  architecture: ModuleConfig;
}

export function architectureToJson(model: Module): string {
  const doc: SavedArchitecture = { format: FORMAT, version: 1, architecture: model.getConfig() };
  return JSON.stringify(doc, null, 2);
}

export function moduleFromJson(json: string): Module {
  let doc: SavedArchitecture;
  try {
    doc = JSON.parse(json) as SavedArchitecture;
  } catch (e) {
    throw new Error(`architecture file is not valid JSON: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || doc.format !== FORMAT) {
    throw new Error(`architecture file: expected "format": "${FORMAT}"`);
  }
  if (doc.version !== 1) throw new Error(`architecture file: unsupported version ${String(doc.version)}`);
  return moduleFromConfig(doc.architecture);
}

/** Paths of the two files of a saved model: `<base>.safetensors` and `<base>.json`. */
export function modelPaths(base: string): { weights: string; architecture: string } {
  const stem = base.replace(/\.(safetensors|json)$/, '');
  return { weights: `${stem}.safetensors`, architecture: `${stem}.json` };
}

/** Node: saves weights and architecture next to each other, each written atomically. */
export async function saveModel(model: Module, base: string): Promise<{ weights: string; architecture: string | null }> {
  const paths = modelPaths(base);
  let architecture: string | null = null;
  try {
    architecture = architectureToJson(model);
  } catch {
    architecture = null; // a custom module without getConfig: weights only
  }
  await writeFileAtomic(paths.weights, weightsToBytes(model));
  if (architecture !== null) await writeFileAtomic(paths.architecture, new TextEncoder().encode(architecture));
  return { weights: paths.weights, architecture: architecture === null ? null : paths.architecture };
}

/** Node: rebuilds a saved model from its architecture JSON and loads its weights. */
export async function loadModel(base: string): Promise<Module> {
  const fs = await import(/* @vite-ignore */ 'node:fs/promises');
  const paths = modelPaths(base);
  const model = moduleFromJson(await fs.readFile(paths.architecture, 'utf8'));
  loadWeightsFromBytes(model, new Uint8Array(await fs.readFile(paths.weights)));
  return model;
}

/** Node: loads weights from a safetensors file into an existing model. */
export async function loadWeights(model: Module, path: string, strict = true): Promise<void> {
  const fs = await import(/* @vite-ignore */ 'node:fs/promises');
  loadWeightsFromBytes(model, new Uint8Array(await fs.readFile(path)), strict);
}

/** Browser: the model as two Blobs (e.g. for download links or IndexedDB). */
export function modelToBlobs(model: Module): { weights: Blob; architecture: Blob } {
  return {
    weights: new Blob([weightsToBytes(model) as BlobPart], { type: 'application/octet-stream' }),
    architecture: new Blob([architectureToJson(model)], { type: 'application/json' }),
  };
}

/** Browser or Node: rebuilds a model from architecture JSON text and weight bytes. */
export function modelFromBuffers(architectureJson: string, weights: ArrayBuffer | Uint8Array): Module {
  const model = moduleFromJson(architectureJson);
  loadWeightsFromBytes(model, weights instanceof Uint8Array ? weights : new Uint8Array(weights));
  return model;
}
