/**
 * ONNX Runtime Web as a live peer: our model exported with nn.exportOnnx runs in onnxruntime-web's
 * wasm backend (in Node, in a worker thread per thread count; see ort-web-worker.ts), timed in
 * rounds that alternate with ours.
 */
import { Worker } from 'node:worker_threads';

type Reply = { type: 'ready'; backend: string } | { type: 'time'; medianMs: number } | { type: 'output'; data: Float32Array };

export class OrtWebPeer {
  private constructor(private readonly worker: Worker, readonly label: string) {}

  /** A session on `bytes` with `threads` threads, fed `input` of `shape` on every run. */
  static async start(bytes: Uint8Array, threads: number, shape: readonly number[], input: Float32Array): Promise<OrtWebPeer> {
    const worker = new Worker(new URL('./ort-web-worker.js', import.meta.url), {
      workerData: { bytes: bytes.slice().buffer, threads, shape: [...shape], input: input.slice() },
    });
    const ready = await next(worker);
    if (ready.type !== 'ready') throw new Error('ort-web worker: expected ready');
    return new OrtWebPeer(worker, ready.backend);
  }

  /** Median ms of runs until minSamples and minSeconds. */
  async time(minSamples: number, minSeconds: number): Promise<number> {
    this.worker.postMessage({ type: 'time', minSamples, minSeconds });
    const r = await next(this.worker);
    if (r.type !== 'time') throw new Error('ort-web worker: expected a timing');
    return r.medianMs;
  }

  async output(): Promise<Float32Array> {
    this.worker.postMessage({ type: 'run' });
    const r = await next(this.worker);
    if (r.type !== 'output') throw new Error('ort-web worker: expected an output');
    return r.data;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' });
    await this.worker.terminate();
  }
}

function next(worker: Worker): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Reply) => {
      worker.off('error', onError);
      resolve(m);
    };
    const onError = (e: Error) => {
      worker.off('message', onMessage);
      reject(e);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
}
