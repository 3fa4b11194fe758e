/** GEMM suite: GFLOP/s of our packed kernel (plain SIMD and relaxed SIMD) against tfjs-wasm's matMul. */
import { detectFeatures, gemm, loadKernels, type Kernels } from '@deepwasm/kernels';
import { loadTfjsWasm } from './tfjs-wasm.js';
import { timeInterleaved } from './stats.js';
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
  const builds: Array<[string, Kernels]> = [['simd128', await loadKernels({ isa: 'simd128' })]];
  if (detectFeatures().relaxedSimd) builds.push(['relaxed', await loadKernels({ isa: 'relaxed' })]);
  opts.log?.(`gemm: tfjs ${tf.version_core} (${binary}); ours: ${builds.map(([n]) => n).join(' + ')}` +
    (builds.length === 1 ? ' (relaxed SIMD unavailable: run node with --experimental-wasm-relaxed-simd)' : ''));
  const rows: Row[] = [];
  const shapes = opts.quick ? GEMM_SHAPES.filter(([m]) => m !== 1024) : GEMM_SHAPES;
  for (const [M, K, N] of shapes) {
    const flop = 2 * M * N * K;
    const fns: Record<string, () => void> = {};
    const cleanups: Array<() => void> = [];
    for (const [name, k] of builds) {
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
    for (const [name] of builds) {
      rows.push({
        suite: 'gemm',
        case: `${M}x${K}x${N}`,
        ours: name,
        metric: 'GFLOP/s',
        value: gflops(name),
        peer: 'tfjs-wasm',
        peerValue: theirs,
        ratio: gflops(name) / theirs,
        medianMs: t[name]!.medianMs,
        peerMedianMs: t['tfjs-wasm']!.medianMs,
      });
    }
  }
  return rows;
}
