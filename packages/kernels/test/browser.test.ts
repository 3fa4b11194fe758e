/**
 * The browser path, proven in real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core; no browser download). A page imports the built ESM package straight from a
 * local server (an import map resolves @assemblyscript/loader), loads the kernels from a URL, and
 * checks a GEMM, an elementwise op and a fused LSTM step against plain JavaScript references.
 */
import { createServer, type Server } from 'node:http';
import { readFile, realpath } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const pkgRoot = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const MIME: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.map': 'application/json',
};

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">{ "imports": { "@assemblyscript/loader": "/loader/index.js" } }</script>
</head><body>
<script type="module">
import { loadKernels, detectFeatures, gemm, unary, lstmCellForward, lstmCellBackward, lstmCellReference, lstmCellBackwardReference } from '/pkg/dist/index.js';

function naiveGemm(tA, tB, M, N, K, alpha, A, B, beta, C) {
  const out = Float64Array.from(C);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let p = 0; p < K; p++) s += (tA ? A[p * M + i] : A[i * K + p]) * (tB ? B[j * K + p] : B[p * N + j]);
    out[i * N + j] = alpha * s + beta * C[i * N + j];
  }
  return out;
}

async function run(isa) {
  const k = await loadKernels({ isa, baseUrl: new URL('/pkg/wasm/', location.href) });
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
  const results = { isa: k.isa, gemm: [], sigmoid: 0 };
  for (const [M, N, K] of [[1, 1, 1], [7, 13, 5], [65, 129, 33], [256, 256, 256]]) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const A = Float32Array.from({ length: M * K }, rnd);
      const B = Float32Array.from({ length: K * N }, rnd);
      const C = Float32Array.from({ length: M * N }, rnd);
      const pa = k.arena.alloc(A.length * 4), pb = k.arena.alloc(B.length * 4), pc = k.arena.alloc(C.length * 4);
      k.arena.f32(pa, A.length).set(A); k.arena.f32(pb, B.length).set(B); k.arena.f32(pc, C.length).set(C);
      gemm(k, tA, tB, M, N, K, 1.5, pa, tA ? M : K, pb, tB ? K : N, 0.5, pc, N);
      const got = k.arena.f32(pc, C.length);
      const want = naiveGemm(tA, tB, M, N, K, 1.5, A, B, 0.5, C);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
      results.gemm.push({ shape: [M, N, K], tA, tB, worst });
      k.arena.free(pa); k.arena.free(pb); k.arena.free(pc);
    }
  }
  const n = 1001;
  const x = Float32Array.from({ length: n }, () => rnd() * 12);
  const px = k.arena.alloc(n * 4), py = k.arena.alloc(n * 4);
  k.arena.f32(px, n).set(x);
  unary(k, 'sigmoid', py, px, n);
  const y = k.arena.f32(py, n);
  for (let i = 0; i < n; i++) results.sigmoid = Math.max(results.sigmoid, Math.abs(y[i] - 1 / (1 + Math.exp(-x[i]))));
  // One fused LSTM step forward and backward (batch 3, hidden 5: a partial vector per row, a masked row).
  const B = 3, H = 5, m = B * H;
  const put = (a) => { const p = k.arena.alloc(a.length * 4); k.arena.f32(p, a.length).set(a); return p; };
  const vec = (len, s) => Float32Array.from({ length: len }, () => rnd() * s);
  const gates = vec(4 * m, 3), cPrev = vec(m, 1), hPrev = vec(m, 1), dh = vec(m, 1), dc = vec(m, 1), mask = Float32Array.of(1, 0, 1);
  const p = { gates: put(gates), cPrev: put(cPrev), hPrev: put(hPrev), c: put(new Float32Array(m)), h: put(new Float32Array(m)), dh: put(dh), dc: put(dc), dg: put(new Float32Array(4 * m)), mask: put(mask) };
  lstmCellForward(k, { B, H }, p.gates, p.cPrev, p.hPrev, p.c, p.h, p.mask);
  const fwd = lstmCellReference(B, H, gates, cPrev, hPrev, mask);
  const acts = k.arena.f32(p.gates, 4 * m).slice();
  lstmCellBackward(k, { B, H }, p.gates, p.cPrev, p.c, 0, p.dh, p.dc, p.dg, p.mask);
  const bwd = lstmCellBackwardReference(B, H, acts, cPrev, k.arena.f32(p.c, m), null, dh, dc, mask);
  results.lstm = 0;
  for (const [ptr, want] of [[p.h, fwd.h], [p.c, fwd.c], [p.dg, bwd.dgates], [p.dh, bwd.dh], [p.dc, bwd.dc]]) {
    const got = k.arena.f32(ptr, want.length);
    for (let i = 0; i < want.length; i++) results.lstm = Math.max(results.lstm, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  }
  return results;
}

try {
  window.__result = { features: detectFeatures(), runs: [await run('simd128'), await run('auto')] };
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
</script></body></html>`;

async function serve(): Promise<{ server: Server; url: string }> {
  // require.resolve gives the CommonJS build (umd/index.js); the ESM entry is index.js one folder up.
  const loaderDir = dirname(dirname(await realpath(require.resolve('@assemblyscript/loader'))));
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file: string | null = null;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    if (path.startsWith('/pkg/')) file = join(pkgRoot, normalize(path.slice(5)));
    else if (path.startsWith('/loader/')) file = join(loaderDir, normalize(path.slice(8)));
    if (file === null || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server has no port');
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

describe('kernels in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does this`);
    }
    ({ server, url } = await serve());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('loads both builds from a URL and computes GEMM, sigmoid and a fused LSTM step like the references', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await page.goto(url);
    await page
      .waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 60_000 })
      .catch((e: unknown) => {
        throw new Error(`the page never finished: ${String(e)}; page errors: ${errors.join(' | ') || 'none'}`);
      });
    const result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as {
      error?: string;
      features: { simd128: boolean; relaxedSimd: boolean };
      runs: Array<{ isa: string; gemm: Array<{ shape: number[]; tA: boolean; tB: boolean; worst: number }>; sigmoid: number; lstm: number }>;
    };
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.features.simd128).toBe(true);
    // Chromium has relaxed SIMD on by default, so 'auto' must pick it.
    expect(result.features.relaxedSimd).toBe(true);
    expect(result.runs.map((r) => r.isa)).toEqual(['simd128', 'relaxed']);
    for (const run of result.runs) {
      expect(run.gemm).toHaveLength(16);
      for (const g of run.gemm) {
        expect(g.worst, `${run.isa} gemm ${g.shape} tA=${g.tA} tB=${g.tB}`).toBeLessThan(1e-4);
      }
      expect(run.sigmoid).toBeLessThan(1e-6);
      expect(run.lstm, `${run.isa} LSTM step`).toBeLessThan(2e-6);
    }
  });
});
