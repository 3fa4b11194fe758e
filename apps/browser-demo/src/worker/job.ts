/** What a view's worker runs: a training loop (start / pause / resume / stop) and calls on its model. */
import type { RunControl } from './run-control.js';

export interface JobContext {
  /** URL of the folder of build-time data (public/data). */
  dataBase: string;
  control: RunControl;
  /** Posts a progress report to the page (buffers in `transfer` are moved, not copied). */
  progress(data: unknown, transfer?: Transferable[]): void;
}

export interface Job {
  /** One run with the page's options; returns what the page shows when it ends (stopped or not). */
  run(options: Record<string, unknown>, ctx: JobContext): Promise<unknown>;
  /** A method call from the page (predict, save, load, generate...), between training steps. */
  call(method: string, args: unknown[]): unknown;
}

/** Reads an option the page sent, checked against a range (the page's fields are checked there too). */
export function option(options: Record<string, unknown>, key: string, fallback: number, min: number, max: number, integer = true): number {
  const v = options[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new RangeError(`${key} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}
