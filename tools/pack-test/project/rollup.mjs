// Rollup with @rollup/plugin-node-resolve and @rollup/plugin-commonjs only (protobufjs, which ONNX export
// uses, is CommonJS), no asset or worker plugin: the page and its module Worker as two inputs. Rollup
// copies no .wasm, so the kernels fall back to their embedded copy (a chunk of its own) and the pool
// to Blob workers.
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import { copyFile } from 'node:fs/promises';

const bundle = await rollup({
  input: { main: 'web/main.js', worker: 'web/worker.js' },
  plugins: [nodeResolve({ browser: true }), commonjs()],
  onLog(level, log, handler) {
    // No warning about our packages goes unnoticed (protobufjs's own circular imports are its business).
    if (level === 'warn' && !(log.code === 'CIRCULAR_DEPENDENCY' && log.ids?.every((id) => id.includes('/protobufjs/')))) handler('error', log);
  },
});
await bundle.write({ dir: 'dist-rollup', format: 'es', entryFileNames: '[name].js' });
await bundle.close();
await copyFile('web/index.html', 'dist-rollup/index.html');
