/**
 * RBM benchmarks: seconds per CD-1 and per PCD epoch of a 784-500 binary RBM over 8,000 binary images
 * at batch 64 (nn.RBM.contrastiveDivergence + nn.SGD with momentum), seconds per AIS estimate (100 runs;
 * 14,501 temperatures, 1,000 with --quick) and seconds per greedy pretraining of the DBN
 * 784-500-500-2000 with 10 label units (one CD-1 epoch per layer, DBN.pretrain), ours on each kernel
 * build against the same RBM and DBN written in plain PyTorch (python/rbm.py), on 1 and 2 threads (and
 * all the cores when there are more): each of our variants against PyTorch on as many threads, and our
 * multi-thread variants also against PyTorch on one (the library's default uses all cores). They
 * alternate in rounds (3, or 2 with --quick; a PyTorch process, then ours), and each row reports the
 * median of the per-round ratios with their range.
 */
import { closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { dbn } from '@deepwasm/models';
import { runPytorch } from './pytorch.js';
import { benchThreads, builds, loadOurs, variant, type Isa } from './train-bench.js';
import { median } from './stats.js';
import type { Row, SuiteOptions } from './report.js';

const V = 784, H = 500, N = 8000, B = 64, RUNS = 100;
const pytorchLabel = (t: number): string => `PyTorch ${t} thread${t > 1 ? 's' : ''}`;

interface Times {
  cd1: number;
  pcd: number;
  ais: number;
  dbn: number;
}

async function ours(isa: Isa, threads: number, betas: number, epochs: number): Promise<Times> {
  const k = await loadOurs(isa, threads);
  nn.useKernels(k);
  const g = new nn.Generator(0);
  const data = nn.bernoulli(nn.full([N, V], 0.13), { generator: g }).keep();
  const batches = Array.from({ length: N / B }, (_, i) => nn.narrow(data, 0, i * B, B).keep());
  const rbm = new nn.RBM(V, H, { generator: g });
  const opt = new nn.SGD(rbm.parameters(), { lr: 0.05, momentum: 0.5 });
  const epoch = (persistent: boolean) => {
    const t0 = performance.now();
    for (const v of batches) {
      opt.zeroGrad();
      nn.tidy(() => rbm.contrastiveDivergence(v, { persistent, reconstructionError: false, generator: g }));
      opt.step();
    }
    return (performance.now() - t0) / 1000;
  };
  const best = (persistent: boolean) => Math.min(...Array.from({ length: epochs }, () => epoch(persistent)));
  const cd1 = best(false);
  const pcd = best(true);
  rbm.resetChains();
  let t0 = performance.now();
  nn.annealedImportanceSampling(rbm, { runs: RUNS, betas, generator: g });
  const ais = (performance.now() - t0) / 1000;
  const set: nn.Dataset = { x: data.toArray(), y: Int32Array.from({ length: N }, () => g.int(10)), count: N, sampleShape: [V] };
  const model = dbn([V, 500, 500, 2000], { numClasses: 10, generator: g });
  t0 = performance.now();
  model.pretrain(set, { epochs: 1, generator: g });
  const dbnS = (performance.now() - t0) / 1000;
  model.dispose();
  batches.forEach((t) => t.dispose());
  data.dispose();
  opt.dispose();
  rbm.dispose();
  closeThreads(k);
  return { cd1, pcd, ais, dbn: dbnS };
}

export async function runRbmSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  const log = opts.log;
  const betas = quick ? 1000 : 14501, rounds = quick ? 2 : 3;
  const threadCounts = benchThreads();
  const torch: Record<number, Times[]> = {};
  const our: Record<string, Times[]> = {};
  const fmt = (x: Times) => `CD-1 epoch ${x.cd1.toFixed(2)} s, PCD ${x.pcd.toFixed(2)} s, AIS ${x.ais.toFixed(1)} s, DBN ${x.dbn.toFixed(1)} s`;
  for (let r = 0; r < rounds; r++) {
    for (const threads of threadCounts) {
      const t = runPytorch<{ cd1_epoch_s: number; pcd_epoch_s: number; ais_s: number; dbn_s: number }>(
        'rbm.py', ['--betas', String(betas), '--runs', String(RUNS), '--epochs', '1', '--dbn-epochs', '1', '--threads', String(threads)], log, 900_000,
      );
      if (t) (torch[threads] ??= []).push({ cd1: t.cd1_epoch_s, pcd: t.pcd_epoch_s, ais: t.ais_s, dbn: t.dbn_s });
      for (const isa of builds()) (our[variant(isa, threads)] ??= []).push(await ours(isa, threads, betas, 1));
      log?.(
        `rbm round ${r + 1}: ${pytorchLabel(threads)}: ${t ? fmt(torch[threads]!.at(-1)!) : '-'}; ` +
          builds().map((i) => `ours ${variant(i, threads)}: ${fmt(our[variant(i, threads)]!.at(-1)!)}`).join('; '),
      );
    }
  }
  const rows: Row[] = [];
  const cases: Array<[keyof Times, string]> = [
    ['cd1', `784-500 RBM CD-1 epoch (8,000 x batch ${B})`],
    ['pcd', `784-500 RBM PCD epoch (8,000 x batch ${B})`],
    ['ais', `AIS estimate, ${RUNS} runs x ${betas} temperatures`],
    ['dbn', 'DBN 784-500-500-2000 (+10 labels) pretraining, 1 CD-1 epoch per layer'],
  ];
  // Each of our variants against PyTorch on as many threads, and (at 2+ threads) against PyTorch on one.
  for (const threads of threadCounts) {
    for (const peerThreads of new Set([threads, 1])) {
      const peer = torch[peerThreads];
      if (!peer || peer.length !== rounds) continue;
      for (const isa of builds()) {
        const mine = our[variant(isa, threads)]!;
        for (const [key, name] of cases) {
          const ms = median(mine.map((x) => x[key] * 1000)), peerMs = median(peer.map((x) => x[key] * 1000));
          const ratios = peer.map((p, r) => p[key] / mine[r]![key]);
          rows.push({
            suite: 'rbm', case: name, ours: variant(isa, threads), threads, metric: 'runs/s', value: 1000 / ms, peer: `${pytorchLabel(peerThreads)} (plain RBM)`, peerValue: 1000 / peerMs,
            ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)], medianMs: ms, peerMedianMs: peerMs,
          });
        }
      }
    }
  }
  return rows;
}
