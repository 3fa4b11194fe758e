/**
 * The MNIST split the build wrote into public/data (scripts/assets.mjs): the Node demo's 8,000 train /
 * 2,000 test digits (seed 0), one byte per pixel, decoded to the same float32 values as in Node.
 */
import type * as nn from '@deepwasm/nn';

export interface MnistSplit {
  train: nn.Dataset;
  test: nn.Dataset;
}

interface Manifest {
  format: string;
  version: number;
  train: number;
  test: number;
  pixels: number;
}

async function bytes(url: URL, expected: number): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`MNIST data: ${url} answered HTTP ${res.status} (was the page built with scripts/assets.mjs?)`);
  const b = new Uint8Array(await res.arrayBuffer());
  if (b.length !== expected) throw new Error(`MNIST data: ${url} holds ${b.length} bytes, expected ${expected}`);
  return b;
}

/** byte k -> round(k / 255, 3), the mnist package's own pixel values. */
const DECODE = Float32Array.from({ length: 256 }, (_, k) => Math.round((k / 255) * 1000) / 1000);

function dataset(pixels: Uint8Array, labels: Uint8Array): nn.Dataset {
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = DECODE[pixels[i]!]!;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 9) throw new Error(`MNIST data: label ${i} is ${labels[i]}`);
  return { x, y: labels, count: labels.length, sampleShape: [784] };
}

export async function loadMnistSplit(base: string): Promise<MnistSplit> {
  const res = await fetch(new URL('mnist.json', base));
  if (!res.ok) throw new Error(`MNIST data: ${new URL('mnist.json', base)} answered HTTP ${res.status}`);
  const m = (await res.json()) as Manifest;
  if (m.format !== 'deepwasm-mnist-u8' || m.version !== 1 || m.pixels !== 784) throw new Error(`MNIST data: unknown manifest ${JSON.stringify(m)}`);
  const [trX, trY, teX, teY] = await Promise.all([
    bytes(new URL('mnist-train-images.u8', base), m.train * 784),
    bytes(new URL('mnist-train-labels.u8', base), m.train),
    bytes(new URL('mnist-test-images.u8', base), m.test * 784),
    bytes(new URL('mnist-test-labels.u8', base), m.test),
  ]);
  return { train: dataset(trX, trY), test: dataset(teX, teY) };
}
