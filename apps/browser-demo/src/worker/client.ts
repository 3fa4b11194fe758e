/** The page's side of a training worker: start / pause / resume / stop, calls with replies, events. */
import type { FromWorker, JobName, RunState, ToWorker } from './protocol.js';

export interface WorkerEvents {
  ready(info: { isa: string; threads: number }): void;
  state(state: RunState): void;
  progress(data: unknown): void;
  finished(stopped: boolean, data: unknown): void;
  error(message: string): void;
}

export class JobWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(job: JobName, private readonly on: Partial<WorkerEvents>) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: `deepwasm ${job}` });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => this.on.error?.(`the worker failed: ${e.message}`);
    this.send({ type: 'init', job, dataBase: new URL('data/', document.baseURI).href });
  }

  private send(m: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        return this.on.ready?.({ isa: m.isa, threads: m.threads });
      case 'state':
        return this.on.state?.(m.state);
      case 'progress':
        return this.on.progress?.(m.data);
      case 'finished':
        return this.on.finished?.(m.stopped, m.data);
      case 'error':
        return this.on.error?.(m.message);
      case 'reply': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result);
      }
    }
  }

  start(options: Record<string, unknown>): void {
    this.send({ type: 'start', options });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  stop(): void {
    this.send({ type: 'stop' });
  }

  /** Calls a method of the worker's job; buffers in `transfer` are moved to the worker. */
  call<T>(method: string, args: unknown[] = [], transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ type: 'call', id, method, args }, transfer);
    });
  }
}
