// esbuild bundles, minified with class names mangled (keepNames: false): the page and its module
// Worker (two entry points, so new URL('./esbuild-worker.js', import.meta.url) finds the worker),
// and a Node script that saves, loads and summarises models by their registered names.
import { build } from 'esbuild';
import { copyFile } from 'node:fs/promises';

const common = { bundle: true, format: 'esm', minify: true, keepNames: false, logLevel: 'warning' };
await build({ ...common, entryPoints: ['web/esbuild-main.js', 'web/esbuild-worker.js'], outdir: 'dist-esbuild', platform: 'browser' });
await copyFile('web/esbuild.html', 'dist-esbuild/index.html');
await build({ ...common, entryPoints: ['node-names.mjs'], outfile: 'dist-node/names.mjs', platform: 'node' });
