/**
 * What every thread runs, the calling thread included: claim the tasks of a job one by one and call
 * their kernels. Both functions are self-contained (no imports, no outer names, no named inner
 * functions), because the worker's source is built from their text (workerSource), which spares
 * bundlers and test runners a worker file.
 */
import type { Layout } from './layout.js';

type Call = (fn: number, args: number[]) => void;

/**
 * Runs the unclaimed tasks of job `seq` until none are left; returns how many this thread ran.
 * The tasks are cut into BLOCKS contiguous blocks; thread t drains block t first, then helps with
 * the others (a descheduled thread's block is finished by the rest). A task is claimed by one
 * compare-exchange on its block's word, whose high bits hold the job number, so a thread that wakes
 * late for a finished job can never take a task of the next one. `argv`: the thread's argument arrays
 * by length, kept from job to job (a kernel call never re-enters this function).
 */
export function runClaimed(ctl: Int32Array, f64: Float64Array, seq: number, thread: number, call: Call, L: Layout, argv: number[][] = []): number {
  const count = Atomics.load(ctl, L.COUNT);
  const blocks = Atomics.load(ctl, L.BLOCKS);
  const tag = seq & 0x3fffff;
  const scratch = f64[L.SCRATCH + thread]!;
  let ran = 0;
  const ownBlock = thread !== 0 && Atomics.load(ctl, L.OWN_BLOCK) !== 0;
  for (let step = 0; step < blocks; step++) {
    const b = (thread + step) % blocks;
    if (b === 0 && ownBlock) continue;
    const end = Math.floor(((b + 1) * count) / blocks);
    for (;;) {
      const w = Atomics.load(ctl, L.CLAIMS + b);
      const i = w & 1023;
      if (w >>> 10 !== tag || i >= end) break;
      if (Atomics.compareExchange(ctl, L.CLAIMS + b, w, w + 1) !== w) continue;
      const at = L.TASKS + i * L.TASK_STRIDE;
      const argc = f64[at + 1]!;
      // The thread's own array for this many arguments (argv), refilled: no garbage per task. Made of
      // tagged values (filled with null first, never a double array), so integral arguments are
      // small integers and the call boxes none of them.
      let args = argv[argc];
      if (args === undefined) args = argv[argc] = new Array<number>(argc).fill(null as unknown as number);
      for (let a = 0; a < argc; a++) args[a] = f64[at + 3 + a]!;
      const s = f64[at + 2]!;
      if (s >= 0) args[s] = scratch;
      Atomics.store(ctl, L.BUSY + thread, 1);
      try {
        call(f64[at]!, args);
      } catch (e) {
        // The first failure wins; its message goes to the caller, which throws it.
        if (Atomics.compareExchange(ctl, L.ERROR, 0, thread + 1) === 0) {
          const text = new TextEncoder().encode(`${e instanceof Error ? e.message : String(e)} (task ${i}, thread ${thread})`);
          const n = Math.min(text.length, L.ERROR_BYTES_MAX);
          new Uint8Array(ctl.buffer, L.ERROR_BYTES, n).set(text.subarray(0, n));
          Atomics.store(ctl, L.ERROR_LENGTH, n);
        }
      }
      Atomics.store(ctl, L.BUSY + thread, 0);
      ran++;
      // DONE holds the job's tag over its count of finished tasks: a task of a job the caller has left
      // (Pool.run's mayComplete) counts in no later job.
      for (;;) {
        const d = Atomics.load(ctl, L.DONE);
        if (d >>> 10 !== tag) break;
        if (Atomics.compareExchange(ctl, L.DONE, d, d + 1) !== d) continue;
        if ((d & 1023) + 1 === count) Atomics.notify(ctl, L.DONE);
        break;
      }
    }
  }
  return ran;
}

/**
 * Closes the blocks of job `seq` (the caller does it before it writes the next job): each block's
 * word keeps the job's tag but points past any task. Without it, a thread that read SEQ = seq, was
 * descheduled, and woke while the caller writes job seq + 1 would compare the old words against
 * the new COUNT and claim (and run) tasks of the new job with the old tag, twice.
 */
export function closeClaims(ctl: Int32Array, seq: number, blocks: number, L: Layout): void {
  const closed = ((seq & 0x3fffff) << 10) | 1023;
  for (let b = 0; b < blocks; b++) Atomics.store(ctl, L.CLAIMS + b, closed);
}

interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  thread: number;
  layout: Layout;
}

/**
 * A worker's life: instantiate the kernels over the shared memory, say so in ALIVE, then wait for
 * jobs (spinning SPIN_US first, then blocking in Atomics.wait) and run their tasks, until STOP.
 * `runClaimed` is passed in because the worker's source defines it beside this function.
 */
export function workerMain(init: WorkerInit, claim: typeof runClaimed): void {
  const L = init.layout;
  const ctl = new Int32Array(init.control);
  const f64 = new Float64Array(init.control);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  } catch (e) {
    Atomics.store(ctl, L.ALIVE + init.thread, -1);
    throw e;
  }
  const fns = WebAssembly.Module.exports(init.module)
    .filter((d) => d.kind === 'function')
    .map((d) => instance.exports[d.name] as (...a: number[]) => unknown);
  // Held in an array so that no function here gets an inferred name: bundlers that keep names
  // (esbuild keepNames) would wrap a named one in a helper call the worker's source does not define.
  const call = [(fn: number, args: number[]) => void fns[fn]!(...args)][0]!;
  const argv: number[][] = [];
  Atomics.store(ctl, L.ALIVE + init.thread, 1);
  let seen = Atomics.load(ctl, L.SEQ);
  for (;;) {
    let seq = Atomics.load(ctl, L.SEQ);
    const spinUntil = performance.now() + Atomics.load(ctl, L.SPIN_US) / 1000;
    for (let spins = 0; seq === seen; spins++) {
      if (Atomics.load(ctl, L.STOP) !== 0) return;
      if ((spins & 255) === 255 && performance.now() > spinUntil) {
        Atomics.add(ctl, L.SLEEPERS, 1);
        Atomics.wait(ctl, L.SEQ, seen, 1000);
        Atomics.sub(ctl, L.SLEEPERS, 1);
      }
      seq = Atomics.load(ctl, L.SEQ);
    }
    if (Atomics.load(ctl, L.STOP) !== 0) return;
    seen = seq;
    if (Atomics.load(ctl, L.PARKED + init.thread) === 0) claim(ctl, f64, seq, init.thread, call, L, argv);
  }
}

/**
 * The worker's source: Node worker_threads (eval) get their start data in workerData, browser
 * workers (a Blob URL) in their first message.
 */
export function workerSource(): string {
  return `'use strict';
const runClaimed = ${runClaimed.toString()};
const workerMain = ${workerMain.toString()};
if (typeof process === 'object' && process.versions != null && process.versions.node != null) {
  // An eval worker is a CommonJS script, or an ES module when the process runs with --input-type=module.
  const { workerData } = typeof require === 'function' ? require('node:worker_threads') : process.getBuiltinModule('node:worker_threads');
  workerMain(workerData, runClaimed);
} else {
  self.onmessage = (e) => { self.onmessage = null; workerMain(e.data, runClaimed); };
}
`;
}
