/**
 * Test support for the parallel kernels: run an op at 1 thread, then at 2, 3 and 4, from the same
 * starting memory, and require the same bits in every output.
 */
import { expect } from 'vitest';
import { setMinParallelWork, setThreads, threadsStarted, type Kernels } from '../../src/index.js';

export const THREAD_COUNTS = [2, 3, 4];

/** Splits every op however small while fn runs (the size threshold would keep test shapes on one thread). */
export async function splittingEverything<T>(fn: () => Promise<T>): Promise<T> {
  const was = setMinParallelWork(0);
  try {
    return await fn();
  } finally {
    setMinParallelWork(was);
  }
}

/** Output blocks: [pointer, floats]. */
export type Outputs = ReadonlyArray<readonly [number, number]>;

function bits(k: Kernels, outputs: Outputs): Uint32Array[] {
  return outputs.map(([p, n]) => new Uint32Array(k.memory.buffer, p, n).slice());
}

/**
 * prepare() writes the inputs and the outputs' starting contents; run() is the op. The outputs after
 * run() must be bit-identical at every thread count to what one thread gives.
 */
export async function expectSameBitsAcrossThreads(k: Kernels, what: string, prepare: () => void, run: () => void, outputs: Outputs): Promise<void> {
  setThreads(k, 1);
  prepare();
  run();
  const want = bits(k, outputs);
  for (const t of THREAD_COUNTS) {
    setThreads(k, t);
    await threadsStarted(k);
    prepare();
    run();
    const got = bits(k, outputs);
    for (let o = 0; o < outputs.length; o++) {
      const w = want[o]!;
      const g = got[o]!;
      const i = w.findIndex((v, j) => v !== g[j]);
      if (i >= 0) {
        const f = (u: number) => new Float32Array(Uint32Array.of(u).buffer)[0];
        expect.fail(`${what}, ${t} threads: output ${o}[${i}] is ${f(g[i]!)}, one thread gives ${f(w[i]!)}`);
      }
    }
  }
  setThreads(k, 1);
}
