/**
 * TensorFlow.js set up in Node for fair single-threaded comparisons: the wasm backend (XNNPACK, the
 * plain SIMD binary, one thread) and the cpu backend (plain JS, for what the wasm backend cannot do:
 * it has no Conv2DBackpropFilter kernel, so it cannot train a CNN). tfjs-layers shares the same core.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfWasm = typeof import('@tensorflow/tfjs-backend-wasm');
type TfLayers = typeof import('@tensorflow/tfjs-layers');

const require = createRequire(import.meta.url);
let loaded: Promise<{ tf: TfCore; binary: string }> | null = null;

export function loadTfjsWasm(): Promise<{ tf: TfCore; binary: string }> {
  loaded ??= (async () => {
    const tf = require('@tensorflow/tfjs-core') as TfCore;
    require('@tensorflow/tfjs-backend-cpu');
    // tfjs-layers' bundle registers the gradient functions that tf.grads needs.
    require('@tensorflow/tfjs-layers');
    const wasm = require('@tensorflow/tfjs-backend-wasm') as TfWasm;
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    wasm.setWasmPaths(`${dir}/`);
    wasm.setThreadsCount(1);
    // Node has SharedArrayBuffer; without this the backend may pick the threaded binary.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    await useBackend(tf, 'wasm');
    return { tf, binary: 'tfjs-backend-wasm-simd.wasm, 1 thread' };
  })();
  return loaded;
}

export async function useBackend(tf: TfCore, name: 'wasm' | 'cpu'): Promise<void> {
  if (tf.getBackend() === name) return;
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs: the ${name} backend failed to initialise`);
  await tf.ready();
}

export function loadTfjsLayers(): TfLayers {
  return require('@tensorflow/tfjs-layers') as TfLayers;
}
