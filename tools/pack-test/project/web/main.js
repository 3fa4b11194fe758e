// The page with no configuration at all, the same source for Vite, webpack 5, esbuild and Rollup. Vite
// and webpack copy the kernels' .wasm files (and bundle this Worker and the pool's) through
// new URL(..., import.meta.url); esbuild and Rollup copy nothing, so the kernels fall back to their
// embedded copy and the pool to Blob workers, and each says so once in the console.
import { runPage } from './page.js';

runPage(() => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
