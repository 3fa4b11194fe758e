/**
 * The worker pool of one Kernels: threads 1..n-1 are workers (Node worker_threads or browser
 * Workers), each with its own instance of the same compiled module over the same shared memory;
 * thread 0 is the caller, which takes its share of every job. A job is a list of kernel calls
 * written into the control block (layout.ts); a wake-up is one Atomics.notify, and no message is
 * posted per op. The caller returns when every task is done, and throws if one failed.
 */
import type { Kernels } from '../load.js';
import { unwrapped } from '../ops/check.js';
import { LAYOUT as L } from './layout.js';
import { startBrowserWorker } from './start-worker.js';
import { closeClaims, runClaimed, workerSource } from './work.js';

/** One kernel call: its export name, its arguments, and which argument gets the thread's scratch pointer. */
export interface Task {
  fn: string;
  args: number[];
  scratch?: number;
}

interface PortableWorker {
  terminate(): unknown;
}

const isNode = typeof process === 'object' && process.versions?.node !== undefined;

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

type NodeWorkerThreads = typeof import('node:worker_threads');

function nodeWorkerThreads(): NodeWorkerThreads {
  const get = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (get === undefined) throw new Error('worker threads need Node >= 20.16 (process.getBuiltinModule)');
  return get('node:worker_threads') as NodeWorkerThreads;
}

export class Pool {
  readonly control = new SharedArrayBuffer(L.BYTES);
  private readonly ctl = new Int32Array(this.control);
  private readonly f64 = new Float64Array(this.control);
  private readonly workers: Array<PortableWorker | null> = [null];
  private readonly index = new Map<string, number>();
  private readonly fns: Array<(...a: number[]) => unknown>;
  private readonly blocking = canBlock();
  private scratchBytes = 0;
  private readonly scratch: number[] = [];
  private seq = 0;
  /** Blocks the last job opened (closed before the next job is written). */
  private openBlocks = 0;
  /** Why the pool stopped using its workers (a worker died or a job stalled), or null. */
  broken: string | null = null;
  /** Why a worker could not start at all (in a browser: neither the worker file nor a Blob), or null. */
  startFailure: string | null = null;
  /** How long a job may make no progress before the caller gives up on the pool (ms). */
  stallMs = 60_000;
  /**
   * Whether each thread first takes its own contiguous block of a job's tasks (so consecutive ops cut
   * the same way keep each thread on the same data) rather than all threads taking tasks in order.
   */
  affinity = true;
  /**
   * Microseconds the caller spins for the other threads' last tasks before it blocks in Atomics.wait,
   * unless the job says how long its tail takes (run's tailUs, at most this).
   */
  callerSpinUs = 2_000;

  constructor(readonly k: Kernels) {
    if (!k.shared) throw new Error('worker threads need the kernels on a shared memory (SharedArrayBuffer)');
    const names = WebAssembly.Module.exports(k.module).filter((d) => d.kind === 'function').map((d) => d.name);
    names.forEach((n, i) => this.index.set(n, i));
    // The WebAssembly functions themselves, as the workers call them (not the loader's wrappers).
    this.fns = names.map((n) => unwrapped(k.exports[n] as (...a: number[]) => unknown));
    Atomics.store(this.ctl, L.SPIN_US, 300);
  }

  private active = 1;

  /** Threads taking part, the caller included. */
  get size(): number {
    return this.active;
  }

  /**
   * Makes n threads take part (the caller is one of them): starts workers as needed; workers past n
   * are parked (they skip jobs) rather than stopped, so changing the count back and forth is cheap.
   */
  resize(n: number): void {
    n = Math.max(1, Math.min(L.MAX_THREADS, Math.floor(n)));
    while (this.workers.length < n) this.workers.push(this.spawn(this.workers.length));
    for (let t = 1; t < this.workers.length; t++) Atomics.store(this.ctl, L.PARKED + t, t < n ? 0 : 1);
    this.active = n;
    if (this.scratchBytes > 0) this.ensureScratch(this.scratchBytes, true);
  }

  /** Stops and terminates the workers from thread `from` on. */
  private stopFrom(from: number): void {
    while (this.workers.length > from) {
      const t = this.workers.length - 1;
      const w = this.workers.pop();
      void w?.terminate();
      Atomics.store(this.ctl, L.ALIVE + t, 0);
      Atomics.store(this.ctl, L.PARKED + t, 0);
      const s = this.scratch[t];
      if (s !== undefined) {
        this.k.arena.free(s);
        this.scratch.length = t;
      }
    }
    this.active = Math.min(this.active, this.workers.length);
  }

  private spawn(thread: number): PortableWorker {
    const init = { module: this.k.module, memory: this.k.memory, control: this.control, thread, layout: L };
    // A worker that dies while it is still in the pool (not stopped by resize or close) breaks it.
    const died = (w: PortableWorker, why: string) => {
      if (this.workers[thread] === w) this.broken ??= `worker ${thread} ${why}`;
    };
    if (isNode) {
      const { Worker } = nodeWorkerThreads();
      const w = new Worker(workerSource(), { eval: true, workerData: init });
      w.unref(); // an idle pool never keeps a Node process alive
      w.on('error', (e) => died(w, `failed: ${e.message}`));
      w.on('exit', (code) => died(w, `exited with code ${code}`));
      return w;
    }
    const w: PortableWorker = startBrowserWorker(init, {
      reached: () => Atomics.load(this.ctl, L.ALIVE + thread) !== 0,
      died: (why) => died(w, why),
      failed: (why) => {
        this.startFailure ??= why;
      },
    });
    return w;
  }

  /** Resolves when every worker has instantiated the kernels; rejects if one could not, or could not start. */
  async started(timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      let waiting = 0;
      for (let t = 1; t < this.active; t++) {
        const s = Atomics.load(this.ctl, L.ALIVE + t);
        if (s < 0) throw new Error(`worker ${t} could not instantiate the kernels`);
        if (s === 0) waiting++;
      }
      if (this.startFailure !== null) throw new Error(`no worker could start: ${this.startFailure}`);
      if (this.broken !== null) throw new Error(`deepwasm threads: ${this.broken}`);
      if (waiting === 0) return;
      if (Date.now() > end) throw new Error(`deepwasm threads: ${waiting} workers did not start within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Workers that have instantiated the kernels (the caller not counted). */
  get liveWorkers(): number {
    let n = 0;
    for (let t = 1; t < this.active; t++) if (Atomics.load(this.ctl, L.ALIVE + t) === 1) n++;
    return n;
  }

  /** Gives every thread a scratch block of at least `bytes` (allocated by the caller, between jobs). */
  ensureScratch(bytes: number, force = false): void {
    if (bytes <= this.scratchBytes && !force && this.scratch.length >= this.active) return;
    this.scratchBytes = Math.max(bytes, this.scratchBytes);
    for (let t = 0; t < this.active; t++) {
      const have = this.scratch[t];
      if (have !== undefined && this.k.arena.blockSize(have) >= this.scratchBytes) continue;
      if (have !== undefined) {
        this.settle();
        this.k.arena.free(have);
      }
      this.scratch[t] = this.k.arena.alloc(this.scratchBytes);
      this.f64[L.SCRATCH + t] = this.scratch[t]!;
    }
  }

  /**
   * Runs the tasks on every thread and returns when all are done; throws the first task's error.
   * `tailUs`: how long the other threads' last pieces take once the caller has none left (it spins that
   * long for them, then blocks; by default callerSpinUs). On this shared 2-core host a thread the OS
   * takes off its core for 1-10 ms stalls the whole job; a caller that spins through the stall keeps a
   * core that another process then takes from us later, and blocking lets that process run in the
   * stall instead. GEMM 256³ relaxed in sustained loops on 2 threads (2026-11-26 10:24 UTC, load 6,
   * tools/bench/study/gemm-loops.mjs): 469 us a call spinning 2 ms, 413-429 us spinning 30-500 us;
   * 512³ plain 6.07 against 5.39-5.57 ms. As a default for every job (twice the caller's mean task)
   * it was within the noise for the LeNet-5 and LSTM steps (0.96x and 1.05x, 10:56 UTC, load 6.6).
   */
  run(tasks: readonly Task[], tailUs?: number, mayComplete = false): void {
    if (tasks.length > L.MAX_TASKS) throw new RangeError(`a parallel job holds at most ${L.MAX_TASKS} tasks, got ${tasks.length}`);
    const ctl = this.ctl;
    const f64 = this.f64;
    // Nothing of the last job may be claimed once its descriptors and COUNT are overwritten.
    closeClaims(ctl, this.seq, this.openBlocks, L);
    this.openBlocks = 0;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      const at = L.TASKS + i * L.TASK_STRIDE;
      const fn = this.index.get(t.fn);
      if (fn === undefined) throw new Error(`The ${this.k.isa} kernel module has no export "${t.fn}"`);
      if (t.args.length > L.MAX_ARGS) throw new RangeError(`${t.fn}: a task holds at most ${L.MAX_ARGS} arguments`);
      f64[at] = fn;
      f64[at + 1] = t.args.length;
      f64[at + 2] = t.scratch ?? -1;
      for (let a = 0; a < t.args.length; a++) f64[at + 3 + a] = t.args[a]!;
    }
    const seq = (this.seq = (this.seq + 1) | 0);
    Atomics.store(ctl, L.COUNT, tasks.length);
    Atomics.store(ctl, L.DONE, (seq & 0x3fffff) << 10);
    Atomics.store(ctl, L.ERROR, 0);
    this.mayComplete = mayComplete;
    this.completed = false;
    const useWorkers = this.broken === null && this.active > 1;
    if (useWorkers) {
      const blocks = this.affinity ? Math.min(this.active, tasks.length) : 1;
      Atomics.store(ctl, L.BLOCKS, blocks);
      Atomics.store(ctl, L.OWN_BLOCK, mayComplete ? 1 : 0);
      this.openBlocks = blocks;
      for (let b = 0; b < blocks; b++) Atomics.store(ctl, L.CLAIMS + b, ((seq & 0x3fffff) << 10) | Math.floor((b * tasks.length) / blocks));
      Atomics.store(ctl, L.SEQ, seq);
      if (Atomics.load(ctl, L.SLEEPERS) > 0) Atomics.notify(ctl, L.SEQ);
      runClaimed(ctl, f64, seq, 0, this.call, L, this.argv);
      if (!this.completed) this.waitDone(tasks.length, Math.min(tailUs ?? this.callerSpinUs, this.callerSpinUs));
    } else {
      for (let i = 0; i < tasks.length; i++) this.runInline(tasks[i]!);
    }
    if (Atomics.load(ctl, L.ERROR) !== 0) {
      const n = Atomics.load(ctl, L.ERROR_LENGTH);
      const text = new TextDecoder().decode(new Uint8Array(this.control, L.ERROR_BYTES, n).slice());
      throw new Error(`deepwasm threads: a kernel failed: ${text}`);
    }
  }

  /** The calling thread's argument arrays by length (runClaimed's argv). */
  private readonly argv: number[][] = [];
  /** Whether the current job may end when a task on the calling thread returns 1 (run's mayComplete), and whether one did. */
  private mayComplete = false;
  private completed = false;

  private readonly call = (fn: number, args: number[]): void => {
    if (this.fns[fn]!(...args) === 1 && this.mayComplete) this.completed = true;
  };

  /**
   * Returns once no worker is inside a task any more: after a job that a task on the calling thread
   * ended early (run's mayComplete), another thread may still be finishing its task of it (writing
   * only its own scratch and memory the op keeps for it). Called before such memory is freed or moved.
   */
  settle(): void {
    for (let t = 1; t < this.workers.length; t++) {
      const since = performance.now();
      while (Atomics.load(this.ctl, L.BUSY + t) !== 0) {
        if (this.broken !== null || performance.now() - since > this.stallMs) {
          this.broken ??= `worker ${t} did not finish a task within ${this.stallMs} ms`;
          throw new Error(`deepwasm threads: ${this.broken}; the pool is no longer used (run on one thread)`);
        }
      }
    }
  }

  private runInline(t: Task): void {
    const args = t.args.slice();
    if (t.scratch !== undefined) args[t.scratch] = this.f64[L.SCRATCH]!;
    this.fns[this.index.get(t.fn)!]!(...args);
  }

  private waitDone(count: number, spinUs: number): void {
    const ctl = this.ctl;
    let done = Atomics.load(ctl, L.DONE);
    const spinUntil = performance.now() + spinUs / 1000;
    let lastProgress = performance.now();
    let last = done;
    for (let spins = 0; (done & 1023) < count; spins++) {
      if ((spins & 63) === 63) {
        const now = performance.now();
        if (now > spinUntil && this.blocking) Atomics.wait(ctl, L.DONE, done, 100);
        if (done !== last) {
          last = done;
          lastProgress = now;
        } else if (now - lastProgress > this.stallMs || this.broken !== null) {
          this.broken ??= `a job made no progress for ${this.stallMs} ms`;
          throw new Error(`deepwasm threads: ${this.broken}; the pool is no longer used (run on one thread)`);
        }
      }
      done = Atomics.load(ctl, L.DONE);
    }
  }

  /** Stops and terminates every worker and frees the scratch blocks. */
  close(): void {
    if (this.broken === null) this.settle();
    Atomics.store(this.ctl, L.STOP, 1);
    Atomics.notify(this.ctl, L.SEQ);
    this.stopFrom(1);
    for (const p of this.scratch.splice(0)) this.k.arena.free(p);
    this.scratchBytes = 0;
  }
}
