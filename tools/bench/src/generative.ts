/**
 * Generative-model benchmarks, ours on each kernel build at 1 and 2 threads (the library uses every
 * core by default) against the same models in plain PyTorch (python/generative.py) on 1 and 2
 * threads, alternating in rounds, with the median and range of the per-round ratios. Every variant
 * of ours is compared with PyTorch on one thread (the issue's yardstick); 2-thread variants also
 * with PyTorch on two.
 * - the VAE of PyTorch's examples (784-400-20, Adam 1e-3, batch 128) on the MNIST split: seconds per
 *   epoch over the 8,000 training digits, and the test negative ELBO after 10 epochs (the first round
 *   trains 10 epochs on one thread, on both sides; the other runs 3, for the timing only);
 * - the DCGAN of issue 15: seconds per epoch of 125 batches of 64 (Adam 2e-4, betas (0.5, 0.999));
 *   with --quick (2 rounds instead of 3), the time of the first 25 batches times 5 on both sides.
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
import { benchThreads, builds, loadOurs, variant, type Isa } from './train-bench.js';
import { runPytorch } from './pytorch.js';
import type { Row, SuiteOptions } from './report.js';

interface TorchRun {
  epoch_s: number[];
  test_nelbo?: number[];
}

async function ourVae(isa: Isa, threads: number, split: ReturnType<typeof mnistSplit>, epochs: number): Promise<{ epochS: number[]; nelbo: number }> {
  const k = await loadOurs(isa, threads);
  nn.useKernels(k);
  const g = new nn.Generator(0);
  const vae = new VAE({ generator: g });
  const h = await trainVae(vae, split.train, { epochs, generator: g, progress: false });
  const nelbo = evaluateVae(vae, split.test, { generator: g });
  vae.dispose();
  closeThreads(k);
  return { epochS: h.map((e) => e.seconds), nelbo };
}

async function ourDcgan(isa: Isa, threads: number, train: nn.Dataset, epochs: number): Promise<number[]> {
  const k = await loadOurs(isa, threads);
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
  const rounds = quick ? 2 : 3;
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
    const threadCounts = benchThreads();
    const variants = builds().flatMap((isa) => threadCounts.map((t) => ({ isa, t, name: variant(isa, t) })));
    const torchLabel = (t: number) => `pytorch ${t} thread${t > 1 ? 's' : ''}`;
    /** Rows of one case: every variant against PyTorch on 1 thread, and 2+-thread variants against PyTorch on as many. */
    const timeRows = (caseName: string, torch: Record<number, number[]>, ours: Record<string, number[]>): Row[] =>
      variants.flatMap(({ t, name }) =>
        [...new Set([1, t])].filter((pt) => torch[pt]!.length > 0 || pt === 1).map((pt) => {
          const ratios = torch[pt]!.map((p, r) => p / ours[name]![r]!);
          const s = median(ours[name]!), p = torch[pt]!.length > 0 ? median(torch[pt]!) : NaN;
          return {
            suite: 'generative', case: caseName, ours: name, threads: t, metric: 'epochs/s', value: 1 / s,
            peer: torchLabel(pt), peerValue: 1 / p, ratio: ratios.length > 0 ? median(ratios) : NaN, medianMs: s * 1000, peerMedianMs: p * 1000, ratioRange: range(ratios),
          } as Row;
        }),
      );
    if (only !== 'dcgan') {
      const torchEpoch: Record<number, number[]> = Object.fromEntries(threadCounts.map((t) => [t, []]));
      const ours: Record<string, number[]> = {};
      let torchNelbo = NaN;
      const ourNelbo: Record<string, number> = {};
      for (let r = 0; r < rounds; r++) {
        // The first round trains 10 epochs on one thread for the ELBO; every other run 3 epochs.
        const epochsAt = (t: number) => (r === 0 && t === 1 ? 10 : 3);
        for (const t of threadCounts) {
          const p = runPytorch<TorchRun>('generative.py', ['vae', file, '--epochs', String(epochsAt(t)), '--threads', String(t)], log, 1_800_000);
          if (p) {
            torchEpoch[t]!.push(median(p.epoch_s));
            if (r === 0 && t === 1) torchNelbo = p.test_nelbo!.at(-1)!;
          }
        }
        for (const { isa, t, name } of variants) {
          const o = await ourVae(isa, t, split, epochsAt(t));
          (ours[name] ??= []).push(median(o.epochS));
          if (r === 0 && t === 1) ourNelbo[isa] = o.nelbo;
        }
        log?.(`generative: VAE round ${r + 1}: ${threadCounts.map((t) => `${torchLabel(t)} ${torchEpoch[t]!.at(-1)?.toFixed(2) ?? '-'}`).join(', ')} s/epoch${r === 0 ? ` (test -ELBO ${torchNelbo.toFixed(1)})` : ''}; ` +
          variants.map(({ isa, t, name }) => `${name} ${ours[name]!.at(-1)!.toFixed(2)}${r === 0 && t === 1 ? ` (test -ELBO ${ourNelbo[isa]!.toFixed(1)})` : ''}`).join(', ') + ' s/epoch');
      }
      rows.push(...timeRows('VAE 784-400-20 epoch (8,000 MNIST digits, batch 128, Adam)', torchEpoch, ours));
      for (const isa of builds()) {
        rows.push({
          suite: 'generative', case: `VAE test negative ELBO after 10 epochs (nats; PyTorch ${torchNelbo.toFixed(1)}, difference ${(ourNelbo[isa]! - torchNelbo).toFixed(1)})`,
          ours: variant(isa, 1), threads: 1, metric: 'nats', value: ourNelbo[isa]!, peer: 'pytorch examples/vae', peerValue: torchNelbo, ratio: NaN,
        });
      }
    }
    // DCGAN: one epoch of 125 batches of 64 per round (25, scaled by 5, with --quick).
    if (only !== 'vae') {
      const torchGan: Record<number, number[]> = Object.fromEntries(threadCounts.map((t) => [t, []]));
      const gan: Record<string, number[]> = {};
      const batches = quick ? 25 : 125, scale = 125 / batches;
      const images = { ...split.train, x: split.train.x.subarray(0, batches * 64 * 784), count: batches * 64, sampleShape: [1, 28, 28] };
      for (let r = 0; r < rounds; r++) {
        for (const t of threadCounts) {
          const p = runPytorch<TorchRun>('generative.py', ['dcgan', file, '--epochs', '1', '--batches', String(batches), '--threads', String(t)], log, 1_800_000);
          if (p) torchGan[t]!.push(p.epoch_s[0]! * scale);
        }
        for (const { isa, t, name } of variants) (gan[name] ??= []).push((await ourDcgan(isa, t, images, 1))[0]! * scale);
        log?.(`generative: DCGAN round ${r + 1}: ${threadCounts.map((t) => `${torchLabel(t)} ${torchGan[t]!.at(-1)?.toFixed(1) ?? '-'}`).join(', ')} s/epoch; ` +
          variants.map(({ name }) => `${name} ${gan[name]!.at(-1)!.toFixed(1)}`).join(', ') + ' s/epoch');
      }
      rows.push(...timeRows(`DCGAN epoch (125 batches of 64, Adam 2e-4${quick ? '; timed on 25, x5' : ''})`, torchGan, gan));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
