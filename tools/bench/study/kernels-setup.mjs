// What the kernel-level study scripts share: the kernels of the instruction set and thread count
// their command line names (argv[2], argv[3]), a median timer, and arena inputs.
import * as K from '@deepwasm/kernels';

/** Loads the kernels for `node script.mjs [relaxed|simd128] [threads]` and starts the threads. */
export async function studyKernels(argv = process.argv) {
  const isa = argv[2] ?? 'relaxed';
  const threads = Number(argv[3] ?? 1);
  const k = await K.loadKernels({ isa });
  K.setThreads(k, threads);
  await K.threadsStarted(k);
  return { k, isa, threads };
}

/** The median of a list of numbers (the upper one of an even count). */
export const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** Median ms of fn over at least 5 calls and minMs, after one warm-up call. */
export function timeIt(fn, minMs = 60) {
  fn();
  const t = [];
  const t0 = performance.now();
  while (t.length < 5 || performance.now() - t0 < minMs) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return median(t);
}

/** n floats in the arena, a smooth deterministic pattern in [-0.5, 0.5]. */
export function sineInput(k, n) {
  const p = k.arena.alloc(n * 4);
  const f = new Float32Array(k.memory.buffer, p, n);
  for (let i = 0; i < n; i++) f[i] = Math.sin(i * 0.37 + n) * 0.5;
  return p;
}

/**
 * For the A/B scripts that load two builds in one process (gemm-ab.mjs, conv-ab.mjs): build K's
 * kernels on `threads` threads, and put(n), n floats sin(i * 0.37) in its arena.
 */
export async function buildKernels(K, isa, threads = 2) {
  const k = await K.loadKernels({ isa });
  K.setThreads(k, threads);
  await K.threadsStarted(k);
  const put = (n) => {
    const p = k.arena.alloc(n * 4);
    const v = new Float32Array(k.memory.buffer, p, n);
    for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37);
    return p;
  };
  return { k, put };
}
