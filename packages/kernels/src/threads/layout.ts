/**
 * The control block the calling thread and the workers share (a SharedArrayBuffer of its own, so it
 * never moves when the kernels' memory grows). Int32 words first, then the per-thread scratch
 * pointers and the task descriptors as float64 (exact for every pointer, size and f32 argument).
 * A plain object, because the worker receives it as data (its code cannot import).
 */
export const LAYOUT = {
  /** Job number; workers wait on it. */
  SEQ: 0,
  /** Unused (the single claim word of before; tasks are now claimed per block, CLAIMS). */
  CLAIM: 1,
  /** Tasks in the current job, and how many are finished. */
  COUNT: 2,
  DONE: 3,
  /** 0, or 1 + the thread whose task failed first (its message in the error bytes). */
  ERROR: 4,
  /** Workers blocked in Atomics.wait on SEQ (the caller skips the notify when there are none). */
  SLEEPERS: 5,
  /** Set to 1 to make every worker return. */
  STOP: 6,
  /** Microseconds a worker spins on SEQ before it blocks (back-to-back ops then start at once). */
  SPIN_US: 7,
  /** Length of the error message in bytes. */
  ERROR_LENGTH: 8,
  /** Blocks the current job's tasks are cut into: one per thread taking part. */
  BLOCKS: 9,
  /**
   * 1 when block 0 is the calling thread's alone (a job that may complete early, Pool.run's
   * mayComplete: its task there is the one that can end the job, so no worker takes it).
   */
  OWN_BLOCK: 10,
  /**
   * Int32 words, one per block: (job number mod 2^22) << 10 | next unclaimed task of the block.
   * Thread t drains block t (contiguous tasks, so consecutive ops cut the same way leave each
   * thread on the same data), then takes what is left of the others, by compare-exchange.
   */
  CLAIMS: 448,
  /** Int32 words: 1 when thread i (1..) has instantiated the kernels, -1 when it failed to. */
  ALIVE: 16,
  /** Int32 words: 1 while thread i is parked (the pool shrank below it): it skips jobs until unparked. */
  PARKED: 80,
  /**
   * Int32 words: 1 while thread i runs a task. A task on the calling thread may end its job early
   * (Pool.run's mayComplete), leaving another thread to finish a task of a job that is over; the caller
   * waits for these words (Pool.settle) before it frees or moves memory such a task may still write.
   * (After the scratch pointers, which end at int32 word 640.)
   */
  BUSY: 640,
  /** Byte offset of the error message (after PARKED's 64 words, which end at byte 576). */
  ERROR_BYTES: 576,
  ERROR_BYTES_MAX: 1024,
  /** Float64 index of thread t's scratch pointer. */
  SCRATCH: 256,
  MAX_THREADS: 64,
  /** Float64 index of the first task: [function index, argument count, scratch argument or -1, arguments...]. */
  TASKS: 512,
  TASK_STRIDE: 32,
  MAX_ARGS: 29,
  MAX_TASKS: 1023,
  BYTES: 4096 + 1023 * 32 * 8,
} as const;

export type Layout = typeof LAYOUT;
