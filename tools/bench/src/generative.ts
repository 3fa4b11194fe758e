/**
 * Generative-model benchmarks, ours on each kernel build (one thread) against the same models in plain
 * PyTorch on one thread (python/generative.py), alternating in rounds, with the median and range of
 * the per-round ratios:
 * - the VAE of PyTorch's examples (784-400-20, Adam 1e-3, batch 128) on the MNIST split: seconds per
 *   epoch over the 8,000 training digits, and the test negative ELBO after 10 epochs (the first round
 *   trains 10 epochs on both sides; later rounds 3, for the timing only);
 * - the DCGAN of issue 15: seconds per epoch of 125 batches of 64 (Adam 2e-4, betas (0.5, 0.999));
 *   with --quick, the time of the first 25 batches times 5 on both sides.
 * The split goes to PyTorch as a float32 file in the system's temporary folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { DCGAN, VAE, evaluateVae, trainGan, trainVae } from '@deepwasm/models';
import { closeThreads } from '@deepwasm/kernels';
import { median } from './stats.js';
import { builds, loadOurs, type Isa } from './train-bench.js';
import { runPytorch } from './pytorch.js';
import type { Row, SuiteOptions } from './report.js';

interface TorchRun {
  epoch_s: number[];
  test_nelbo?: number[];
}

async function ourVae(isa: Isa, split: ReturnType<typeof mnistSplit>, epochs: number): Promise<{ epochS: number[]; nelbo: number }> {
  const k = await loadOurs(isa, 1);
  nn.useKernels(k);
  const g = new nn.Generator(0);
  const vae = new VAE({ generator: g });
  const h = await trainVae(vae, split.train, { epochs, generator: g, progress: false });
  const nelbo = evaluateVae(vae, split.test, { generator: g });
  vae.dispose();
  closeThreads(k);
  return { epochS: h.map((e) => e.seconds), nelbo };
}

async function ourDcgan(isa: Isa, train: nn.Dataset, epochs: number): Promise<number[]> {
  const k = await loadOurs(isa, 1);
  nn.useKernels(k);
  const g = new nn.Generator(0);
  const model = new DCGAN({ generator: g });
  const times: number[] = [];
  await trainGan(model, train, { epochs, generator: g, progress: false, onEpoch: (e) => void times.push(e.seconds) });
  model.dispose();
  closeThreads(k);
  return times;
}

const range = (xs: number[]): [number, number] | null => (xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : null);

export async function runGenerativeSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  const log = opts.log;
  const rounds = quick ? 1 : 3;
  const split = mnistSplit({ train: 8000, test: 2000, seed: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'deepwasm-generative-'));
  const file = join(dir, 'mnist-split.f32');
  const all = new Float32Array(10000 * 784);
  all.set(split.train.x);
  all.set(split.test.x, 8000 * 784);
  writeFileSync(file, all);
  const rows: Row[] = [];
  try {
    // VAE: epoch time in every round, the test negative ELBO after 10 epochs from the first.
    // (DEEPWASM_BENCH_ONLY=dcgan or =vae runs one half; the machine this was written on was too loaded for both in one go.)
    const only = process.env['DEEPWASM_BENCH_ONLY'];
    if (only !== 'dcgan') {
      const torchEpoch: number[] = [];
      const ours: Record<string, number[]> = {};
      let torchNelbo = NaN;
      const ourNelbo: Record<string, number> = {};
      for (let r = 0; r < rounds; r++) {
        const epochs = r === 0 ? 10 : 3;
        const t = runPytorch<TorchRun>('generative.py', ['vae', file, '--epochs', String(epochs)], log, 1_800_000);
        if (t) {
          torchEpoch.push(median(t.epoch_s));
          if (r === 0) torchNelbo = t.test_nelbo!.at(-1)!;
        }
        for (const isa of builds()) {
          const o = await ourVae(isa, split, epochs);
          (ours[isa] ??= []).push(median(o.epochS));
          if (r === 0) ourNelbo[isa] = o.nelbo;
        }
        log?.(`generative: VAE round ${r + 1} (${epochs} epochs): pytorch ${t ? median(t.epoch_s).toFixed(2) : '-'} s/epoch${r === 0 && t ? `, test -ELBO ${torchNelbo.toFixed(1)}` : ''}; ` +
          builds().map((i) => `${i} ${ours[i]!.at(-1)!.toFixed(2)} s/epoch${r === 0 ? `, test -ELBO ${ourNelbo[i]!.toFixed(1)}` : ''}`).join('; '));
      }
      for (const isa of builds()) {
        const ratios = torchEpoch.map((p, r) => p / ours[isa]![r]!);
        const s = median(ours[isa]!), p = torchEpoch.length > 0 ? median(torchEpoch) : NaN;
        rows.push({
          suite: 'generative', case: 'VAE 784-400-20 epoch (8,000 MNIST digits, batch 128, Adam)', ours: isa, metric: 'epochs/s', value: 1 / s,
          peer: 'pytorch 1 thread', peerValue: 1 / p, ratio: ratios.length > 0 ? median(ratios) : NaN, medianMs: s * 1000, peerMedianMs: p * 1000, ratioRange: range(ratios),
        } as Row);
        rows.push({
          suite: 'generative', case: `VAE test negative ELBO after 10 epochs (nats; PyTorch ${torchNelbo.toFixed(1)}, difference ${(ourNelbo[isa]! - torchNelbo).toFixed(1)})`,
          ours: isa, metric: 'nats', value: ourNelbo[isa]!, peer: 'pytorch examples/vae', peerValue: torchNelbo, ratio: NaN,
        });
      }
    }
    // DCGAN: one epoch of 125 batches of 64 per round.
    if (only !== 'vae') {
      const torchGan: number[] = [];
      const gan: Record<string, number[]> = {};
      const batches = quick ? 25 : 125, scale = 125 / batches;
      const images = { ...split.train, x: split.train.x.subarray(0, batches * 64 * 784), count: batches * 64, sampleShape: [1, 28, 28] };
      for (let r = 0; r < rounds; r++) {
        const t = runPytorch<TorchRun>('generative.py', ['dcgan', file, '--epochs', '1', '--batches', String(batches)], log, 1_800_000);
        if (t) torchGan.push(t.epoch_s[0]! * scale);
        for (const isa of builds()) (gan[isa] ??= []).push((await ourDcgan(isa, images, 1))[0]! * scale);
        log?.(`generative: DCGAN round ${r + 1}: pytorch ${t ? torchGan.at(-1)!.toFixed(1) : '-'} s/epoch; ${builds().map((i) => `${i} ${gan[i]!.at(-1)!.toFixed(1)} s`).join('; ')}`);
      }
      for (const isa of builds()) {
        const ratios = torchGan.map((p, r) => p / gan[isa]![r]!);
        const s = median(gan[isa]!), p = torchGan.length > 0 ? median(torchGan) : NaN;
        rows.push({
          suite: 'generative', case: `DCGAN epoch (125 batches of 64, Adam 2e-4${quick ? '; timed on 25, x5' : ''})`, ours: isa, metric: 'epochs/s', value: 1 / s,
          peer: 'pytorch 1 thread', peerValue: 1 / p, ratio: ratios.length > 0 ? median(ratios) : NaN, medianMs: s * 1000, peerMedianMs: p * 1000, ratioRange: range(ratios),
        } as Row);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
