/**
 * DataLoader: PyTorch's `for (x, y) in loader` over an in-memory dataset. The samples are uploaded to
 * WASM memory once; each batch is gathered there (one copy per run of consecutive samples).
 *
 * Every batch it yields begins a step (see tensor/steps.ts) when the loop is not inside tidy(): tensors
 * the loop body made and has not used for two batches are freed, so a loop written without tidy runs in
 * flat memory. A batch's own tensors follow the same rule: keep() one to hold it longer.
 */
import { Tensor } from '../tensor/tensor.js';
import { markStep } from '../tensor/steps.js';
import { Generator } from '../random/generator.js';
import { DeviceData, toDataset, type DataLike } from './dataset.js';
import { checkOptions, optionKeys } from '../check/options.js';

export interface DataLoaderOptions {
  /** Samples per batch (default 1, as in PyTorch). */
  batchSize?: number;
  /** A new order at every pass (default false). */
  shuffle?: boolean;
  /** Seed of the shuffling order (default 0), when no generator is given. */
  seed?: number;
  generator?: Generator;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

/** One batch: the samples, and class labels (Int32Array) or float targets (a tensor). */
export interface Batch {
  x: Tensor;
  y: Tensor | Int32Array;
}

const KNOWN = optionKeys<DataLoaderOptions>({ batchSize: true, shuffle: true, seed: true, generator: true, dropLast: true });

export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator;
  private device: DeviceData | null;

  constructor(data: DataLike, opts: DataLoaderOptions = {}) {
    checkOptions('DataLoader', opts, KNOWN);
    const batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${String(opts.batchSize)}`);
    }
    this.batchSize = batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator ?? new Generator(opts.seed ?? 0);
    this.device = new DeviceData(toDataset(data, 'DataLoader'));
  }

  /** Samples in the dataset. */
  get count(): number {
    return this.live().ds.count;
  }

  /** Batches per pass (PyTorch's len(loader)). */
  get length(): number {
    const n = this.live().ds.count;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const device = this.live();
    const count = device.ds.count;
    const order = new Int32Array(count);
    if (this.shuffle) order.set(this.generator.permutation(count));
    else for (let i = 0; i < count; i++) order[i] = i;
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      markStep(this, 'DataLoader batch');
      const d = this.live();
      const from = b * this.batchSize;
      const to = Math.min(count, from + this.batchSize);
      yield { x: d.batchX(order, from, to), y: d.batchY(order, from, to) };
    }
  }

  /** Frees the dataset's copy in WASM memory; the loader cannot be iterated afterwards. */
  dispose(): void {
    this.device?.dispose();
    this.device = null;
  }

  private live(): DeviceData {
    if (this.device === null) throw new Error('DataLoader: used after dispose()');
    return this.device;
  }
}
