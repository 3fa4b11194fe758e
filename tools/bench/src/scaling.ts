/**
 * Scaling suite (`pnpm bench scaling`): each case on 1 thread and on 2 threads of the same kernels,
 * alternating round by round (setThreads between rounds, so both see the same phases of a shared
 * machine), and the median and range of the per-round speed-ups. The figures of the README's
 * threads table; the other suites time 1 and 2 threads in separate runs and give only medians.
 */
import { closeThreads, conv2dBackward, conv2dForward, convOutputSize, gemm, setThreads, threadsStarted, type Kernels } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { lenet5, resnet } from '@deepwasm/models';
import { CONVS, geometry } from './cnn.js';
import { CONVT_CASES, convtFlops, convtGeometry, outSize } from './convt.js';
import { GEMM_SHAPES } from './gemm.js';
import { hostCeilingRow } from './host-ceiling.js';
import { median } from './stats.js';
import { builds, type Isa } from './train-bench.js';
import type { Row, SuiteOptions } from './report.js';

interface Case {
  name: string;
  metric: string;
  /** Units of `metric` per run (e.g. FLOPs / 1e9 for GFLOP/s, images for images/s, 1 for runs/s). */
  per: number;
  run: () => void;
}

/**
 * ms per run at 1 and 2 threads, alternating rounds of about roundMs each (at least 2 runs); the
 * order flips every round (1t 2t, 2t 1t, ...), so a neighbour's periodic load or a drift in clock
 * speed does not always fall on the same side of a pair.
 */
function alternate(k: Kernels, run: () => void, rounds: number, roundMs: number): { one: number[]; two: number[] } {
  const out = { one: [] as number[], two: [] as number[] };
  for (const t of [1, 2]) {
    setThreads(k, t);
    run();
    run();
  }
  for (let r = 0; r < rounds; r++) {
    for (const t of r % 2 === 0 ? [1, 2] : [2, 1]) {
      setThreads(k, t);
      run();
      const t0 = performance.now();
      let n = 0;
      while (n < 2 || performance.now() - t0 < roundMs) {
        run();
        n++;
      }
      (t === 1 ? out.one : out.two).push((performance.now() - t0) / n);
    }
  }
  return out;
}

function row(isa: Isa, c: Case, ms: { one: number[]; two: number[] }): Row {
  const ratios = ms.one.map((v, i) => v / ms.two[i]!);
  const rate = (x: number[]) => (c.per * 1000) / median(x);
  return {
    suite: 'scaling', case: c.name, ours: `${isa} 2t`, metric: c.metric, value: rate(ms.two), peer: `${isa} 1t, same rounds`, peerValue: rate(ms.one),
    ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)], medianMs: median(ms.two), peerMedianMs: median(ms.one),
  };
}

function fill(k: Kernels, n: number): number {
  const p = k.arena.alloc(n * 4);
  const v = k.arena.f32(p, n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37);
  return p;
}

function kernelCases(k: Kernels, quick: boolean): { cases: Case[]; free: () => void } {
  const ptrs: number[] = [];
  const alloc = (n: number) => {
    const p = fill(k, n);
    ptrs.push(p);
    return p;
  };
  const cases: Case[] = [];
  for (const [M, K, N] of GEMM_SHAPES.filter(([m, kk, n]) => m === kk && kk === n && m >= 256 && (!quick || m < 1024))) {
    const [a, b, c] = [alloc(M * K), alloc(K * N), alloc(M * N)];
    cases.push({ name: `GEMM ${M}x${K}x${N}`, metric: 'GFLOP/s', per: (2 * M * N * K) / 1e9, run: () => gemm(k, false, false, M, N, K, 1, a, K, b, N, 0, c, N) });
  }
  for (const cc of CONVS) {
    const g = geometry(cc);
    const O = convOutputSize(cc.H, cc.K, 1, cc.pad);
    const flop = 2 * cc.N * cc.OC * O * O * cc.C * cc.K * cc.K;
    const [x, w, b, y] = [alloc(cc.N * cc.C * cc.H * cc.H), alloc(cc.OC * cc.C * cc.K * cc.K), alloc(cc.OC), alloc(cc.N * cc.OC * O * O)];
    const [dx, dw, db] = [alloc(cc.N * cc.C * cc.H * cc.H), alloc(cc.OC * cc.C * cc.K * cc.K), alloc(cc.OC)];
    cases.push({ name: `conv fwd ${cc.name}`, metric: 'GFLOP/s', per: flop / 1e9, run: () => conv2dForward(k, g, x, w, b, y) });
    cases.push({ name: `conv bwd ${cc.name}`, metric: 'GFLOP/s', per: (2 * flop) / 1e9, run: () => conv2dBackward(k, g, x, w, y, dx, dw, db) });
  }
  // ConvTranspose2d on the DCGAN shapes of bench convt (not the 1-channel one): its forward pass,
  // input gradient (a strided convolution) and filter gradient, as nn.convTranspose2d calls them.
  for (const c of CONVT_CASES.filter((c) => c.OC > 1)) {
    const g = convtGeometry(c);
    const O = outSize(c);
    const per = convtFlops(c) / 1e9;
    const [x, w, y, dx, dw] = [alloc(c.N * c.C * c.H * c.H), alloc(c.C * c.OC * c.K * c.K), alloc(c.N * c.OC * O * O), alloc(c.N * c.C * c.H * c.H), alloc(c.C * c.OC * c.K * c.K)];
    const name = c.name.replace(/ k4 s2 p1$/, '');
    cases.push({ name: `convT fwd ${name}`, metric: 'GFLOP/s', per, run: () => conv2dBackward(k, g, 0, w, x, y, 0, 0) });
    cases.push({ name: `convT input grad ${name}`, metric: 'GFLOP/s', per, run: () => conv2dForward(k, g, y, w, 0, dx) });
    cases.push({ name: `convT filter grad ${name}`, metric: 'GFLOP/s', per, run: () => conv2dBackward(k, g, y, w, x, 0, dw, 0) });
  }
  return { cases, free: () => ptrs.forEach((p) => k.arena.free(p)) };
}

/** LeNet-5 training (batch 64), the LSTM(64, 128) training step (32 x 50) and ResNet-50 inference at batch 1. */
function modelCases(quick: boolean): { cases: Case[]; free: () => void } {
  const disposers: Array<() => void> = [];
  const cases: Case[] = [];
  nn.manualSeed(0);
  {
    const model = lenet5();
    const opt = new nn.Adam(model.parameters(), { lr: 1e-3 });
    const x = nn.randn([64, 1, 28, 28]).keep();
    const labels = Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10);
    const run = () => nn.tidy(() => {
      opt.zeroGrad();
      nn.crossEntropy(model.forward(x), labels).backward();
      opt.step();
    });
    cases.push({ name: 'LeNet-5 train step, batch 64', metric: 'images/s', per: 64, run });
    disposers.push(() => [x, opt, model].forEach((d) => d.dispose()));
  }
  {
    const layer = new nn.LSTM(64, 128);
    const opt = new nn.Adam(layer.parameters(), { lr: 1e-3 });
    const x = nn.randn([50, 32, 64]).keep();
    const y = nn.randn([50, 32, 128]).keep();
    const run = () => nn.tidy(() => {
      opt.zeroGrad();
      nn.mseLoss(layer.forward(x), y).backward();
      opt.step();
    });
    cases.push({ name: 'LSTM(64->128) train step, 32 x 50 steps', metric: 'steps/s', per: 1, run });
    disposers.push(() => [x, y, opt, layer].forEach((d) => d.dispose()));
  }
  if (!quick) {
    const model = resnet(50);
    model.eval();
    const x = nn.randn([1, 3, 224, 224]).keep();
    const run = () => nn.noGrad(() => nn.tidy(() => void model.forward(x).toArray()));
    cases.push({ name: 'ResNet-50 inference, batch 1', metric: 'images/s', per: 1, run });
    disposers.push(() => [x, model].forEach((d) => d.dispose()));
  }
  return { cases, free: () => disposers.forEach((f) => f()) };
}

export async function runScalingSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  const rows: Row[] = [];
  for (const isa of builds()) {
    const k = await nn.ready({ isa, threads: 2 });
    await threadsStarted(k);
    // The host's two-core ceiling before and after this build's cases: what two independent loops get.
    const ceiling = async (when: string) => {
      const r = await hostCeilingRow(k, isa, when, quick ? 5 : 9, quick ? 100 : 200);
      opts.log?.(`scaling: ${isa} ${r.case}: x${r.ratio.toFixed(2)} (${r.ratioRange![0].toFixed(2)}-${r.ratioRange![1].toFixed(2)})`);
      rows.push(r);
    };
    await ceiling('before');
    for (const make of [() => kernelCases(k, quick), () => modelCases(quick)]) {
      const { cases, free } = make();
      for (const c of cases) {
        const slow = c.name.startsWith('ResNet-50');
        const ms = alternate(k, c.run, slow ? (quick ? 3 : 5) : quick ? 5 : 9, slow ? 600 : quick ? 100 : 200);
        const r = row(isa, c, ms);
        opts.log?.(`scaling: ${isa} ${c.name}: 1t ${r.peerMedianMs!.toFixed(2)} ms, 2t ${r.medianMs!.toFixed(2)} ms, x${r.ratio.toFixed(2)} (${r.ratioRange![0].toFixed(2)}-${r.ratioRange![1].toFixed(2)})`);
        rows.push(r);
      }
      free();
    }
    await ceiling('after');
    closeThreads(k);
  }
  return rows;
}
