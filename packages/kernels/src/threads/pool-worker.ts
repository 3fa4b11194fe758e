/**
 * The pool's worker as a file of its own, started by start-worker.ts with
 * new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' }): the form Vite and
 * webpack 5 recognise and bundle, and the one a Content-Security-Policy without `worker-src blob:`
 * allows. Its start data comes in the first message, as for the Blob worker (work.ts, workerSource).
 */
import { runClaimed, workerMain } from './work.js';

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null };
scope.onmessage = (e: MessageEvent) => {
  scope.onmessage = null;
  workerMain(e.data as Parameters<typeof workerMain>[0], runClaimed);
};
