/**
 * The training worker: one per view. It loads the kernels (its own memory and thread pool), then runs
 * the view's job: one training run at a time, and calls (predict, save, load...) between its steps.
 */
import type { FromWorker, JobName, ToWorker } from './protocol.js';
import type { Job } from './job.js';
import { RunControl } from './run-control.js';
import { loadKernels } from './kernels.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

async function makeJob(name: JobName): Promise<Job> {
  switch (name) {
    case 'mnist':
      return new (await import('./mnist-job.js')).MnistJob();
    case 'text':
      return new (await import('./text-job.js')).TextJob();
    case 'dbn':
      return new (await import('./dbn-job.js')).DbnJob();
    case 'gcn':
      return new (await import('./gcn-job.js')).GcnJob();
    case 'gen':
      return new (await import('./gen-job.js')).GenJob();
  }
}

/** Buffers of typed arrays in a result, moved to the page rather than copied. */
function transfers(value: unknown): Transferable[] {
  if (ArrayBuffer.isView(value)) return [value.buffer as ArrayBuffer];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.values(value).flatMap((v) => (ArrayBuffer.isView(v) ? [v.buffer as ArrayBuffer] : []));
  }
  return [];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

let job: Promise<Job> | null = null;
let dataBase = '';
let control: RunControl | null = null;

async function start(options: Record<string, unknown>): Promise<void> {
  const j = await job!;
  if (control !== null) throw new Error('a run is already going');
  const ctl = (control = new RunControl((state) => post({ type: 'state', state })));
  post({ type: 'state', state: 'running' });
  try {
    const data = await j.run(options, { dataBase, control: ctl, progress: (d, t) => post({ type: 'progress', data: d }, t ?? []) });
    post({ type: 'finished', stopped: ctl.isStopped, data }, transfers(data));
  } finally {
    control = null;
    post({ type: 'state', state: 'idle' });
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'init':
      dataBase = m.dataBase;
      job = loadKernels().then(async (k) => {
        const j = await makeJob(m.job);
        post({ type: 'ready', ...k });
        return j;
      });
      job.catch((err: unknown) => post({ type: 'error', message: `could not start: ${message(err)}` }));
      break;
    case 'start':
      start(m.options).catch((err: unknown) => post({ type: 'error', message: message(err) }));
      break;
    case 'pause':
      control?.pause();
      break;
    case 'resume':
      control?.resume();
      break;
    case 'stop':
      if (control !== null) {
        post({ type: 'state', state: 'stopping' });
        control.stop();
      }
      break;
    case 'call':
      (async () => (await job!).call(m.method, m.args))().then(
        (result) => post({ type: 'reply', id: m.id, result }, transfers(result)),
        (err: unknown) => post({ type: 'reply', id: m.id, error: message(err) }),
      );
      break;
  }
};
