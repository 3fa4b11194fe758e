// Vite: no configuration; the .wasm files are found through the packages' new URL(..., import.meta.url).
import { runPage } from './page.js';

runPage(() => new Worker(new URL('./vite-worker.js', import.meta.url), { type: 'module' }));
