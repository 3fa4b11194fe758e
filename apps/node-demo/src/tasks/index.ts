/** The tasks of the demo by name (what they do and the options they read: about.ts). */
import * as nn from '@deepwasm/nn';
import { runAddingTask } from './adding.js';
import { runCharLmTask } from './char-lm.js';
import { runReverseTask } from './reverse.js';
import { runDbnTask } from './dbn.js';
import { runRbmTask } from './rbm.js';
import { runDbmTask, type DbmTaskOptions } from './dbm.js';
import { runGcnTask, type GcnTaskOptions } from './gcn.js';
import { runGraphsTask } from './graphs.js';
import { runVaeTask, type VaeTaskOptions } from './vae.js';
import { runGanTask, type GanTaskOptions } from './gan.js';
import { runAugmentTask, type AugmentTaskOptions } from './augment.js';
import { runKarateTask } from './karate.js';
import type { TaskOptions } from './common.js';

export { runAddingTask, runCharLmTask, runReverseTask, runDbnTask, runRbmTask, runDbmTask, runGcnTask, runGraphsTask, runVaeTask, runGanTask, runAugmentTask, runKarateTask };

export const TASKS: Record<string, (o: TaskOptions) => Promise<unknown>> = {
  adding: runAddingTask,
  charlm: runCharLmTask,
  reverse: runReverseTask,
  dbn: runDbnTask,
  rbm: runRbmTask,
  dbm: (o) => runDbmTask(o as DbmTaskOptions),
  gcn: (o) => runGcnTask(o as GcnTaskOptions),
  graphs: runGraphsTask,
  vae: (o) => runVaeTask(o as VaeTaskOptions),
  gan: (o) => runGanTask(o as GanTaskOptions),
  augment: (o) => runAugmentTask(o as AugmentTaskOptions),
  karate: runKarateTask,
};

/** Runs a task by name with the options the command line gave (checked against TASK_ABOUT first). */
export async function runSequenceTask(name: string, opts: TaskOptions & { epochs?: number; seeds?: number; dataset?: string; model?: string }): Promise<void> {
  const task = TASKS[name];
  if (!task) throw new Error(`unknown task "${name}"; choose one of: mnist, ${Object.keys(TASKS).join(', ')}`);
  const k = await nn.ready();
  const threads = nn.getNumThreads();
  console.log(`kernels: ${k.isa === 'relaxed' ? 'WASM relaxed SIMD (fused multiply-add)' : 'WASM SIMD128'}, ${threads} thread${threads > 1 ? 's' : ''}`);
  await task(opts);
}
