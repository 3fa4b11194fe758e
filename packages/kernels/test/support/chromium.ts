/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (no
 * browser download), and a local server for a test page, this package (/pkg/) and the ESM build of
 * @assemblyscript/loader (/loader/), with optional extra headers on every response.
 */
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import { readFile, realpath } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const pkgRoot = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const MIME: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.map': 'application/json' };

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, hence worker threads). */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serves the page, /pkg/ and /loader/, with `headers` on every response; paths in `missing` answer 404. */
export async function serve(page: string, headers: OutgoingHttpHeaders = {}, missing: string[] = []): Promise<{ server: Server; url: string }> {
  const loaderDir = dirname(dirname(await realpath(require.resolve('@assemblyscript/loader'))));
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file: string | null = null;
    if (path === '/favicon.ico') return void res.writeHead(204, headers).end();
    if (path === '/' || path === '/index.html') return void res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(page);
    if (path.startsWith('/pkg/')) file = join(pkgRoot, normalize(path.slice(5)));
    else if (path.startsWith('/loader/')) file = join(loaderDir, normalize(path.slice(8)));
    if (file === null || missing.includes(path) || !existsSync(file)) return void res.writeHead(404, headers).end('not found');
    res.writeHead(200, { ...headers, 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server has no port');
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does this`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Opens url, waits for window.__result and returns it; page errors fail the wait with their text. */
export async function pageResult<T>(browser: Browser, url: string, timeout = 120_000): Promise<{ result: T; errors: string[]; page: Page }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout }).catch((e: unknown) => {
    throw new Error(`the page never finished: ${String(e)}; page errors: ${errors.join(' | ') || 'none'}`);
  });
  const result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as T;
  return { result, errors, page };
}
