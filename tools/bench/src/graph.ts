/**
 * Graph benchmarks: milliseconds per training epoch (forward over the whole graph, cross-entropy on
 * the training nodes, backward, Adam) of PyG's example GCN and GAT on Cora and Citeseer, ours on each
 * kernel build on 1 and 2 threads against the same models in plain PyTorch on as many threads
 * (python/gnn_epoch.py: torch.sparse.mm, gather and index_add_); "vs 1 thread" is the median of the
 * per-round ratios of our 2-thread and 1-thread epochs; and spmm throughput on 1 and 2 threads, the
 * normalised adjacency times a dense [N, F] matrix, in GB/s of the bytes it must move, beside a 64 MB
 * copy's GB/s (what the memory system gives one thread) and PyTorch's torch.sparse.mm on as many
 * threads (the faster of its COO and CSR forms).
 *
 * The machine is shared: the contenders alternate in rounds (PyTorch, then ours on each build), and
 * each row reports the median of the per-round ratios, with their range (ratioRange).
 */
import { closeThreads, copy, spmmCsr, type Kernels } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { loadPlanetoid, type NodeClassificationData, type PlanetoidName } from '@deepwasm/data';
import { GAT, GCN } from '@deepwasm/models';
import { median, time } from './stats.js';
import { benchThreads, builds, loadOurs, variant, type Isa } from './train-bench.js';
import { runPytorch } from './pytorch.js';
import type { Row, SuiteOptions } from './report.js';

type Model = 'gcn' | 'gat';
const DATASETS: PlanetoidName[] = ['cora', 'citeseer'];

/** Median ms of one training epoch of `which` on `data` (on `threads` threads), as trainNodeClassifier runs it. */
async function ourEpochMs(isa: Isa, threads: number, which: Model, name: PlanetoidName, seconds: number): Promise<number> {
  const k = await loadOurs(isa, threads);
  nn.useKernels(k);
  const data = loadPlanetoid(name);
  nn.manualSeed(0);
  const model = which === 'gcn' ? new GCN({ inChannels: data.numFeatures, outChannels: data.numClasses }) : new GAT({ inChannels: data.numFeatures, outChannels: data.numClasses });
  const opt = new nn.Adam(model.parameterGroups(5e-4), { lr: which === 'gcn' ? 0.01 : 0.005 });
  const labels = data.trainIndex.map((i) => data.y[i]!);
  const t = time(
    () =>
      nn.tidy(() => {
        opt.zeroGrad();
        nn.crossEntropy(nn.gather(model.forward(data.x, data.graph), data.trainIndex), labels).backward();
        opt.step();
      }),
    { warmup: 5, minSamples: 10, minSeconds: seconds },
  );
  opt.dispose();
  model.dispose();
  data.dispose();
  closeThreads(k);
  return t.medianMs;
}

/** Bytes spmm must move: row pointers, columns and weights once, a gathered x row per edge, the output. */
function spmmBytes(data: NodeClassificationData, f: number): number {
  const g = data.graph.withSelfLoops();
  return (g.numNodes + 1) * 4 + g.numEdges * (4 + 4 + f * 4) + g.numNodes * f * 4;
}

/**
 * Median ms of spmm on k (a build on some threads, loaded once for all rounds: a fresh instance's
 * code is still being optimised in the background for its first calls, and would be timed with it).
 */
function ourSpmmMs(k: Kernels, data: NodeClassificationData, f: number, seconds: number): number {
  nn.useKernels(k);
  const g = data.graph.withSelfLoops();
  const { csr } = g.kernelIndices(k);
  const w = g.gcnWeights();
  const x = nn.randn([g.numNodes, f]);
  const out = nn.zeros([g.numNodes, f]);
  const call = () => spmmCsr(k, csr, out.ptr, x.ptr, w.ptr, 1, f);
  time(call, { warmup: 20, minSamples: 50, minSeconds: 0.2 }); // untimed: V8 tiers the kernel up in the background
  const t = time(call, { warmup: 20, minSamples: 50, minSeconds: seconds });
  [w, x, out].forEach((v) => v.dispose());
  return t.medianMs;
}

/** GB/s of one thread copying 64 MB (read + write) with the copy kernel. */
async function copyGBs(isa: Isa, seconds: number): Promise<number> {
  const k = await loadOurs(isa, 1);
  const n = 16 * 1024 * 1024;
  const a = k.arena.alloc(n * 4);
  const b = k.arena.alloc(n * 4);
  k.arena.f32(a, n).fill(1);
  const t = time(() => copy(k, b, a, n), { warmup: 2, minSamples: 10, minSeconds: seconds });
  k.arena.free(a);
  k.arena.free(b);
  return (2 * n * 4) / (t.medianMs * 1e6);
}

interface TorchEpoch {
  median_epoch_ms: number;
}
interface TorchSpmm {
  spmm_ms: Record<string, number>;
}

export async function runGraphSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  const log = opts.log;
  const rounds = quick ? 1 : 3;
  const seconds = quick ? 1 : 2;
  const rows: Row[] = [];
  const threadCounts = benchThreads();
  for (const name of DATASETS) {
    for (const which of ['gcn', 'gat'] as const) {
      const torch: Record<number, number[]> = {};
      const ours: Record<string, number[]> = {};
      for (let r = 0; r < rounds; r++) {
        for (const threads of threadCounts) {
          const t = runPytorch<TorchEpoch>('gnn_epoch.py', [which, name, '--seconds', String(seconds), '--threads', String(threads)], log);
          if (t) (torch[threads] ??= []).push(t.median_epoch_ms);
          for (const isa of builds()) (ours[variant(isa, threads)] ??= []).push(await ourEpochMs(isa, threads, which, name, seconds));
          log?.(
            `graph: ${which} ${name} round ${r + 1}, ${threads} thread(s): pytorch ${t ? t.median_epoch_ms.toFixed(2) : '-'} ms, ` +
              builds().map((i) => `${i} ${ours[variant(i, threads)]!.at(-1)!.toFixed(2)} ms`).join(', '),
          );
        }
      }
      for (const threads of threadCounts) {
        for (const isa of builds()) {
          const mine = ours[variant(isa, threads)]!;
          const ms = median(mine);
          const peer = torch[threads] ?? [];
          const ratios = peer.map((p, r) => p / mine[r]!);
          const peerMs = peer.length > 0 ? median(peer) : NaN;
          // Our speed-up over one thread, per round (the rounds alternate, so each pair saw the same load).
          const one = ours[variant(isa, 1)]!;
          const speedups = threads > 1 ? mine.map((m, r) => one[r]! / m) : [];
          if (speedups.length > 0) log?.(`graph: ${which} ${name} ${variant(isa, threads)} vs 1 thread per round: ${speedups.map((v) => v.toFixed(2)).join(', ')}`);
          rows.push({
            suite: 'graph', case: `${which.toUpperCase()} training epoch, ${name}`, ours: variant(isa, threads), threads, metric: 'epochs/s', value: 1000 / ms,
            peer: `pytorch ${threads} thread${threads > 1 ? 's' : ''}`, peerValue: 1000 / peerMs, ratio: ratios.length > 0 ? median(ratios) : NaN, medianMs: ms, peerMedianMs: peerMs,
            ratioRange: ratios.length > 0 ? [Math.min(...ratios), Math.max(...ratios)] : null,
            speedupRange: speedups.length > 0 ? [Math.min(...speedups), Math.max(...speedups)] : undefined,
          } as Row);
        }
      }
    }
  }
  for (const isa of builds()) {
    const gbs = await copyGBs(isa, seconds);
    log?.(`graph: 64 MB copy, ${isa}: ${gbs.toFixed(1)} GB/s`);
    rows.push({ suite: 'graph', case: 'memory copy 64 MB (read + write)', ours: isa, metric: 'GB/s', value: gbs, peer: '-', peerValue: NaN, ratio: NaN });
  }
  const spmmKernels = new Map<string, Kernels>();
  for (const threads of threadCounts) for (const isa of builds()) spmmKernels.set(variant(isa, threads), await loadOurs(isa, threads));
  for (const name of DATASETS) {
    const data = loadPlanetoid(name);
    for (const f of [16, 64]) {
      const bytes = spmmBytes(data, f);
      const torch: Record<number, number[]> = {};
      const ours: Record<string, number[]> = {};
      for (let r = 0; r < rounds; r++) {
        for (const threads of threadCounts) {
          const t = runPytorch<TorchSpmm>('gnn_epoch.py', ['spmm', name, '--seconds', String(seconds / 2), '--threads', String(threads)], log);
          if (t) (torch[threads] ??= []).push(Math.min(t.spmm_ms[String(f)]!, t.spmm_ms[`csr${f}`] ?? Infinity)); // the faster of COO and CSR
          for (const isa of builds()) (ours[variant(isa, threads)] ??= []).push(ourSpmmMs(spmmKernels.get(variant(isa, threads))!, data, f, seconds / 2));
        }
      }
      for (const threads of threadCounts) {
        for (const isa of builds()) {
          const mine = ours[variant(isa, threads)]!;
          const ms = median(mine);
          // PyTorch on as many threads, and on one beside our 2-thread rows.
          for (const peerThreads of threads > 1 ? [threads, 1] : [1]) {
            const peer = torch[peerThreads] ?? [];
            const ratios = peer.map((p, r) => p / mine[r]!);
            const peerMs = peer.length > 0 ? median(peer) : NaN;
            rows.push({
              suite: 'graph', case: `spmm Â·X, ${name}, X [N, ${f}]`, ours: variant(isa, threads), threads, metric: 'GB/s', value: bytes / (ms * 1e6),
              peer: `pytorch sparse.mm ${peerThreads} thread${peerThreads > 1 ? 's' : ''}`, peerValue: bytes / (peerMs * 1e6),
              ratio: ratios.length > 0 ? median(ratios) : NaN, medianMs: ms, peerMedianMs: peerMs,
              ratioRange: ratios.length > 0 ? [Math.min(...ratios), Math.max(...ratios)] : null,
            } as Row);
          }
        }
      }
    }
    data.dispose();
  }
  spmmKernels.forEach((k) => closeThreads(k));
  return rows;
}
