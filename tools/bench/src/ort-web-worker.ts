/**
 * One ONNX Runtime Web session (wasm backend) in a worker thread of its own: ORT fixes its thread
 * count when its wasm starts, so 1 and 2 threads need two instances. The main thread sends 'time'
 * (run until minSamples runs and minSeconds have passed; answers the median ms) or 'run' (answers
 * the output, to check it against ours).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';

interface Init { bytes: ArrayBuffer; threads: number; shape: number[]; input: Float32Array }
const { bytes, threads, shape, input } = workerData as Init;
ort.env.wasm.numThreads = threads;
ort.env.wasm.proxy = false;
const session = await ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, shape) };

parentPort!.on('message', async (msg: { type: 'time'; minSamples: number; minSeconds: number } | { type: 'run' } | { type: 'close' }) => {
  if (msg.type === 'close') {
    await session.release();
    parentPort!.close();
    return;
  }
  if (msg.type === 'run') {
    const out = await session.run(feeds);
    parentPort!.postMessage({ type: 'output', data: (out[session.outputNames[0]!]!.data as Float32Array).slice() });
    return;
  }
  // One untimed run first, as ours get one a round (cnn-inference.ts).
  await session.run(feeds);
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < msg.minSamples || performance.now() - start < msg.minSeconds * 1000) {
    const t0 = performance.now();
    await session.run(feeds);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  parentPort!.postMessage({ type: 'time', medianMs: samples[samples.length >> 1]! });
});
parentPort!.postMessage({ type: 'ready', backend: `onnxruntime-web ${ort.env.versions.web ?? ''} wasm, ${threads} thread${threads > 1 ? 's' : ''}` });
