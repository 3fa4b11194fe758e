/** Running a convolution's list of tasks on the threads, or one after another on the calling thread. */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import { runTasks, type Task } from '../threads/index.js';

/**
 * Runs the tasks on k's threads as one job (threads > 1), or one after another on this thread with
 * one scratch block: the same kernel calls either way, so the same bits. Each task gets at least
 * scratchBytes of scratch in the argument its `scratch` names.
 */
export function runOrCall(k: Kernels, threads: number, tasks: readonly Task[], scratchBytes: number): void {
  if (threads > 1 && tasks.length > 1) return runTasks(k, tasks, scratchBytes);
  const work = scratchBytes > 0 ? k.arena.alloc(scratchBytes) : 0;
  try {
    for (const t of tasks) {
      const args = t.args.slice();
      if (t.scratch !== undefined) args[t.scratch] = work;
      kernel(k, t.fn)(...args);
    }
  } finally {
    if (work !== 0) k.arena.free(work);
  }
}
