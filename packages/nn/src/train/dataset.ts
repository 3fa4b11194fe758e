/**
 * In-memory datasets for fit/evaluate/predict: samples as one Float32Array, targets as class labels
 * or float arrays. The samples are uploaded to WASM memory once per call and batches are gathered
 * there, so a batch costs one memory.copy per sample and no JS-side copy.
 */
import { copy } from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { toIndices } from '../check/indices.js';
import { describe } from '../check/options.js';

export type Labels = Int32Array | Uint8Array | Uint16Array | Uint32Array;

export interface Dataset {
  /** count * prod(sampleShape) values, sample after sample. */
  x: Float32Array;
  /** Class labels (one per sample), or float targets (count * prod(targetShape)). */
  y: Labels | Float32Array;
  count: number;
  sampleShape: readonly number[];
  /** Shape of one float target; omitted (or []) for class labels. */
  targetShape?: readonly number[];
}

/** What fit/evaluate accept: a Dataset, or tensors whose first axis is the sample axis. */
export type DataLike = Dataset | { x: Tensor; y: Tensor | Labels | readonly number[] };

export function isLabels(y: unknown): y is Labels {
  return y instanceof Int32Array || y instanceof Uint8Array || y instanceof Uint16Array || y instanceof Uint32Array;
}

/**
 * The data as a Dataset, its class labels checked (integers >= 0; each is checked against the
 * number of classes by the loss). With `classLabels` (the loss is crossEntropy), a 1-D tensor y holds
 * class indices, as in PyTorch.
 */
export function toDataset(data: DataLike, what = 'data', classLabels = false): Dataset {
  if (data === null || typeof data !== 'object' || !('x' in data) || !('y' in data)) {
    throw new TypeError(`${what}: data must be a Dataset or { x, y } with x a Tensor, got ${describe(data)}`);
  }
  if (data.x instanceof Tensor) {
    const x = data.x;
    if (x.ndim < 1) throw new Error(`${what}: x must have a sample axis, got ${formatShape(x.shape)}`);
    const count = x.shape[0]!;
    const y = data.y;
    let ds: Dataset;
    if (y instanceof Tensor) {
      if (y.shape[0] !== count) {
        throw new Error(`${what}: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} hold different numbers of samples`);
      }
      ds = classLabels && y.ndim === 1
        ? { x: x.toArray(), y: labelsOf(what, y), count, sampleShape: x.shape.slice(1) }
        : { x: x.toArray(), y: y.toArray(), count, sampleShape: x.shape.slice(1), targetShape: y.shape.slice(1) };
    } else {
      ds = { x: x.toArray(), y: y instanceof Uint8Array || y instanceof Uint16Array ? y : labelsOf(what, y), count, sampleShape: x.shape.slice(1) };
    }
    return checkDataset(ds, what);
  }
  return checkDataset(data as Dataset, what);
}

/** Class labels as integers >= 0 (2.5, NaN, 'a' or -1 are rejected with their position). */
function labelsOf(what: string, y: unknown): Int32Array {
  return toIndices(what, y, { classes: Infinity });
}

export function checkDataset(ds: Dataset, what = 'data'): Dataset {
  if (!ArrayBuffer.isView(ds.x) || !ArrayBuffer.isView(ds.y)) {
    throw new TypeError(`${what}: a Dataset holds x and y as typed arrays, got x ${describe(ds.x)} and y ${describe(ds.y)}`);
  }
  if (ds.y instanceof Int32Array || ds.y instanceof Uint32Array) labelsOf(what, ds.y);
  const per = sizeOf(ds.sampleShape);
  if (ds.x.length !== ds.count * per) {
    throw new Error(
      `${what}: x holds ${ds.x.length} values, but ${ds.count} samples of shape ${formatShape(ds.sampleShape)} need ${ds.count * per}`,
    );
  }
  const tPer = isLabels(ds.y) ? 1 : sizeOf(ds.targetShape ?? []);
  if (ds.y.length !== ds.count * tPer) {
    throw new Error(`${what}: y holds ${ds.y.length} values for ${ds.count} samples (expected ${ds.count * tPer})`);
  }
  return ds;
}

/** The dataset's samples (and float targets) in WASM memory, and a gatherer of batches. */
export class DeviceData {
  readonly x: Tensor;
  readonly yFloat: Tensor | null;
  readonly labels: Labels | null;
  private readonly sampleSize: number;
  private readonly targetSize: number;

  constructor(readonly ds: Dataset) {
    this.x = Tensor.empty([ds.count, ...ds.sampleShape]).keep();
    this.x.data.set(ds.x);
    this.sampleSize = sizeOf(ds.sampleShape);
    if (isLabels(ds.y)) {
      this.labels = ds.y;
      this.yFloat = null;
      this.targetSize = 1;
    } else {
      this.labels = null;
      this.targetSize = sizeOf(ds.targetShape ?? []);
      this.yFloat = Tensor.empty([ds.count, ...(ds.targetShape ?? [])]).keep();
      this.yFloat.data.set(ds.y);
    }
  }

  /** Samples `indices[from..to)` as one batch tensor (made in the caller's scope). */
  batchX(indices: Int32Array, from: number, to: number): Tensor {
    return gather(this.x, this.sampleSize, [to - from, ...this.ds.sampleShape], indices, from, to);
  }

  batchY(indices: Int32Array, from: number, to: number): Tensor | Int32Array {
    if (this.labels !== null) {
      const out = new Int32Array(to - from);
      for (let i = from; i < to; i++) out[i - from] = this.labels[indices[i]!]!;
      return out;
    }
    return gather(this.yFloat!, this.targetSize, [to - from, ...(this.ds.targetShape ?? [])], indices, from, to);
  }

  dispose(): void {
    this.x.dispose();
    this.yFloat?.dispose();
  }
}

function gather(src: Tensor, rowSize: number, shape: number[], indices: Int32Array, from: number, to: number): Tensor {
  const out = Tensor.empty(shape);
  const k = src.k;
  // Runs of consecutive indices (no shuffle) become one copy.
  let i = from;
  while (i < to) {
    let j = i + 1;
    while (j < to && indices[j] === indices[j - 1]! + 1) j++;
    copy(k, out.ptr + (i - from) * rowSize * 4, src.ptr + indices[i]! * rowSize * 4, (j - i) * rowSize);
    i = j;
  }
  return out;
}
