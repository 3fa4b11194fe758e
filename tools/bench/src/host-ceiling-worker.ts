/**
 * The second of two independent one-thread GEMM loops (host-ceiling.ts): its own kernels instance
 * on its own memory, nothing shared with the main thread's but a flag. It runs GEMMs while the flag
 * is 1 and answers how many it ran in how long; 2 ends it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { gemm, loadKernels, setThreads, type Isa } from '@deepwasm/kernels';

interface Init { isa: Isa; M: number; flag: SharedArrayBuffer }
const { isa, M, flag } = workerData as Init;
const state = new Int32Array(flag);
const k = await loadKernels({ isa });
setThreads(k, 1);
const put = (n: number) => {
  const p = k.arena.alloc(n * 4);
  const v = k.arena.f32(p, n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37);
  return p;
};
const [a, b, c] = [put(M * M), put(M * M), put(M * M)];
const run = () => gemm(k, false, false, M, M, M, 1, a, M, b, M, 0, c, M);
run();
parentPort!.postMessage({ type: 'ready' });
for (;;) {
  Atomics.wait(state, 0, 0);
  if (Atomics.load(state, 0) === 2) break;
  let n = 0;
  const t0 = performance.now();
  while (n < 1 || Atomics.load(state, 0) === 1) {
    run();
    n++;
  }
  parentPort!.postMessage({ type: 'ran', n, ms: performance.now() - t0 });
  // The main thread sets the flag back to 0 before it waits for this answer.
}
parentPort!.close();
