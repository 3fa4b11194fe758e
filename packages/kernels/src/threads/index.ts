/**
 * Threads for one Kernels: how many take part (setThreads / threadCount), and the helpers the ops
 * use to split their work (threadsFor, splitRange, runTasks). With one thread every op calls its
 * kernel directly, exactly as without a pool; with more, an op becomes a list of independent kernel
 * calls over disjoint outputs, each computed in the same order as the single call would, so the
 * results do not depend on the thread count.
 */
import type { Kernels } from '../load.js';
import { LAYOUT } from './layout.js';
import { Pool, type Task } from './pool.js';

export { Pool, type Task } from './pool.js';

const pools = new WeakMap<Kernels, Pool>();
/** Kernels whose workers could not start: they stay on one thread (threadsStarted said why). */
const noWorkers = new WeakSet<Kernels>();
let warned = false;
const isNode = typeof process === 'object' && process.versions?.node !== undefined;

/** The machine's cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
export function defaultThreadCount(): number {
  const get = typeof process === 'object' ? (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  const os = get?.('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
  const n = os !== undefined ? (os.availableParallelism?.() ?? os.cpus().length) : (globalThis.navigator?.hardwareConcurrency ?? 1);
  return Math.max(1, Math.min(LAYOUT.MAX_THREADS, n));
}

/**
 * Makes n threads (the caller included) take part in k's parallel ops; returns the count in effect.
 * Workers start in the background (ops use them as they come up; `await threadsStarted(k)` waits).
 * Without shared memory (a page that is not cross-origin isolated) it stays at 1 and says once why.
 */
export function setThreads(k: Kernels, n: number = defaultThreadCount()): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`setNumThreads: the thread count must be a positive integer, got ${n}`);
  if (!k.shared) {
    if (n > 1 && !warned) {
      warned = true;
      console.warn(
        `deepwasm: running on 1 thread instead of ${n}: SharedArrayBuffer is unavailable because this page is not ` +
          'cross-origin isolated. Serve it with the headers "Cross-Origin-Opener-Policy: same-origin" and ' +
          '"Cross-Origin-Embedder-Policy: require-corp" to use every core.',
      );
    }
    return 1;
  }
  let pool = pools.get(k);
  if (pool === undefined) {
    if (n === 1 || noWorkers.has(k)) return 1;
    pool = new Pool(k);
    pools.set(k, pool);
  }
  try {
    pool.resize(n);
  } catch (e) {
    // No way to start workers here (e.g. Node before 20.16 lacks process.getBuiltinModule): one thread.
    closeThreads(k);
    if (!warned) {
      warned = true;
      console.warn(`deepwasm: running on 1 thread instead of ${n}: could not start worker threads (${e instanceof Error ? e.message : String(e)})`);
    }
    return 1;
  }
  return pool.size;
}

/** How to get more than one thread when the pool's workers cannot start in a browser. */
const WORKER_HINT =
  "Vite and webpack 5 bundle the pool's worker (new Worker(new URL('./pool-worker.js', import.meta.url))); with " +
  'another bundler, copy pool-worker.js and work.js from node_modules/@deepwasm/kernels/dist/threads/ beside ' +
  "your bundle, or allow Blob workers (Content-Security-Policy: worker-src 'self' blob:).";

/**
 * Resolves when k's workers have all started. It never rejects: if they cannot start (a browser
 * refused both the worker file and a Blob worker, or one could not instantiate the kernels), the pool
 * is closed, k runs on one thread, and a console message says once why and how to get more.
 */
export async function threadsStarted(k: Kernels): Promise<void> {
  const pool = pools.get(k);
  if (pool === undefined) return;
  try {
    await pool.started();
  } catch (e) {
    const n = pool.size;
    closeThreads(k);
    noWorkers.add(k);
    if (!warned) {
      warned = true;
      const hint = pool.startFailure !== null && !isNode ? ` ${WORKER_HINT}` : '';
      console.warn(`deepwasm: running on 1 thread instead of ${n}: ${e instanceof Error ? e.message : String(e)}.${hint}`);
    }
  }
}

/** Threads taking part in k's parallel ops (1 without a pool). */
export function threadCount(k: Kernels): number {
  return pools.get(k)?.size ?? 1;
}

/** Stops k's workers (ops run on the calling thread again). */
export function closeThreads(k: Kernels): void {
  pools.get(k)?.close();
  pools.delete(k);
}

/** k's pool, if it has one. */
export function poolOf(k: Kernels): Pool | undefined {
  return pools.get(k);
}

/**
 * Multiply-adds (or element visits for memory-bound ops, weighted by the caller) below which an op
 * stays on the calling thread. An empty two-call job costs 2-5 us while the workers spin and about
 * 40 us when one must be woken (`pnpm bench gemm` logs it); 2^18 multiply-adds take about 10 us on
 * one core, so smaller ops would spend as much on the dispatch as they save.
 */
export const MIN_PARALLEL_WORK = 1 << 18;

let minWork = MIN_PARALLEL_WORK;

/** Sets the threshold (tests set 0 to split even the smallest op); returns the previous one. */
export function setMinParallelWork(work: number): number {
  const was = minWork;
  minWork = work;
  return was;
}

/** Threads an op of `work` units should be split over: 1 without a pool, when broken, or below the threshold. */
export function threadsFor(k: Kernels, work: number): number {
  const pool = pools.get(k);
  if (pool === undefined || pool.size === 1 || pool.broken !== null || work < minWork) return 1;
  return pool.size;
}

/**
 * Pieces per thread an op is cut into. Threads claim pieces as they come, so a thread the OS
 * descheduled (a shared machine) takes fewer, instead of the caller waiting for its one big share.
 */
export const PIECES_PER_THREAD = 2;

/**
 * Splits [0, n) into at most `parts` ranges of nearly equal length whose boundaries are multiples of
 * `align` (the last range takes the remainder); never an empty range.
 */
export function splitRange(n: number, parts: number, align = 1): Array<[number, number]> {
  const units = Math.ceil(n / align);
  const p = Math.max(1, Math.min(parts, units));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < p; i++) {
    const s = Math.floor((units * i) / p) * align;
    const e = Math.min(n, Math.floor((units * (i + 1)) / p) * align);
    if (e > s) out.push([s, e]);
  }
  return out;
}

/**
 * The common shape of a parallel op: when `work` reaches the threshold, cuts [0, n) into ranges
 * (boundaries multiples of `align`), runs task(start, end) for each on k's threads and returns true;
 * otherwise returns false and the caller runs its one-thread code.
 */
export function splitOver(k: Kernels, work: number, n: number, align: number, task: (start: number, end: number) => Task, scratchBytes = 0): boolean {
  const t = threadsFor(k, work);
  if (t <= 1 || n <= align) return false;
  runTasks(k, splitRange(n, t * PIECES_PER_THREAD, align).map(([s, e]) => task(s, e)), scratchBytes);
  return true;
}

/**
 * Runs the tasks on k's threads (each with at least scratchBytes of its own scratch), in jobs of at most
 * LAYOUT.MAX_TASKS. `tailUs`: how long the last pieces of the job take once the caller has none left
 * (Pool.run: the caller spins that long for them, then blocks); by default from the caller's tasks.
 * `mayComplete`: a task on the calling thread that returns 1 ends the job, the caller not waiting for
 * the others' tasks (it guarantees they write nothing the caller can see from then on; see Pool.settle).
 */
export function runTasks(k: Kernels, tasks: readonly Task[], scratchBytes = 0, tailUs?: number, mayComplete = false): void {
  const pool = pools.get(k);
  if (pool === undefined) throw new Error('runTasks: these kernels have no thread pool (setThreads first)');
  if (scratchBytes > 0) pool.ensureScratch(scratchBytes);
  for (let i = 0; i < tasks.length; i += LAYOUT.MAX_TASKS) pool.run(tasks.length <= LAYOUT.MAX_TASKS ? tasks : tasks.slice(i, i + LAYOUT.MAX_TASKS), tailUs, mayComplete);
}

/** Returns once none of k's workers is still inside a task (see Pool.settle); at once without a pool. */
export function settleThreads(k: Kernels): void {
  pools.get(k)?.settle();
}

/**
 * Splits the rows of a CSR index (rowptr: rows + 1 entries) into at most `parts` ranges, cut where
 * entries plus rows so far cross equal shares of the total, so that one dense row (a hub node) does
 * not leave a single range with most of the work; never an empty range.
 */
export function splitCsrRows(rowptr: ArrayLike<number>, rows: number, parts: number): Array<[number, number]> {
  const total = rowptr[rows]! + rows;
  const p = Math.max(1, Math.min(parts, rows));
  const out: Array<[number, number]> = [];
  let s = 0;
  for (let q = 1; q <= p && s < rows; q++) {
    let e = rows;
    if (q < p) {
      // The first row boundary i > s with rowptr[i] + i >= total * q / p.
      const target = (total * q) / p;
      let lo = s + 1;
      let hi = rows;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rowptr[mid]! + mid >= target) hi = mid;
        else lo = mid + 1;
      }
      e = lo;
    }
    out.push([s, e]);
    s = e;
  }
  return out;
}

/**
 * The shape of a parallel op over the rows of a CSR index: when `work` reaches the threshold, runs
 * task(r0, r1) over row ranges balanced by entries (splitCsrRows) and returns true; otherwise false.
 */
export function splitOverCsrRows(k: Kernels, work: number, rowptr: number, rows: number, task: (r0: number, r1: number) => Task): boolean {
  const t = threadsFor(k, work);
  if (t <= 1 || rows < 2) return false;
  runTasks(k, splitCsrRows(k.arena.i32(rowptr, rows + 1), rows, t * PIECES_PER_THREAD).map(([a, b]) => task(a, b)));
  return true;
}
