/** Loading (feature detection, build choice, sources) and the arena that owns kernel memory. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseIsa, detectFeatures, loadKernels, sizeClass } from '../src/index.js';

describe('feature detection and build choice', () => {
  it('detects SIMD, and relaxed SIMD under the flag the tests run with', () => {
    const f = detectFeatures();
    expect(f).toEqual({ webassembly: true, simd128: true, relaxedSimd: true });
  });

  it('picks relaxed when available, else plain SIMD, and explains what is missing', () => {
    const all = { webassembly: true, simd128: true, relaxedSimd: true };
    const plain = { webassembly: true, simd128: true, relaxedSimd: false };
    expect(chooseIsa('auto', all)).toBe('relaxed');
    expect(chooseIsa('auto', plain)).toBe('simd128');
    expect(chooseIsa('simd128', all)).toBe('simd128');
    expect(() => chooseIsa('relaxed', plain)).toThrow(/Relaxed SIMD was requested but this engine does not support it/);
    expect(() => chooseIsa('auto', { webassembly: true, simd128: false, relaxedSimd: false })).toThrow(
      /needs WebAssembly SIMD \(simd128\), which this engine does not support/,
    );
    expect(() => chooseIsa('auto', { webassembly: false, simd128: false, relaxedSimd: false })).toThrow(/needs WebAssembly/);
  });

  it('loads from a file URL, a path, bytes and a compiled module alike', async () => {
    const url = new URL('../wasm/kernels-simd128.wasm', import.meta.url);
    const bytes = await readFile(url);
    const fromUrl = await loadKernels({ isa: 'simd128', source: url });
    const fromPath = await loadKernels({ isa: 'simd128', source: url.pathname });
    const fromBytes = await loadKernels({ isa: 'simd128', source: new Uint8Array(bytes) });
    const fromModule = await loadKernels({ isa: 'simd128', source: new WebAssembly.Module(bytes) });
    for (const k of [fromUrl, fromPath, fromBytes, fromModule]) expect(k.isa).toBe('simd128');
    await expect(loadKernels({ isa: 'relaxed', source: url })).rejects.toThrow(/loaded for relaxed is the simd128 build/);
  });

  it("takes the source's own build when isa is 'auto', and a folder URL with or without its trailing slash", async () => {
    const simd = await readFile(new URL('../wasm/kernels-simd128.wasm', import.meta.url));
    expect((await loadKernels({ source: new Uint8Array(simd) })).isa).toBe('simd128');
    expect((await loadKernels({ source: new URL('../wasm/kernels-relaxed.wasm', import.meta.url) })).isa).toBe('relaxed');
    const folder = new URL('../wasm', import.meta.url).href;
    expect((await loadKernels({ isa: 'simd128', baseUrl: folder })).isa).toBe('simd128');
    expect((await loadKernels({ isa: 'simd128', baseUrl: `${folder}/` })).isa).toBe('simd128');
  });

  it('says what was found where the module should be (a dev server answering with its index.html)', async () => {
    const page = new TextEncoder().encode('<!doctype html>\n<html><head><title>app</title></head></html>');
    await expect(loadKernels({ isa: 'simd128', source: page })).rejects.toThrow(
      /The kernels at the source given are an HTML page \("<!doctype html> <html><head>.*"\): the \.wasm file is not served there/,
    );
    await expect(loadKernels({ isa: 'simd128', source: new Uint8Array([1, 2, 3]) })).rejects.toThrow(/are 3 bytes starting 01 02 03, not WebAssembly \(00 61 73 6d\)/);
  });

  it('names the URL, what was found there and the ways out when a baseUrl serves no build', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deepwasm-base-'));
    try {
      await writeFile(join(dir, 'kernels-simd128.wasm'), '<!doctype html>\n<html><head><title>app</title></head></html>');
      await expect(loadKernels({ isa: 'simd128', baseUrl: pathToFileURL(dir) })).rejects.toThrow(
        /^The kernels at file:\/\/.*\/kernels-simd128\.wasm are an HTML page \("<!doctype html> <html><head>.*"\): the \.wasm file is not served there\. Copy node_modules\/@deepwasm\/kernels\/wasm\/ there; or leave out baseUrl and source .*\{ source: bytes \}$/,
      );
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('loads the builds embedded as base64 modules (for bundlers that copy no files)', async () => {
    for (const isa of ['simd128', 'relaxed'] as const) {
      const file = await readFile(new URL(`../wasm/kernels-${isa}.wasm`, import.meta.url));
      const embedded = (await import(`../dist/embedded/${isa}.js`)) as { bytes: Uint8Array; isa: string };
      expect(embedded.isa).toBe(isa);
      expect(Buffer.compare(Buffer.from(embedded.bytes), file)).toBe(0);
      expect((await loadKernels({ source: embedded.bytes })).isa).toBe(isa);
    }
  });
});

describe('arena', () => {
  it('rounds to size classes with at most 12.5% slack, 64-byte aligned', () => {
    expect(sizeClass(1)).toBe(64);
    expect(sizeClass(65)).toBe(128);
    expect(sizeClass(1024)).toBe(1024);
    for (const n of [1025, 3000, 4097, 100_000, 1_234_567]) {
      const c = sizeClass(n);
      expect(c).toBeGreaterThanOrEqual(n);
      expect(c % 64).toBe(0);
      expect(c / n).toBeLessThanOrEqual(1.125 + 64 / n);
    }
  });

  it('reuses freed blocks of the same class, grows memory when needed, and refuses double frees', async () => {
    const k = await loadKernels({ isa: 'simd128' });
    const a = k.arena.alloc(1000);
    expect(a % 64).toBe(0);
    k.arena.free(a);
    expect(k.arena.alloc(990)).toBe(a);
    const before = k.memory.buffer.byteLength;
    const big = k.arena.alloc(before * 2);
    expect(k.memory.buffer.byteLength).toBeGreaterThan(before);
    k.arena.f32(big, 4).set([1, 2, 3, 4]);
    expect(Array.from(k.arena.f32(big, 4))).toEqual([1, 2, 3, 4]);
    k.arena.free(big);
    expect(() => k.arena.free(big)).toThrow(/not a live block \(double free\?\)/);
    expect(k.arena.stats().liveBlocks).toBe(1);
  });
});
