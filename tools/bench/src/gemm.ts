/**
 * GEMM suite: GFLOP/s of our packed kernel (plain SIMD and relaxed SIMD, on 1 and 2 threads) against
 * tfjs-wasm's matMul (one thread in Node) and PyTorch's torch.mm on as many threads, where installed.
 */
import { closeThreads, detectFeatures, gemm, runTasks, type Kernels } from '@deepwasm/kernels';
import { loadTfjsWasm } from './tfjs-wasm.js';
import { runPytorch } from './pytorch.js';
import { timeInterleaved } from './stats.js';
import { benchThreads, loadOurs, variant, type Isa } from './train-bench.js';
import type { Row, SuiteOptions } from './report.js';

/** M x K x N, the shapes of the foundation issue (MLP layers, square sizes, a conv-as-GEMM). */
export const GEMM_SHAPES: ReadonlyArray<[number, number, number]> = [
  [64, 784, 128],
  [128, 128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
  [64, 3136, 64],
];

export async function runGemmSuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const { tf, binary } = await loadTfjsWasm();
  const isas: Isa[] = detectFeatures().relaxedSimd ? ['simd128', 'relaxed'] : ['simd128'];
  const threads = benchThreads();
  const builds: Array<[string, number, Kernels]> = [];
  for (const isa of isas) for (const t of threads) builds.push([variant(isa, t), t, await loadOurs(isa, t)]);
  opts.log?.(`gemm: tfjs ${tf.version_core} (${binary}); ours: ${builds.map(([n]) => n).join(' + ')}` +
    (isas.length === 1 ? ' (relaxed SIMD unavailable: run node with --experimental-wasm-relaxed-simd)' : ''));
  for (const [name, t, k] of builds) if (t > 1) opts.log?.(`gemm: ${name} dispatch round trip (an empty job of ${t} calls): ${roundTrip(k, t)}`);
  const shapes = opts.quick ? GEMM_SHAPES.filter(([m]) => m !== 1024) : GEMM_SHAPES;
  const torch = new Map<number, Record<string, number>>();
  for (const t of threads) {
    const r = runPytorch<Record<string, number>>('gemm.py', ['--threads', String(t), '--seconds', opts.quick ? '0.3' : '1', ...shapes.map((s) => s.join('x'))], opts.log);
    if (r) torch.set(t, r);
  }
  const rows: Row[] = [];
  for (const [M, K, N] of shapes) {
    const flop = 2 * M * N * K;
    const fns: Record<string, () => void> = {};
    const cleanups: Array<() => void> = [];
    for (const [name, , k] of builds) {
      const pa = k.arena.alloc(M * K * 4);
      const pb = k.arena.alloc(K * N * 4);
      const pc = k.arena.alloc(M * N * 4);
      const fillRandom = (ptr: number, n: number) => {
        const v = k.arena.f32(ptr, n);
        for (let i = 0; i < n; i++) v[i] = Math.sin(i * 12.9898) * 0.5;
      };
      fillRandom(pa, M * K);
      fillRandom(pb, K * N);
      fns[name] = () => gemm(k, false, false, M, N, K, 1, pa, K, pb, N, 0, pc, N);
      cleanups.push(() => {
        k.arena.free(pa);
        k.arena.free(pb);
        k.arena.free(pc);
      });
    }
    const a = tf.randomNormal([M, K]);
    const b = tf.randomNormal([K, N]);
    fns['tfjs-wasm'] = () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    };
    const t = timeInterleaved(fns, { minSeconds: opts.quick ? 0.3 : 1.5, rounds: opts.quick ? 3 : 5 });
    a.dispose();
    b.dispose();
    cleanups.forEach((f) => f());
    const gflops = (name: string) => flop / (t[name]!.medianMs * 1e6);
    const theirs = gflops('tfjs-wasm');
    const shape = `${M}x${K}x${N}`;
    for (const [name, threadCount] of builds) {
      const base = { suite: 'gemm', case: shape, ours: name, metric: 'GFLOP/s', value: gflops(name), threads: threadCount, medianMs: t[name]!.medianMs };
      rows.push({ ...base, peer: 'tfjs-wasm 1 thread', peerValue: theirs, ratio: gflops(name) / theirs, peerMedianMs: t['tfjs-wasm']!.medianMs });
      const pt = torch.get(threadCount)?.[shape];
      if (pt !== undefined) rows.push({ ...base, peer: `pytorch ${threadCount} thread${threadCount > 1 ? 's' : ''}`, peerValue: pt, ratio: gflops(name) / pt });
    }
  }
  for (const [, , k] of builds) closeThreads(k);
  return rows;
}

/** Median microseconds of an empty job, back to back (workers spinning) and 5 ms apart (workers asleep). */
function roundTrip(k: Kernels, threads: number): string {
  const p = k.arena.alloc(64 * threads);
  const tasks = Array.from({ length: threads }, (_, i) => ({ fn: 'f32_vfill', args: [p + 64 * i, 16, 0] }));
  const measure = (gapMs: number, count: number) => {
    const us: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      runTasks(k, tasks);
      us.push((performance.now() - t0) * 1000);
      const until = performance.now() + gapMs;
      while (performance.now() < until);
    }
    return us.sort((a, b) => a - b)[us.length >> 1]!.toFixed(1);
  };
  const hot = measure(0, 2000);
  const cold = measure(5, 100);
  k.arena.free(p);
  return `${hot} us back to back, ${cold} us after 5 ms idle`;
}
