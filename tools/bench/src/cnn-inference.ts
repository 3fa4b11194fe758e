/**
 * Batch-1 inference latency of LeNet-5, ResNet-18, ResNet-50 and VGG-16 (1000 classes, 224x224;
 * LeNet-5 on a 28x28 digit), ours against ONNX Runtime Web running the same model, exported with
 * nn.exportOnnx, on its wasm backend (SIMD, 1 and 2 threads) in the same process. For each thread
 * count the contenders alternate in rounds (ORT, then each of our builds on as many threads); a row
 * reports our median, ORT's, and the median and range of the per-round ratios (ORT's ms over ours:
 * above 1, we are faster). Before timing, ORT's output is checked against ours.
 */
import { closeThreads, type Kernels } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { lenet5, resnet, vgg } from '@deepwasm/models';
import { median, time } from './stats.js';
import { builds, loadOurs, variant, type Isa } from './train-bench.js';
import { OrtWebPeer } from './ort-web.js';
import type { Row, SuiteOptions } from './report.js';

const NETS: Array<{ name: string; make: () => nn.Module; shape: number[] }> = [
  { name: 'LeNet-5', make: () => lenet5(), shape: [1, 1, 28, 28] },
  { name: 'ResNet-18', make: () => resnet(18), shape: [1, 3, 224, 224] },
  { name: 'ResNet-50', make: () => resnet(50), shape: [1, 3, 224, 224] },
  { name: 'VGG-16', make: () => vgg(16), shape: [1, 3, 224, 224] },
];
const ORT_THREADS = [1, 2];

function relativeError(ours: Float32Array, theirs: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    err = Math.max(err, Math.abs(ours[i]! - theirs[i]!));
    scale = Math.max(scale, Math.abs(ours[i]!));
  }
  return err / (scale || 1);
}

/** The inference rows; `only` keeps the nets whose names it lists (e.g. ['ResNet-50'] for a short run). */
export async function inferenceRows(opts: SuiteOptions, only?: readonly string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const rounds = opts.quick ? 3 : 5;
  const minSeconds = opts.quick ? 0.3 : 1;
  for (const net of NETS.filter((n) => only === undefined || only.includes(n.name))) {
    const input = Float32Array.from({ length: net.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37));
    // The model is built from the same seed on every kernel instance; the first one exports it.
    let bytes: Uint8Array | null = null;
    for (const threads of ORT_THREADS) {
      const ours: Array<{ isa: Isa; k: Kernels; model: nn.Module; x: nn.Tensor }> = [];
      for (const isa of builds()) {
        const k = await loadOurs(isa, threads);
        nn.useKernels(k);
        nn.manualSeed(0);
        const model = net.make().eval();
        const x = nn.tensor(input, net.shape).keep();
        if (bytes === null) {
          const t0 = performance.now();
          bytes = nn.exportOnnx(model, x);
          opts.log?.(`cnn: ${net.name} exported to ONNX in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(bytes.length / 1e6).toFixed(1)} MB)`);
        }
        ours.push({ isa, k, model, x });
      }
      const peer = await OrtWebPeer.start(bytes!, threads, net.shape, input);
      nn.useKernels(ours[0]!.k);
      const y = nn.noGrad(() => ours[0]!.model.forward(ours[0]!.x)).toArray();
      opts.log?.(`cnn: ${net.name}: ${peer.label} gives our output within ${relativeError(y, await peer.output()).toExponential(1)} of its scale`);
      const peerMs: number[] = [];
      const ourMs = new Map<Isa, number[]>(ours.map((o) => [o.isa, []]));
      for (let r = 0; r < rounds; r++) {
        peerMs.push(await peer.time(3, minSeconds));
        for (const o of ours) {
          nn.useKernels(o.k);
          // One untimed forward a round, as ORT gets (ort-web-worker.ts): the contender before may leave its
          // threads spinning for a while, which the first timed forwards would pay for (ResNet-50 on 2
          // threads: ~128 ms in the first two of three forwards after ORT's, ~94 in the third).
          const t = time(() => nn.noGrad(() => nn.tidy(() => void o.model.forward(o.x))), { warmup: 1, minSamples: 3, minSeconds });
          ourMs.get(o.isa)!.push(t.medianMs);
        }
        opts.log?.(`cnn: ${net.name} ${threads}t round ${r + 1}: ORT ${peerMs.at(-1)!.toFixed(1)} ms, ${ours.map((o) => `${o.isa} ${ourMs.get(o.isa)!.at(-1)!.toFixed(1)} ms`).join(', ')}`);
      }
      await peer.close();
      for (const o of ours) {
        const ms = ourMs.get(o.isa)!;
        const ratios = peerMs.map((p, i) => p / ms[i]!);
        rows.push({
          suite: 'cnn', case: `${net.name} inference, batch 1`, ours: variant(o.isa, threads), threads, metric: 'img/s',
          value: 1000 / median(ms), medianMs: median(ms), peer: `ORT Web wasm ${threads} thread${threads > 1 ? 's' : ''}`,
          peerValue: 1000 / median(peerMs), peerMedianMs: median(peerMs), ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)],
        });
        o.x.dispose();
        nn.useKernels(o.k);
        o.model.dispose();
        closeThreads(o.k);
      }
    }
  }
  return rows;
}
