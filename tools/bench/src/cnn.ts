/**
 * Convolutional networks: conv2d forward against tfjs-wasm (each in its native layout: ours NCHW,
 * tfjs NHWC), conv backward and LeNet-5 training against tfjs's cpu backend (its wasm backend has no
 * filter-gradient kernel) and PyTorch, and batch-1 inference latency against ONNX Runtime Web running
 * our own exported models (cnn-inference.ts).
 */
import { closeThreads, conv2dBackward, conv2dForward, convOutputSize, type Conv2dGeometry } from '@deepwasm/kernels';
import { lenet5, resnet } from '@deepwasm/models';
import { loadTfjsLayers, loadTfjsWasm, useBackend } from './tfjs-wasm.js';
import { runPytorch } from './pytorch.js';
import { time, timeInterleaved } from './stats.js';
import { benchThreads, builds, loadOurs, ourTrainingRate, variant } from './train-bench.js';
import type { Row, SuiteOptions } from './report.js';
import { inferenceRows } from './cnn-inference.js';

export interface ConvCase {
  name: string;
  N: number;
  C: number;
  H: number;
  OC: number;
  K: number;
  pad: number;
}

export const CONVS: ConvCase[] = [
  { name: 'LeNet conv1 64x1x28x28 -> 6@5x5 pad 2', N: 64, C: 1, H: 28, OC: 6, K: 5, pad: 2 },
  { name: 'LeNet conv2 64x6x14x14 -> 16@5x5', N: 64, C: 6, H: 14, OC: 16, K: 5, pad: 0 },
  { name: 'ResNet 3x3 1x64x56x56 -> 64', N: 1, C: 64, H: 56, OC: 64, K: 3, pad: 1 },
  { name: 'VGG conv1 1x3x224x224 -> 64', N: 1, C: 3, H: 224, OC: 64, K: 3, pad: 1 },
];

export function geometry(c: ConvCase): Conv2dGeometry {
  return { N: c.N, C: c.C, H: c.H, W: c.H, OC: c.OC, KH: c.K, KW: c.K, strideH: 1, strideW: 1, padH: c.pad, padW: c.pad, dilationH: 1, dilationW: 1, groups: 1 };
}

async function convRows(opts: SuiteOptions): Promise<Row[]> {
  const { tf } = await loadTfjsWasm();
  const rows: Row[] = [];
  const kernels: Array<readonly [string, Awaited<ReturnType<typeof loadOurs>>, number]> = [];
  for (const isa of builds()) for (const t of benchThreads()) kernels.push([variant(isa, t), await loadOurs(isa, t), t] as const);
  for (const c of CONVS) {
    const g = geometry(c);
    const O = convOutputSize(c.H, c.K, 1, c.pad);
    const flop = 2 * c.N * c.OC * O * O * c.C * c.K * c.K;
    const fwd: Record<string, () => void> = {};
    const bwd: Record<string, () => void> = {};
    const frees: Array<() => void> = [];
    for (const [isa, k] of kernels) {
      const sizes = [c.N * c.C * c.H * c.H, c.OC * c.C * c.K * c.K, c.OC, c.N * c.OC * O * O];
      const [x, w, b, y] = sizes.map((n) => {
        const p = k.arena.alloc(n * 4);
        const v = k.arena.f32(p, n);
        for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37);
        return p;
      }) as [number, number, number, number];
      const dx = k.arena.alloc(sizes[0]! * 4);
      const dw = k.arena.alloc(sizes[1]! * 4);
      const db = k.arena.alloc(sizes[2]! * 4);
      fwd[isa] = () => conv2dForward(k, g, x, w, b, y);
      bwd[isa] = () => conv2dBackward(k, g, x, w, y, dx, dw, db);
      frees.push(() => [x, w, b, y, dx, dw, db].forEach((p) => k.arena.free(p)));
    }
    await useBackend(tf, 'wasm');
    const tx = tf.randomNormal([c.N, c.H, c.H, c.C]) as import('@tensorflow/tfjs-core').Tensor4D;
    const tw = tf.randomNormal([c.K, c.K, c.C, c.OC]) as import('@tensorflow/tfjs-core').Tensor4D;
    const tb = tf.randomNormal([c.OC]);
    const padding = c.pad === 0 ? 'valid' : 'same';
    fwd['tfjs-wasm'] = () => {
      const r = tf.tidy(() => tf.add(tf.conv2d(tx, tw, 1, padding), tb));
      r.dataSync();
      r.dispose();
    };
    const tf_ = timeInterleaved(fwd, { minSeconds: opts.quick ? 0.5 : 2, rounds: opts.quick ? 3 : 5 });
    tx.dispose();
    tw.dispose();
    tb.dispose();
    const theirs = flop / (tf_['tfjs-wasm']!.medianMs * 1e6);
    for (const [isa] of kernels) {
      const ours = flop / (tf_[isa]!.medianMs * 1e6);
      rows.push({ suite: 'cnn', case: `conv fwd ${c.name}`, ours: isa, threads: threadsOf(isa), metric: 'GFLOP/s', value: ours, peer: 'tfjs-wasm 1 thread', peerValue: theirs, ratio: ours / theirs });
    }
    // Backward (input and filter gradients, bias) against tfjs's cpu backend.
    await useBackend(tf, 'cpu');
    const cx = tf.randomNormal([c.N, c.H, c.H, c.C]) as import('@tensorflow/tfjs-core').Tensor4D;
    const cw = tf.randomNormal([c.K, c.K, c.C, c.OC]) as import('@tensorflow/tfjs-core').Tensor4D;
    const grads = tf.grads((a: import('@tensorflow/tfjs-core').Tensor, b2: import('@tensorflow/tfjs-core').Tensor) =>
      tf.sum(tf.conv2d(a as import('@tensorflow/tfjs-core').Tensor4D, b2 as import('@tensorflow/tfjs-core').Tensor4D, 1, padding)),
    );
    const cpuBwd = () => {
      const gs = grads([cx, cw]);
      gs.forEach((t) => t.dataSync());
      gs.forEach((t) => t.dispose());
    };
    const cpuT = time(cpuBwd, { warmup: 1, minSamples: 3, minSeconds: opts.quick ? 0.5 : 1.5 });
    cx.dispose();
    cw.dispose();
    await useBackend(tf, 'wasm');
    const tBwd = timeInterleaved(bwd, { minSeconds: opts.quick ? 0.3 : 1, rounds: opts.quick ? 3 : 5 });
    for (const [isa] of kernels) {
      const t = tBwd[isa]!;
      rows.push({
        suite: 'cnn', case: `conv bwd ${c.name}`, ours: isa, threads: threadsOf(isa), metric: 'GFLOP/s', value: (2 * flop) / (t.medianMs * 1e6),
        peer: 'tfjs-cpu (wasm: no kernel)', peerValue: (2 * flop) / (cpuT.medianMs * 1e6), ratio: cpuT.medianMs / t.medianMs,
      });
    }
    frees.forEach((f) => f());
  }
  for (const [, k] of kernels) closeThreads(k);
  return rows;
}

function threadsOf(name: string): number {
  return Number(/(\d+)t$/.exec(name)?.[1] ?? 1);
}

function pytorchLabel(t: number): string {
  return `pytorch ${t} thread${t > 1 ? 's' : ''}`;
}

async function tfjsLenetRate(): Promise<number> {
  const { tf } = await loadTfjsWasm();
  await useBackend(tf, 'cpu');
  const tfl = loadTfjsLayers();
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 120, kernelSize: 5, activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 84, activation: 'relu' }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p) });
  const x = tf.randomNormal([64, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => (i * 7) % 10), 'int32'), 10);
  await model.trainOnBatch(x, y);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  x.dispose();
  y.dispose();
  model.dispose();
  await useBackend(tf, 'wasm');
  return (64 * 1000) / samples[1]!;
}

async function lenetRows(opts: SuiteOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const tfRate = await tfjsLenetRate();
  opts.log?.(`cnn: tfjs-layers LeNet-5 on the cpu backend: ${tfRate.toFixed(1)} images/s (the wasm backend cannot train a CNN)`);
  let torch1: number | null = null;
  for (const threads of benchThreads()) {
    const torch = runPytorch<{ samples_per_sec: number }>('train_step.py', ['lenet5', '--seconds', opts.quick ? '1' : '3', '--threads', String(threads)], opts.log);
    if (threads === 1 && torch) torch1 = torch.samples_per_sec;
    for (const isa of builds()) {
      const ours = await ourTrainingRate(isa, () => lenet5(), [64, 1, 28, 28], opts.quick ?? false, threads);
      const c = 'LeNet-5 train step, batch 64';
      const base = { suite: 'cnn', case: c, ours: variant(isa, threads), threads, metric: 'images/s', value: ours.rate };
      rows.push({ ...base, peer: 'tfjs-layers cpu', peerValue: tfRate, ratio: ours.rate / tfRate });
      if (torch) rows.push({ ...base, peer: pytorchLabel(threads), peerValue: torch.samples_per_sec, ratio: ours.rate / torch.samples_per_sec });
      // The library's default uses every core; PyTorch's best LeNet-5 here is its one thread.
      if (threads > 1 && torch1 !== null) rows.push({ ...base, peer: pytorchLabel(1), peerValue: torch1, ratio: ours.rate / torch1 });
    }
  }
  return rows;
}

/**
 * A deeper network in training: ResNet-18 (torchvision's layout) on 64x64 images (Tiny ImageNet's
 * size), 200 classes, batch 16, against PyTorch on one thread. tfjs is left out: its wasm backend
 * cannot train a CNN and its cpu backend would take minutes per step.
 */
async function resnetTrainRows(opts: SuiteOptions): Promise<Row[]> {
  const rows: Row[] = [];
  let torch1: number | null = null;
  for (const threads of benchThreads()) {
    const torch = runPytorch<{ samples_per_sec: number }>('train_step.py', ['resnet18-64', '--seconds', opts.quick ? '2' : '6', '--threads', String(threads)], opts.log);
    if (threads === 1 && torch) torch1 = torch.samples_per_sec;
    for (const isa of builds()) {
      const ours = await ourTrainingRate(isa, () => resnet(18, { numClasses: 200 }), [16, 3, 64, 64], opts.quick ?? false, threads);
      const base = { suite: 'cnn', case: 'ResNet-18 train step, batch 16 x 3 x 64 x 64', ours: variant(isa, threads), threads, metric: 'images/s', value: ours.rate, medianMs: ours.ms };
      rows.push({
        ...base, peer: torch ? pytorchLabel(threads) : 'pytorch (not installed)', peerValue: torch?.samples_per_sec ?? Number.NaN,
        ratio: torch ? ours.rate / torch.samples_per_sec : Number.NaN,
      });
      if (threads > 1 && torch1 !== null) rows.push({ ...base, peer: pytorchLabel(1), peerValue: torch1, ratio: ours.rate / torch1 });
    }
  }
  return rows;
}

export async function runCnnSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  return [...(await convRows(opts)), ...(await lenetRows(opts)), ...(await resnetTrainRows(opts)), ...(await inferenceRows(opts))];
}
