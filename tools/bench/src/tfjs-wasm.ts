/**
 * TensorFlow.js with its WebAssembly backend (XNNPACK), set up in Node for a fair single-threaded
 * comparison: the plain SIMD binary, one thread.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfWasm = typeof import('@tensorflow/tfjs-backend-wasm');

const require = createRequire(import.meta.url);
let loaded: Promise<{ tf: TfCore; binary: string }> | null = null;

export function loadTfjsWasm(): Promise<{ tf: TfCore; binary: string }> {
  loaded ??= (async () => {
    const tf = require('@tensorflow/tfjs-core') as TfCore;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as TfWasm;
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    wasm.setWasmPaths(`${dir}/`);
    wasm.setThreadsCount(1);
    // Node has SharedArrayBuffer; without this the backend may pick the threaded binary.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('tfjs: the wasm backend failed to initialise');
    await tf.ready();
    return { tf, binary: 'tfjs-backend-wasm-simd.wasm, 1 thread' };
  })();
  return loaded;
}
