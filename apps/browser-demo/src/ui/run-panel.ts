/**
 * The start / pause-resume / stop buttons of a view and the fields of its run, kept in step with the
 * worker's state: fields and Start are disabled while a run is going, Pause turns into Resume while
 * paused, Stop is only there during a run. The view's root carries data-state for styles and tests.
 * Also the run's speed, elapsed time and ETA line.
 */
import type { JobWorker } from '../worker/client.js';
import type { RunState } from '../worker/protocol.js';

export type PanelState = RunState | 'loading';

export class RunPanel {
  state: PanelState = 'loading';
  private readonly start: HTMLButtonElement;
  private readonly pause: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  /** Other controls to disable during a run (e.g. load model). */
  readonly lockedDuringRun: Array<HTMLButtonElement | HTMLInputElement | HTMLSelectElement> = [];

  constructor(readonly root: HTMLElement, private readonly worker: () => JobWorker, private readonly options: () => Record<string, unknown> | null) {
    this.start = root.querySelector('[data-run=start]')!;
    this.pause = root.querySelector('[data-run=pause]')!;
    this.stop = root.querySelector('[data-run=stop]')!;
    this.start.addEventListener('click', () => {
      const o = this.options();
      if (o === null) return;
      this.set('running');
      this.worker().start(o);
    });
    this.pause.addEventListener('click', () => (this.state === 'paused' ? this.worker().resume() : this.worker().pause()));
    this.stop.addEventListener('click', () => {
      this.set('stopping');
      this.worker().stop();
    });
    this.set('loading');
  }

  private fields(): Array<HTMLInputElement | HTMLSelectElement> {
    return [...this.root.querySelectorAll<HTMLInputElement | HTMLSelectElement>('.fields input, .fields select')];
  }

  set(state: PanelState): void {
    this.state = state;
    this.root.dataset.state = state;
    const busy = state !== 'idle';
    this.start.disabled = busy;
    this.pause.disabled = state !== 'running' && state !== 'paused';
    this.pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
    this.stop.disabled = state !== 'running' && state !== 'paused';
    for (const f of this.fields()) f.disabled = busy;
    for (const c of this.lockedDuringRun) c.disabled = busy;
  }
}

/** "1,234 images/s · 0:42 elapsed · ETA 1:05" */
export function speedLine(rate: number, unit: string, elapsed: number, done: number): string {
  const eta = done > 0 && done < 1 ? (elapsed / done) * (1 - done) : 0;
  return `${Math.round(rate).toLocaleString('en-US')} ${unit}/s · ${clock(elapsed)} elapsed` + (done < 1 ? ` · ETA ${done > 0.005 ? clock(eta) : '…'}` : ' · done');
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** Reads a numeric field, checked; marks it invalid and returns null when it is not. */
export function numberField(input: HTMLInputElement, min: number, max: number, integer: boolean): number | null {
  const v = Number(input.value);
  const ok = input.value.trim() !== '' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
  input.setCustomValidity(ok ? '' : `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  if (!ok) input.reportValidity();
  return ok ? v : null;
}
