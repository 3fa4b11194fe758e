/**
 * RBM benchmarks: seconds per CD-1 and per PCD epoch of a 784-500 binary RBM over 8,000 binary images
 * at batch 64 (nn.RBM.contrastiveDivergence + nn.SGD with momentum), and seconds per AIS estimate
 * (100 runs; 14,501 temperatures, 1,000 with --quick), ours on each kernel build against the same RBM
 * written in plain PyTorch (python/rbm.py) on as many threads.
 */
import { closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { runPytorch } from './pytorch.js';
import { benchThreads, builds, loadOurs, variant, type Isa } from './train-bench.js';
import type { Row, SuiteOptions } from './report.js';

const V = 784, H = 500, N = 8000, B = 64, RUNS = 100;

interface Times {
  cd1: number;
  pcd: number;
  ais: number;
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
  const t0 = performance.now();
  nn.annealedImportanceSampling(rbm, { runs: RUNS, betas, generator: g });
  const ais = (performance.now() - t0) / 1000;
  batches.forEach((t) => t.dispose());
  data.dispose();
  opt.dispose();
  rbm.dispose();
  closeThreads(k);
  return { cd1, pcd, ais };
}

export async function runRbmSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  const log = opts.log;
  const betas = quick ? 1000 : 14501, epochs = quick ? 1 : 2;
  const rows: Row[] = [];
  for (const threads of benchThreads()) {
    const torch = runPytorch<{ cd1_epoch_s: number; pcd_epoch_s: number; ais_s: number }>(
      'rbm.py', ['--betas', String(betas), '--runs', String(RUNS), '--epochs', String(epochs), '--threads', String(threads)], log,
    );
    if (torch) log?.(`rbm: PyTorch ${threads} thread(s): CD-1 epoch ${torch.cd1_epoch_s.toFixed(2)} s, PCD ${torch.pcd_epoch_s.toFixed(2)} s, AIS ${torch.ais_s.toFixed(1)} s`);
    for (const isa of builds()) {
      const t = await ours(isa, threads, betas, epochs);
      log?.(`rbm: ours ${variant(isa, threads)}: CD-1 epoch ${t.cd1.toFixed(2)} s, PCD ${t.pcd.toFixed(2)} s, AIS ${t.ais.toFixed(1)} s`);
      if (!torch) continue;
      const row = (c: string, ms: number, peerMs: number): Row => ({
        suite: 'rbm', case: c, ours: variant(isa, threads), threads, metric: 'runs/s', value: 1000 / ms, peer: 'PyTorch (plain RBM)', peerValue: 1000 / peerMs,
        ratio: peerMs / ms, medianMs: ms, peerMedianMs: peerMs,
      });
      rows.push(row(`784-500 RBM CD-1 epoch (8,000 x batch ${B})`, t.cd1 * 1000, torch.cd1_epoch_s * 1000));
      rows.push(row(`784-500 RBM PCD epoch (8,000 x batch ${B})`, t.pcd * 1000, torch.pcd_epoch_s * 1000));
      rows.push(row(`AIS estimate, ${RUNS} runs x ${betas} temperatures`, t.ais * 1000, torch.ais_s * 1000));
    }
  }
  return rows;
}
