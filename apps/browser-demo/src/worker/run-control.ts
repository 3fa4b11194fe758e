/**
 * Pause, resume and stop for a training loop running in a worker. The loop calls `between()` after
 * each step: every ~30 ms it yields to the worker's event loop (so pause, stop and calls such as
 * predict get in), it waits there while paused, and it returns false once stop was asked.
 */
const YIELD_EVERY_MS = 30;

/** A macrotask turn without setTimeout's 4 ms clamp: a message to ourselves. */
function yieldTurn(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

export class RunControl {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private lastYield = performance.now();
  private readonly started = performance.now();
  private pausedSince = 0;
  private pausedMs = 0;

  constructor(private readonly onState: (state: 'running' | 'paused') => void) {}

  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.pausedSince = performance.now();
    this.onState('paused');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pausedMs += performance.now() - this.pausedSince;
    this.onState('running');
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.paused) {
      this.paused = false;
      this.pausedMs += performance.now() - this.pausedSince;
    }
    this.wake?.();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Seconds of running, pauses left out. */
  get elapsed(): number {
    const pausedNow = this.paused ? performance.now() - this.pausedSince : 0;
    return (performance.now() - this.started - this.pausedMs - pausedNow) / 1000;
  }

  /** Between two steps: lets messages in, waits while paused; false when the run should stop. */
  async between(force = false): Promise<boolean> {
    if (force || performance.now() - this.lastYield > YIELD_EVERY_MS || this.paused) {
      await yieldTurn();
      while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
      this.lastYield = performance.now();
    }
    return !this.stopped;
  }
}
