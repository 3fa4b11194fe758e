// esbuild bundles, minified with class names mangled (keepNames: false): the page and its module
// Worker (two entry points, so new URL('./esbuild-worker.js', import.meta.url) finds the worker), the
// same page with keepNames: true, and a Node script that saves, loads and summarises models by their
// registered names.
import { build } from 'esbuild';
import { copyFile } from 'node:fs/promises';

const common = { bundle: true, format: 'esm', minify: true, keepNames: false, logLevel: 'warning' };
await build({ ...common, entryPoints: ['web/esbuild-main.js', 'web/esbuild-worker.js'], outdir: 'dist-esbuild', platform: 'browser' });
await copyFile('web/esbuild.html', 'dist-esbuild/index.html');
// The same page with keepNames: esbuild then wraps named functions in a helper; the thread pool's
// worker source (built from its functions' text) must not depend on it.
await build({ ...common, keepNames: true, entryPoints: ['web/esbuild-main.js', 'web/esbuild-worker.js'], outdir: 'dist-esbuild-keepnames', platform: 'browser' });
await copyFile('web/esbuild.html', 'dist-esbuild-keepnames/index.html');
await build({ ...common, entryPoints: ['node-names.mjs'], outfile: 'dist-node/names.mjs', platform: 'node' });
