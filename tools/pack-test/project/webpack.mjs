// webpack 5 with nothing but an entry and an output folder: it follows new URL(..., import.meta.url)
// to the kernels' .wasm files and new Worker(new URL(...)) to the page's Worker and the pool's.
import webpack from 'webpack';
import { copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';

const stats = await new Promise((done, fail) =>
  webpack({
    mode: 'production',
    entry: { main: './web/main.js' },
    output: { path: resolve('dist-webpack'), filename: '[name].js', clean: true },
    performance: { hints: false },
    // Not minified: terser takes most of the build's time on CI, and minified builds are checked with
    // Vite and esbuild (names mangled); what matters here is what webpack copies and bundles.
    optimization: { minimize: false },
  }).run((e, s) => (e ? fail(e) : done(s))),
);
if (stats.hasErrors() || stats.hasWarnings()) throw new Error(stats.toString({ all: false, errors: true, warnings: true }));
await copyFile('web/index.html', 'dist-webpack/index.html');
