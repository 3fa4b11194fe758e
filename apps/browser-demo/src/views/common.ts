/** What every view shares: its worker and run panel, the hooks tests read (window.__app), errors. */
import { JobWorker, type WorkerEvents } from '../worker/client.js';
import type { JobName } from '../worker/protocol.js';
import { RunPanel } from '../ui/run-panel.js';

/** What a view exposes to tests through window.__app.views[name]. */
export interface ViewHook {
  state: string;
  ready: boolean;
  errors: string[];
  [key: string]: unknown;
}

export interface AppHooks {
  views: Record<string, ViewHook>;
  clock: { ticks: number; maxGapMs: number; reset(): void };
  kernels?: { isa: string; threads: number; isolated: boolean };
}

export const hooks: AppHooks = ((window as unknown as { __app?: AppHooks }).__app ??= {
  views: {},
  clock: { ticks: 0, maxGapMs: 0, reset() {} },
});

export interface ViewBase {
  root: HTMLElement;
  hook: ViewHook;
  panel: RunPanel;
  worker: JobWorker;
  status(text: string): void;
}

/** Creates the worker and the run panel of a view; `events` receive the worker's reports. */
export function setUpView(name: JobName, root: HTMLElement, options: () => Record<string, unknown> | null, events: Partial<WorkerEvents>): ViewBase {
  const hook: ViewHook = (hooks.views[name] = { state: 'loading', ready: false, errors: [] });
  const statusEl = root.querySelector<HTMLElement>('.status')!;
  const status = (text: string) => (statusEl.textContent = text);
  let worker: JobWorker;
  const panel = new RunPanel(root, () => worker, options);
  worker = new JobWorker(name, {
    ...events,
    ready(info) {
      hook.ready = true;
      panel.set('idle');
      hook.state = 'idle';
      hooks.kernels ??= { ...info, isolated: crossOriginIsolated };
      const k = document.getElementById('kernels')!;
      k.textContent = `kernels: WASM ${info.isa === 'relaxed' ? 'relaxed SIMD' : 'SIMD128'}, ${info.threads} thread${info.threads > 1 ? 's' : ''}` + (crossOriginIsolated ? '' : ' (not cross-origin isolated)');
      events.ready?.(info);
    },
    state(state) {
      panel.set(state);
      hook.state = state;
      events.state?.(state);
    },
    error(message) {
      hook.errors.push(message);
      status(`Error: ${message}`);
      console.error(`${name}: ${message}`);
      events.error?.(message);
    },
  });
  return { root, hook, panel, worker, status };
}

/** Reports a failed call on the view's status line (and to tests). */
export function reportError(view: ViewBase, what: string, e: unknown): void {
  const message = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  ((view.hook.notices as string[] | undefined) ??= (view.hook.notices = [])).push(message);
  view.status(message);
}
