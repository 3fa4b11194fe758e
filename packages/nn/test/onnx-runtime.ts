/**
 * Runs an exported model in ONNX Runtime (onnxruntime-node, CPU, one thread) and compares its output
 * with ours. Shared by the nn and models ONNX tests; imports nothing of nn, so each package passes its
 * own tensors' data.
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

export interface Feed {
  data: Float32Array;
  shape: readonly number[];
  /** Feed as int64 (embedding indices). */
  int64?: boolean;
}

/** An ONNX Runtime session on the model's bytes (CPU, one thread); `run` feeds named inputs and returns the first output. */
export async function openOnnx(bytes: Uint8Array): Promise<{ run(feeds: Record<string, Feed>): Promise<{ data: Float32Array; dims: readonly number[] }>; release(): Promise<void> }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  return {
    async run(feeds) {
      const input: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(feeds)) {
        input[name] = f.int64
          ? new ort.Tensor('int64', BigInt64Array.from(f.data, (v) => BigInt(v)), f.shape as number[])
          : new ort.Tensor('float32', Float32Array.from(f.data), f.shape as number[]);
      }
      const out = await session.run(input);
      const first = out[session.outputNames[0]!]!;
      return { data: first.data as Float32Array, dims: first.dims };
    },
    release: () => session.release(),
  };
}

/** One run of a model's bytes in ONNX Runtime. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, Feed>): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const s = await openOnnx(bytes);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** max |ours - theirs| / max |ours| (the error relative to the output's scale). */
export function relativeError(ours: Float32Array, theirs: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    err = Math.max(err, Math.abs(ours[i]! - theirs[i]!));
    scale = Math.max(scale, Math.abs(ours[i]!));
  }
  return scale === 0 ? err : err / scale;
}

/** Same shape, and every element within `tol` of ours relative to the output's largest magnitude. */
export function expectClose(label: string, ours: { data: Float32Array; shape: readonly number[] }, theirs: { data: Float32Array; dims: readonly number[] }, tol = 1e-4): void {
  expect([...theirs.dims], `${label}: output shape`).toEqual([...ours.shape]);
  expect(theirs.data.every((v) => Number.isFinite(v)), `${label}: finite outputs`).toBe(true);
  const e = relativeError(ours.data, theirs.data);
  expect(e, `${label}: max error relative to the output's scale`).toBeLessThanOrEqual(tol);
}
