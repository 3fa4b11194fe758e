// esbuild copies no files, so the kernels come as bytes from @deepwasm/kernels/embedded/simd128.
import { bytes } from '@deepwasm/kernels/embedded/simd128';
import { runPage } from './page.js';

runPage(() => new Worker(new URL('./esbuild-worker.js', import.meta.url), { type: 'module' }), { source: bytes });
