/**
 * Transposed convolution (ConvTranspose2d) on DCGAN-like shapes: the forward pass, the input gradient
 * and the filter gradient, each alone, ours (each kernel build on 1 and 2 threads) against tfjs-wasm's
 * conv2dTranspose (XNNPACK's deconvolution, one thread) and PyTorch on as many threads
 * (python/convt.py: F.conv_transpose2d and aten's convolution_backward with one gradient selected);
 * our 2-thread rows also against PyTorch's one thread, and with their speed-up over our one.
 *
 * Ours are the calls nn.convTranspose2d makes (functional/conv-transpose.ts): the forward pass is the
 * convolution's input gradient (conv2dBackward, dx only), plus the bias; the input gradient is a
 * convolution (conv2dForward); the filter gradient is conv2dBackward's filter gradient with the roles
 * swapped. tfjs's input gradient of conv2dTranspose is conv2d (run on wasm); its wasm backend has no
 * Conv2DBackpropFilter kernel, so the filter gradient has PyTorch alone as its peer (tfjs's cpu
 * backend, plain JS, takes tens of seconds per call on these shapes: bench cnn measures it).
 *
 * The machine is shared: the contenders alternate in rounds (PyTorch, then tfjs and ours interleaved),
 * and each row reports the median of the per-round ratios with their range.
 */
import { binary, closeThreads, conv2dBackward, conv2dForward, type Conv2dGeometry, type Kernels } from '@deepwasm/kernels';
type Tf = typeof import('@tensorflow/tfjs-core');
type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;
import { loadTfjsWasm, useBackend } from './tfjs-wasm.js';
import { runPytorch } from './pytorch.js';
import { median, timeInterleaved } from './stats.js';
import { benchThreads, builds, loadOurs, variant } from './train-bench.js';
import type { Row, SuiteOptions } from './report.js';

export interface ConvtCase {
  name: string;
  N: number;
  /** Input channels (the weight's first dim). */
  C: number;
  H: number;
  /** Output channels. */
  OC: number;
  K: number;
  stride: number;
  pad: number;
}

export const CONVT_CASES: ConvtCase[] = [
  { name: 'DCGAN 64x128x7x7 -> 64@14x14 k4 s2 p1', N: 64, C: 128, H: 7, OC: 64, K: 4, stride: 2, pad: 1 },
  { name: 'DCGAN 64x64x14x14 -> 1@28x28 k4 s2 p1', N: 64, C: 64, H: 14, OC: 1, K: 4, stride: 2, pad: 1 },
  { name: 'DCGAN-64 16x256x8x8 -> 128@16x16 k4 s2 p1', N: 16, C: 256, H: 8, OC: 128, K: 4, stride: 2, pad: 1 },
];

type Pass = 'forward' | 'input gradient' | 'filter gradient';
const PASSES: Pass[] = ['forward', 'input gradient', 'filter gradient'];

export const outSize = (c: ConvtCase) => (c.H - 1) * c.stride - 2 * c.pad + c.K;

/** The convolution from the output back to the input, whose input gradient is the transposed convolution. */
export function convtGeometry(c: ConvtCase): Conv2dGeometry {
  const O = outSize(c);
  return {
    N: c.N, C: c.OC, H: O, W: O, OC: c.C, KH: c.K, KW: c.K, strideH: c.stride, strideW: c.stride, padH: c.pad, padW: c.pad,
    dilationH: 1, dilationW: 1, groups: 1,
  };
}

/** FLOPs of one pass (each pass is the same number of multiply-adds). */
export const convtFlops = (c: ConvtCase) => 2 * c.N * c.C * c.H * c.H * c.OC * c.K * c.K;

function ours(k: Kernels, c: ConvtCase): { fns: Record<Pass, () => void>; free: () => void } {
  const g = convtGeometry(c);
  const O = outSize(c);
  const sizes = [c.N * c.C * c.H * c.H, c.C * c.OC * c.K * c.K, c.OC, c.N * c.OC * O * O];
  const [x, w, b, y] = sizes.map((n) => {
    const p = k.arena.alloc(n * 4);
    const v = k.arena.f32(p, n);
    for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37);
    return p;
  }) as [number, number, number, number];
  const dx = k.arena.alloc(sizes[0]! * 4);
  const dw = k.arena.alloc(sizes[1]! * 4);
  return {
    fns: {
      forward: () => {
        conv2dBackward(k, g, 0, w, x, y, 0, 0);
        binary(k, 'add', y, y, [c.N, c.OC, O * O], b, [1, c.OC, 1]);
      },
      'input gradient': () => conv2dForward(k, g, y, w, 0, dx),
      'filter gradient': () => conv2dBackward(k, g, y, w, x, 0, dw, 0),
    },
    free: () => [x, w, b, y, dx, dw].forEach((p) => k.arena.free(p)),
  };
}

function tfjs(tf: Tf, c: ConvtCase): { fns: Record<'forward' | 'input gradient', () => void>; dispose: () => void } {
  const O = outSize(c);
  const x = tf.randomNormal([c.N, c.H, c.H, c.C]) as Tensor4D;
  const w = tf.randomNormal([c.K, c.K, c.OC, c.C]) as Tensor4D;
  const b = tf.randomNormal([c.OC]);
  const dy = tf.randomNormal([c.N, O, O, c.OC]) as Tensor4D;
  const run = (f: () => Tensor) => () => {
    const r = tf.tidy(f);
    r.dataSync();
    r.dispose();
  };
  return {
    fns: {
      forward: run(() => tf.add(tf.conv2dTranspose(x, w, [c.N, O, O, c.OC], c.stride, c.pad), b)),
      'input gradient': run(() => tf.conv2d(dy, w, c.stride, c.pad)),
    },
    dispose: () => [x, w, b, dy].forEach((t) => t.dispose()),
  };
}

interface TorchResult {
  cases: Record<string, { fwd: number; dx: number; dw: number }>;
}

export async function runConvtSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  const log = opts.log;
  const rounds = quick ? 2 : 5;
  const seconds = quick ? 0.3 : 1;
  const { tf } = await loadTfjsWasm();
  const isas = builds();
  const threadCounts = benchThreads();
  // Our contenders, named by variant ("relaxed 2t"): each build on each thread count, its own memory.
  const kernels: Array<[string, Kernels]> = [];
  for (const isa of isas) for (const t of threadCounts) kernels.push([variant(isa, t), await loadOurs(isa, t)]);
  // ms[case][pass][contender] = one median per round
  const ms: Record<string, Record<Pass, Record<string, number[]>>> = {};
  const push = (c: ConvtCase, pass: Pass, who: string, v: number) => (((ms[c.name] ??= {} as Record<Pass, Record<string, number[]>>)[pass] ??= {})[who] ??= []).push(v);
  const torchKey: Record<Pass, 'fwd' | 'dx' | 'dw'> = { forward: 'fwd', 'input gradient': 'dx', 'filter gradient': 'dw' };
  for (let r = 0; r < rounds; r++) {
    const torch = threadCounts.map((t) => [t, runPytorch<TorchResult>('convt.py', [JSON.stringify(CONVT_CASES), '--seconds', String(seconds / 2), '--threads', String(t)], log)] as const);
    for (const c of CONVT_CASES) {
      for (const [t, res] of torch) if (res) for (const pass of PASSES) push(c, pass, `pytorch ${t}`, res.cases[c.name]![torchKey[pass]]);
      const mine = kernels.map(([isa, k]) => [isa, ours(k, c)] as const);
      await useBackend(tf, 'wasm');
      const t = tfjs(tf, c);
      for (const pass of ['forward', 'input gradient'] as const) {
        const fns: Record<string, () => void> = { 'tfjs-wasm': t.fns[pass] };
        for (const [isa, m] of mine) fns[isa] = m.fns[pass];
        const res = timeInterleaved(fns, { minSeconds: seconds, rounds: 3, warmup: 1, minSamples: 3 });
        for (const [who, v] of Object.entries(res)) push(c, pass, who, v.medianMs);
      }
      t.dispose();
      const res = timeInterleaved(Object.fromEntries(mine.map(([isa, m]) => [isa, m.fns['filter gradient']])), { minSeconds: seconds, rounds: 3, warmup: 1, minSamples: 3 });
      for (const [who, v] of Object.entries(res)) push(c, 'filter gradient', who, v.medianMs);
      mine.forEach(([, m]) => m.free());
      const show = (pass: Pass) => Object.entries(ms[c.name]![pass]).map(([who, v]) => `${who} ${v.at(-1)!.toFixed(2)}`).join(', ');
      log?.(`convt round ${r + 1}: ${c.name}: ${PASSES.map((p) => `${p}: ${show(p)} ms`).join('; ')}`);
    }
  }
  for (const [, k] of kernels) closeThreads(k);

  const rows: Row[] = [];
  for (const c of CONVT_CASES) {
    const gflop = convtFlops(c) / 1e6;
    for (const pass of PASSES) {
      const per = ms[c.name]![pass];
      for (const isa of isas) {
        for (const t of threadCounts) {
          const mine = per[variant(isa, t)]!;
          // tfjs-wasm runs one thread; PyTorch on as many threads as ours, and on one beside our 2-thread rows.
          const peers: Array<[string, string]> = [['tfjs-wasm', 'tfjs-wasm 1 thread'], [`pytorch ${t}`, `pytorch ${t} thread${t > 1 ? 's' : ''}`]];
          if (t > 1) peers.push(['pytorch 1', 'pytorch 1 thread']);
          for (const [peer, label] of peers) {
            const theirs = per[peer];
            if (!theirs) continue;
            const ratios = theirs.map((p, i) => p / mine[i]!);
            rows.push({
              suite: 'convt', case: `${pass} ${c.name}`, ours: variant(isa, t), threads: t, metric: 'GFLOP/s', value: gflop / median(mine),
              peer: label, peerValue: gflop / median(theirs), ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)],
              medianMs: median(mine), peerMedianMs: median(theirs),
            });
          }
        }
      }
    }
  }
  return rows;
}
