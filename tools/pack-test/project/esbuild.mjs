// esbuild bundles, minified with class names mangled (keepNames: false): the page and its module
// Worker with no configuration (two entry points, so new URL('./worker.js', import.meta.url) finds the
// worker; the kernels fall back to their embedded copy, whose cost in the bundle the metafile shows),
// the same with splitting (the embedded copies become chunks of their own), the page on the embedded
// entry with keepNames: true, and a Node script that saves, loads and summarises models by their
// registered names.
import { build } from 'esbuild';
import { copyFile, writeFile } from 'node:fs/promises';

const common = { bundle: true, format: 'esm', minify: true, keepNames: false, logLevel: 'warning' };
const { metafile } = await build({ ...common, entryPoints: ['web/main.js', 'web/worker.js'], outdir: 'dist-esbuild', platform: 'browser', metafile: true });
await writeFile('dist-esbuild-meta.json', JSON.stringify(metafile));
await copyFile('web/index.html', 'dist-esbuild/index.html');
// The same with splitting: the embedded copies become chunks fetched only on the fallback.
await build({ ...common, splitting: true, entryPoints: ['web/main.js', 'web/worker.js'], outdir: 'dist-esbuild-split', platform: 'browser' });
// The page on @deepwasm/kernels/embedded/simd128 ({ source: bytes }), with keepNames: esbuild then wraps
// named functions in a helper; the thread pool's Blob worker source (built from its functions' text)
// must not depend on it.
await build({ ...common, keepNames: true, entryPoints: ['web/esbuild-main.js', 'web/esbuild-worker.js'], outdir: 'dist-esbuild-keepnames', platform: 'browser' });
await copyFile('web/esbuild.html', 'dist-esbuild-keepnames/index.html');
await build({ ...common, entryPoints: ['node-names.mjs'], outfile: 'dist-node/names.mjs', platform: 'node' });
