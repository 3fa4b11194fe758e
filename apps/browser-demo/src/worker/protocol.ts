/**
 * Messages between the page and a training worker. The page starts, pauses, resumes and stops a
 * run and calls job methods (predict, save, load, generate...); the worker answers calls and posts
 * the run's state and progress. Each view has its own worker, hence its own kernels and memory.
 */
export type JobName = 'mnist' | 'text' | 'dbn' | 'gcn' | 'gen';
export type RunState = 'idle' | 'running' | 'paused' | 'stopping';

export type ToWorker =
  | { type: 'init'; job: JobName; dataBase: string }
  | { type: 'start'; options: Record<string, unknown> }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'call'; id: number; method: string; args: unknown[] };

export type FromWorker =
  | { type: 'ready'; isa: string; threads: number }
  | { type: 'state'; state: RunState }
  | { type: 'progress'; data: unknown }
  | { type: 'finished'; stopped: boolean; data: unknown }
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  | { type: 'error'; message: string };

/** Timing of a run, the paused time left out. */
export interface RunTiming {
  /** Seconds spent running so far. */
  elapsed: number;
  /** Fraction of the run done, in [0, 1]. */
  done: number;
  /** Items (images, characters, epochs...) per second over the run. */
  rate: number;
}
