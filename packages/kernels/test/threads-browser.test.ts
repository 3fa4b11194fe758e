/**
 * The pool in headless Chromium: on a cross-origin-isolated page (COOP + COEP) the kernels get a
 * shared memory and browser Workers join; GEMM and a convolution give the same bits on 1 and 3
 * threads (the page's main thread cannot block, so it spins for the workers), and a failing kernel
 * surfaces as an exception. Without the headers the same page runs one thread and says how to get more.
 * The workers start from their file (pool-worker.js), so a Content-Security-Policy without blob: allows
 * them; where the file is missing they start from a Blob; where no worker may start (worker-src 'none')
 * the kernels run on one thread and say once why.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ISOLATION_HEADERS, launchChromium, pageResult, serve } from './support/chromium.js';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">{ "imports": { "@assemblyscript/loader": "/loader/index.js" } }</script>
</head><body>
<script type="module">
import { loadKernels, gemm, conv2dForward, runTasks, setMinParallelWork, setThreads, threadCount, threadsStarted } from '/pkg/dist/index.js';
const warnings = [];
const warn = console.warn;
console.warn = (...a) => { warnings.push(a.join(' ')); };
try {
  const k = await loadKernels({ isa: 'simd128', baseUrl: new URL('/pkg/wasm/', location.href) });
  const out = { isolated: self.crossOriginIsolated, shared: k.shared, threads: [], same: [], warnings };
  setMinParallelWork(0);
  const put = (n, f) => { const p = k.arena.alloc(n * 4); const v = k.arena.f32(p, n); for (let i = 0; i < n; i++) v[i] = f(i); return p; };
  const M = 67, N = 131, K = 45;
  const a = put(M * K, (i) => Math.sin(i)), b = put(K * N, (i) => Math.cos(i * 0.3)), c = k.arena.alloc(M * N * 4);
  const g = { N: 3, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1 };
  const x = put(3 * 6 * 14 * 14, (i) => Math.sin(i * 0.1)), w = put(16 * 150, (i) => Math.cos(i)), y = k.arena.alloc(3 * 16 * 100 * 4);
  const run = () => {
    gemm(k, false, true, M, N, K, 1, a, K, b, K, 0, c, N);
    conv2dForward(k, g, x, w, 0, y);
    return [new Uint32Array(k.memory.buffer, c, M * N).slice(), new Uint32Array(k.memory.buffer, y, 3 * 16 * 100).slice()];
  };
  const one = run();
  for (const t of [3, 2]) {
    out.threads.push(setThreads(k, t));
    if (k.shared) await threadsStarted(k);
    const many = run();
    out.same.push(many.every((v, i) => v.every((u, j) => u === one[i][j])));
  }
  out.count = threadCount(k);
  if (out.count > 1) {
    try {
      runTasks(k, [{ fn: 'f32_vfill', args: [k.memory.buffer.byteLength + 64, 64, 1] }, { fn: 'f32_vfill', args: [a, 4, 1] }]);
      out.error = null;
    } catch (e) {
      out.error = String(e.message);
    }
  }
  window.__result = out;
} catch (e) {
  window.__result = { failure: String(e && e.stack || e) };
}
console.warn = warn;
</script></body></html>`;

interface Result {
  failure?: string;
  isolated: boolean;
  shared: boolean;
  threads: number[];
  same: boolean[];
  count: number;
  error?: string | null;
  warnings: string[];
}

describe('worker threads in headless Chromium', () => {
  let browser: Browser;
  const servers: Server[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    servers.forEach((s) => s.close());
  });

  it('runs the pool on a cross-origin-isolated page with the same bits as one thread', async () => {
    const { server, url } = await serve(PAGE, ISOLATION_HEADERS);
    servers.push(server);
    const { result, errors } = await pageResult<Result>(browser, url);
    expect(result.failure).toBeUndefined();
    expect(errors).toEqual([]);
    expect(result.isolated).toBe(true);
    expect(result.shared).toBe(true);
    expect(result.threads).toEqual([3, 2]);
    expect(result.count).toBe(2);
    expect(result.same).toEqual([true, true]);
    expect(result.error).toMatch(/deepwasm threads: a kernel failed: .*memory access out of bounds/);
    expect(result.warnings).toEqual([]);
  });

  // The page's script is inline; WebAssembly needs 'wasm-unsafe-eval'; no blob: anywhere.
  const CSP = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'";

  it("starts the workers from their file under a Content-Security-Policy without blob: (worker-src 'self')", async () => {
    const { server, url } = await serve(PAGE, { ...ISOLATION_HEADERS, 'content-security-policy': `${CSP}; worker-src 'self'` });
    servers.push(server);
    const { result, errors } = await pageResult<Result>(browser, url);
    expect(result.failure).toBeUndefined();
    expect(errors).toEqual([]);
    expect(result.threads).toEqual([3, 2]);
    expect(result.count).toBe(2);
    expect(result.same).toEqual([true, true]);
    expect(result.error).toMatch(/deepwasm threads: a kernel failed: .*memory access out of bounds/);
    expect(result.warnings).toEqual([]);
  });

  it('starts the workers from a Blob where their file is not served (a bundler that copies no files)', async () => {
    const { server, url } = await serve(PAGE, ISOLATION_HEADERS, ['/pkg/dist/threads/pool-worker.js']);
    servers.push(server);
    const { result, errors } = await pageResult<Result>(browser, url);
    expect(result.failure).toBeUndefined();
    expect(errors.filter((e) => !e.includes('/pkg/dist/threads/pool-worker.js'))).toEqual([]);
    expect(result.threads).toEqual([3, 2]);
    expect(result.count).toBe(2);
    expect(result.same).toEqual([true, true]);
    expect(result.warnings).toEqual([]);
  });

  it('runs one thread, without rejecting, when no worker may start, and says once why and how to get more', async () => {
    const { server, url } = await serve(PAGE, { ...ISOLATION_HEADERS, 'content-security-policy': `${CSP}; worker-src 'none'` });
    servers.push(server);
    const { result } = await pageResult<Result>(browser, url);
    expect(result.failure).toBeUndefined();
    expect(result.shared).toBe(true);
    expect(result.threads).toEqual([3, 1]); // the pool was asked for 3, found no worker, and stays at 1
    expect(result.count).toBe(1);
    expect(result.same).toEqual([true, true]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^deepwasm: running on 1 thread instead of 3: no worker could start: the worker file .*; a Blob worker .*worker-src 'self' blob:/);
  });

  it('runs one thread on a page that is not isolated, and says once how to enable more', async () => {
    const { server, url } = await serve(PAGE);
    servers.push(server);
    const { result } = await pageResult<Result>(browser, url);
    expect(result.failure).toBeUndefined();
    expect(result.isolated).toBe(false);
    expect(result.shared).toBe(false);
    expect(result.threads).toEqual([1, 1]);
    expect(result.same).toEqual([true, true]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
  });
});
