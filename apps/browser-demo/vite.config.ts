import { defineConfig } from 'vite';

/**
 * Cross-origin isolation (COOP + COEP) on the dev and preview servers: it gives the page
 * SharedArrayBuffer, so the kernels run on a shared memory with one worker thread per core.
 * A static host must send the same two headers for threads (without them the page runs on one).
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative asset URLs: dist/ works from any folder of a static host.
  base: './',
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // The training worker imports the packages (and their thread pool): an ES module worker.
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
