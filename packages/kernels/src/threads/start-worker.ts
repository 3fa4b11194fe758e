/**
 * Starting one pool worker in a browser. First the worker file,
 * new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' }): Vite and webpack 5
 * bundle it, and it needs no `blob:` in a Content-Security-Policy. Where that file is not served (a
 * bundler that copies no files: esbuild, Rollup), its load fails and the same code starts from a Blob
 * instead. If neither starts, `failed` says why, and the pool runs on one thread (threads/index.ts).
 */
import { workerSource } from './work.js';

export interface StartEvents {
  /** Whether the worker has reached the kernels (its ALIVE slot is no longer 0). */
  reached(): boolean;
  /** A worker that had started failed: the pool is broken. */
  died(why: string): void;
  /** Neither the worker file nor a Blob worker could start, and why. */
  failed(why: string): void;
}

export interface StartedWorker {
  terminate(): void;
}

let blobUrl: string | null = null;

function message(e: unknown): string {
  const m = (e as { message?: unknown } | null)?.message;
  return typeof m === 'string' && m !== '' ? m : 'the browser gives no reason';
}

/** Starts a worker (the file, else a Blob) and posts it `init`; the events say how it went. */
export function startBrowserWorker(init: unknown, on: StartEvents): StartedWorker {
  let worker: Worker | null = null;
  let stopped = false;
  const reasons: string[] = [];

  const watch = (w: Worker, next: (() => void) | null) => {
    w.onerror = (e) => {
      if (stopped || worker !== w) return;
      if (on.reached()) return on.died(`failed: ${message(e)}`);
      // The script never ran (not found, not JavaScript, or refused by the page's policy).
      e.preventDefault();
      w.terminate();
      worker = null;
      reasons.push(
        next !== null
          ? `the worker file ${fileUrl} did not load (${message(e)})`
          : `a Blob worker did not load either (${message(e)}; a Content-Security-Policy whose worker-src lacks blob: refuses it)`,
      );
      if (next !== null) next();
      else on.failed(reasons.join('; '));
    };
  };

  const fromBlob = () => {
    try {
      blobUrl ??= URL.createObjectURL(new Blob([workerSource()], { type: 'text/javascript' }));
      const w = new Worker(blobUrl);
      worker = w;
      watch(w, null);
      w.postMessage(init);
    } catch (e) {
      reasons.push(`a Blob worker was refused (${message(e)})`);
      on.failed(reasons.join('; '));
    }
  };

  // For messages only; not written as new URL(...), which bundlers would copy as an asset.
  const fileUrl = String(import.meta.url).replace(/[^/]*$/, 'pool-worker.js');
  try {
    const w = new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' });
    worker = w;
    watch(w, fromBlob);
    w.postMessage(init);
  } catch (e) {
    reasons.push(`the worker file could not start (${message(e)})`);
    fromBlob();
  }

  return {
    terminate() {
      stopped = true;
      worker?.terminate();
    },
  };
}
