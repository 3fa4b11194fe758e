/**
 * The host's own two-core ceiling, measured inside a scaling run: a one-thread GEMM loop alone, then
 * the same loop with a second, independent one (its own kernels instance and memory in a worker
 * thread, host-ceiling-worker.ts) running at the same time, in alternating rounds. On a shared VM two
 * independent loops together often get well under 2x one; no threading of ours can get more, so the
 * scaling rows read against this one (tools/bench/study/host-ceiling.mjs does the same with processes).
 */
import { Worker } from 'node:worker_threads';
import { gemm, setThreads, type Isa, type Kernels } from '@deepwasm/kernels';
import { median } from './stats.js';
import type { Row } from './report.js';

export const CEILING_SIZE = 256;

/** Runs `fn` until roundMs have passed (at least twice); GEMMs per ms. */
function rate(fn: () => void, roundMs: number): number {
  let n = 0;
  const t0 = performance.now();
  while (n < 2 || performance.now() - t0 < roundMs) {
    fn();
    n++;
  }
  return n / (performance.now() - t0);
}

/**
 * The ceiling row for `isa`: k's own one-thread GEMM (256^3) alone, and beside the worker's; `when`
 * names the row (e.g. 'before', 'after'). Leaves k on one thread.
 */
export async function hostCeilingRow(k: Kernels, isa: Isa, when: string, rounds: number, roundMs: number): Promise<Row> {
  const M = CEILING_SIZE;
  const put = (n: number) => {
    const p = k.arena.alloc(n * 4);
    const v = k.arena.f32(p, n);
    for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37);
    return p;
  };
  const ptrs = [put(M * M), put(M * M), put(M * M)];
  const [a, b, c] = ptrs as [number, number, number];
  const run = () => gemm(k, false, false, M, M, M, 1, a, M, b, M, 0, c, M);
  const flag = new SharedArrayBuffer(4);
  const state = new Int32Array(flag);
  const worker = new Worker(new URL('./host-ceiling-worker.js', import.meta.url), { workerData: { isa, M, flag } });
  const messages: Array<(m: { type: string; n?: number; ms?: number }) => void> = [];
  worker.on('message', (m) => messages.shift()?.(m));
  const next = () => new Promise<{ type: string; n?: number; ms?: number }>((res, rej) => {
    messages.push(res);
    worker.once('error', rej);
  });
  setThreads(k, 1);
  try {
    await next();
    run();
    const alone: number[] = [];
    const both: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const one = rate(run, roundMs);
      const answer = next();
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
      const mine = rate(run, roundMs);
      Atomics.store(state, 0, 0);
      const theirs = await answer;
      const sum = mine + theirs.n! / theirs.ms!;
      alone.push(one);
      both.push(sum);
      ratios.push(sum / one);
    }
    const gflops = (perMs: number) => (2 * M * M * M * perMs) / 1e6;
    return {
      suite: 'scaling', case: `host ceiling ${when}: two independent 1-thread GEMM ${M}^3 loops`, ours: `${isa} both at once`, metric: 'GFLOP/s',
      value: gflops(median(both)), peer: `${isa} one alone, same rounds`, peerValue: gflops(median(alone)),
      ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    };
  } finally {
    Atomics.store(state, 0, 2);
    Atomics.notify(state, 0);
    await worker.terminate();
    ptrs.forEach((p) => k.arena.free(p));
  }
}
