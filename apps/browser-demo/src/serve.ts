/**
 * A static server for the demo page: `/` is the page, `/app.js` its compiled script, `/pkg/<name>/`
 * the workspace packages (dist and wasm), `/loader/` the ESM build of @assemblyscript/loader. The
 * page's import map points the bare package names there, so no bundler is needed. Every response
 * carries COOP and COEP, so the page is cross-origin isolated and trains on every core.
 */
import { createServer, type Server } from 'node:http';
import { readFile, realpath } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const appRoot = join(here, '..');
const packagesRoot = join(appRoot, '..', '..', 'packages');
const require = createRequire(import.meta.url);

const MIME: Record<string, string> = {
  '.js': 'text/javascript', '.html': 'text/html; charset=utf-8', '.wasm': 'application/wasm', '.map': 'application/json',
};

/**
 * Cross-origin isolation (COOP + COEP) on every response: it gives the page SharedArrayBuffer, so
 * the kernels run on a shared memory with one worker thread per core.
 */
const HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

function inside(root: string, rel: string): string | null {
  const file = join(root, normalize(rel));
  return file.startsWith(root + sep) ? file : null;
}

export async function startServer(port = 0): Promise<{ server: Server; url: string }> {
  // require.resolve gives the CommonJS build (umd/index.js); the ESM entry is index.js one folder up.
  const loaderDir = dirname(dirname(await realpath(require.resolve('@assemblyscript/loader'))));
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file: string | null = null;
    if (path === '/favicon.ico') {
      res.writeHead(204, HEADERS).end();
      return;
    }
    if (path === '/' || path === '/index.html') file = join(appRoot, 'src', 'index.html');
    else if (path === '/app.js' || path === '/app.js.map') file = join(appRoot, 'dist', path.slice(1));
    else if (path.startsWith('/pkg/')) file = inside(packagesRoot, path.slice(5));
    else if (path.startsWith('/loader/')) file = inside(loaderDir, path.slice(8));
    if (file === null || !existsSync(file)) {
      res.writeHead(404, HEADERS).end('not found');
      return;
    }
    res.writeHead(200, { ...HEADERS, 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('the server has no port');
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === (await realpath(process.argv[1]))) {
  const { url } = await startServer(Number(process.env.PORT ?? 8080));
  console.log(`deepwasm browser demo: open ${url} (Ctrl-C stops)`);
}
