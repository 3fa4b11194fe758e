/**
 * Feature detection and instantiation: the only file that knows how the kernel module is loaded
 * (today through @assemblyscript/loader; swapping to generated bindings is a change here only).
 */
import { instantiate } from '@assemblyscript/loader';
import { Arena } from './memory.js';
import type { KernelExports } from './exports.js';
import { nodeBuiltin } from './node.js';

export type Isa = 'simd128' | 'relaxed';

/** Where the kernel module comes from: a URL (http(s): or file:), a path, bytes, or a compiled module. */
export type KernelSource = URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module | Response;

export interface LoadOptions {
  /** 'auto' (default) picks relaxed SIMD when the engine validates it, else plain SIMD128. */
  isa?: Isa | 'auto';
  /**
   * Where the .wasm comes from, instead of the build shipped in this package's wasm/ folder (found
   * by bundlers through new URL(..., import.meta.url)). Bytes of either build work, e.g. those of
   * `@deepwasm/kernels/embedded/simd128` for bundlers that copy no files.
   */
  source?: KernelSource;
  /** URL of a folder where you host kernels-simd128.wasm and kernels-relaxed.wasm yourself. */
  baseUrl?: URL | string;
}

export interface Kernels {
  readonly isa: Isa;
  readonly exports: KernelExports;
  /** The kernels' linear memory: shared (its buffer a SharedArrayBuffer) when `shared` is true. */
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  /** The compiled module, which worker threads instantiate over the same memory (see threads/). */
  readonly module: WebAssembly.Module;
  /** Whether the memory is shared, i.e. worker threads can join (see sharedMemoryAvailable). */
  readonly shared: boolean;
}

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);
// (module (func (result v128) (f32x4.relaxed_madd (v128.const ..) (v128.const ..) (v128.const ..))))
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0, 253, 12, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253,
  12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 133, 2, 11,
]);

export interface EngineFeatures {
  webassembly: boolean;
  simd128: boolean;
  relaxedSimd: boolean;
}

export function detectFeatures(): EngineFeatures {
  const wa = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  return {
    webassembly: wa,
    simd128: wa && WebAssembly.validate(SIMD_PROBE),
    relaxedSimd: wa && WebAssembly.validate(RELAXED_PROBE),
  };
}

/** Picks the build for this engine, or explains what the engine lacks. */
export function chooseIsa(requested: Isa | 'auto' = 'auto', features = detectFeatures()): Isa {
  if (!features.webassembly) {
    throw new Error('@deepwasm/kernels needs WebAssembly, and this engine has none.');
  }
  if (!features.simd128) {
    throw new Error(
      '@deepwasm/kernels needs WebAssembly SIMD (simd128), which this engine does not support. ' +
        'Use Node >= 16.4, Chrome >= 91, Firefox >= 89 or Safari >= 16.4.',
    );
  }
  if (requested === 'relaxed' && !features.relaxedSimd) {
    throw new Error(
      'Relaxed SIMD was requested but this engine does not support it ' +
        '(Node 20 needs --experimental-wasm-relaxed-simd; Chrome >= 114 has it). Use isa "auto" or "simd128".',
    );
  }
  if (requested === 'auto') return features.relaxedSimd ? 'relaxed' : 'simd128';
  return requested;
}

/** Pages of the memory the module imports (asconfig.json: initialMemory, maximumMemory: 4 GiB). */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 65536;

/**
 * Whether a shared WebAssembly.Memory can be made and handed to workers: always in Node; in a browser
 * only on a cross-origin-isolated page (served with COOP: same-origin and COEP: require-corp).
 */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

/** Reads an unsigned LEB128 at o; returns [value, next offset]. */
function leb(b: Uint8Array, o: number): [number, number] {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = b[o++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [v, o];
  }
}

/**
 * The kernels are built to import a shared memory (so worker threads can join). Where shared memory
 * is unavailable, the same build runs on an ordinary memory: this clears the import's shared flag
 * (limits flag 0x03 -> 0x01) in place. The kernels use no atomic instructions, so nothing else changes.
 */
export function unshareMemoryImport(bytes: Uint8Array): void {
  let o = 8;
  while (o < bytes.length) {
    const id = bytes[o]!;
    const [size, start] = leb(bytes, o + 1);
    if (id === 2) {
      let [count, p] = leb(bytes, start);
      for (; count > 0; count--) {
        let len: number;
        [len, p] = leb(bytes, p);
        [len, p] = leb(bytes, p + len);
        p += len;
        const kind = bytes[p++]!;
        if (kind === 0) [, p] = leb(bytes, p);
        else if (kind === 1 || kind === 2) {
          if (kind === 1) p++;
          const flags = bytes[p]!;
          if (kind === 2 && flags === 0x03) {
            bytes[p] = 0x01;
            return;
          }
          [, p] = leb(bytes, p + 1);
          if (flags & 1) [, p] = leb(bytes, p);
        } else if (kind === 3) p += 2;
        else [, p] = leb(bytes, p + 1);
      }
      return;
    }
    o = start + size;
  }
}

/**
 * Where each build lives by default: one literal `new URL('<file>', import.meta.url)` per file, the
 * form bundlers recognise (Vite, webpack 5, Parcel, Rollup's asset plugins): they copy the file to
 * their output and rewrite the URL. In Node it is a file: URL read from the package. Keep it literal:
 * a computed name hides the file from every bundler.
 */
function builtUrl(isa: Isa): URL {
  return isa === 'relaxed'
    ? new URL('../wasm/kernels-relaxed.wasm', import.meta.url)
    : new URL('../wasm/kernels-simd128.wasm', import.meta.url);
}

/** The file of one build under a folder URL given by the user (a missing trailing slash is added). */
function fromBase(isa: Isa, baseUrl: URL | string): URL {
  const base = new URL(String(baseUrl), globalThis.location?.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL(`kernels-${isa}.wasm`, base);
}

/** What to do when a baseUrl or source URL given by the user does not serve a build, for errors. */
const HOSTING_HINT =
  'Copy node_modules/@deepwasm/kernels/wasm/ there; or leave out baseUrl and source (Vite and webpack 5 copy ' +
  'the .wasm files; elsewhere the build embedded in the package is used); or import the build as bytes, ' +
  "import { bytes } from '@deepwasm/kernels/embedded/simd128', and pass { source: bytes }";

let warnedEmbedded = false;

/**
 * The fallback of the default build: the same build as base64 text in a module of this package, one
 * literal import per build, which bundlers that split code (Vite, webpack, Rollup, esbuild with
 * splitting) put in a chunk of its own, loaded only here. It runs when the .wasm was not found where
 * new URL(..., import.meta.url) points (a bundler that copies no files: esbuild, Rollup), and says so
 * once, with how to load the kernels without that copy.
 */
async function embeddedBuild(isa: Isa, tried: string, why: string): Promise<Uint8Array> {
  const m = isa === 'relaxed' ? await import('./embedded/relaxed.js') : await import('./embedded/simd128.js');
  if (!warnedEmbedded) {
    warnedEmbedded = true;
    console.warn(
      `deepwasm: the kernels were not at ${tried} (${why}), so the ${isa} build embedded in @deepwasm/kernels ` +
        `(${Math.round((m.wasmBytes * 4) / 3 / 1024)} KB of base64) is used instead. Your bundler did not copy the .wasm ` +
        'files (esbuild and Rollup without an asset plugin do not; Vite and webpack 5 do). To load the kernels once, ' +
        "without that copy: copy node_modules/@deepwasm/kernels/wasm/ to your site and pass { baseUrl: '<its URL>' }, " +
        `or import { bytes } from '@deepwasm/kernels/embedded/${isa}' and pass { source: bytes } (with esbuild, also ` +
        'bundle with splitting: true, so that the fallback copies become chunks that are never fetched).',
    );
  }
  return m.bytes;
}

async function readBytes(source: KernelSource): Promise<ArrayBuffer | ArrayBufferView | WebAssembly.Module | Response> {
  if (typeof source === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(source)) {
    // A plain path: only meaningful in Node.
    const fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
    return fs.readFile(source);
  }
  if (typeof source === 'string' || source instanceof URL) {
    const url = new URL(String(source));
    if (url.protocol === 'file:') {
      const fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
      return fs.readFile(url);
    }
    const response = await fetch(url).catch((e: unknown) => {
      throw new Error(`Could not fetch the kernels from ${url}: ${e instanceof Error ? e.message : String(e)}. ${HOSTING_HINT}`);
    });
    if (!response.ok) {
      throw new Error(`Could not fetch the kernels from ${url}: HTTP ${response.status}. ${HOSTING_HINT}`);
    }
    const bytes = await response.arrayBuffer();
    checkMagic(new Uint8Array(bytes), String(url), true);
    return bytes;
  }
  return source;
}

/** Whether the bytes start with WebAssembly's magic number, 00 61 73 6d. */
function isWasm(b: Uint8Array): boolean {
  return b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;
}

/** What was found instead of a module: an HTML page (a dev server's index.html fallback) or other bytes. */
function describeBytes(b: Uint8Array): string {
  const head = new TextDecoder().decode(b.subarray(0, 40)).replace(/\s+/g, ' ');
  const hex = Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return /^\s*</.test(head) ? `an HTML page ("${head.slice(0, 30)}...")` : `${b.length} bytes starting ${hex}, not WebAssembly (00 61 73 6d)`;
}

/** A page served in place of the module fails here, with what was found, not in compile. */
function checkMagic(b: Uint8Array, from: string, hint: boolean): void {
  if (isWasm(b)) return;
  throw new Error(`The kernels at ${from} are ${describeBytes(b)}: the .wasm file is not served there${hint ? `. ${HOSTING_HINT}` : ''}`);
}

/** The build shipped in wasm/ (a file: URL in Node, fetched in browsers), else its embedded copy. */
async function defaultBuild(isa: Isa): Promise<ArrayBuffer | ArrayBufferView> {
  let url: URL;
  try {
    url = builtUrl(isa);
  } catch (e) {
    // No import.meta.url to resolve against (e.g. a bundle in a classic script).
    return embeddedBuild(isa, `../wasm/kernels-${isa}.wasm`, `no base URL: ${e instanceof Error ? e.message : String(e)}`);
  }
  let bytes: Uint8Array;
  try {
    if (url.protocol === 'file:') {
      const fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
      bytes = await fs.readFile(url);
    } else {
      const response = await fetch(url);
      if (!response.ok) return embeddedBuild(isa, String(url), `HTTP ${response.status}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    }
  } catch (e) {
    return embeddedBuild(isa, String(url), e instanceof Error ? e.message : String(e));
  }
  if (!isWasm(bytes)) return embeddedBuild(isa, String(url), `found ${describeBytes(bytes)}`);
  return bytes;
}

/**
 * Loads and instantiates the kernel module (same call in Node and in browsers). With `source` and
 * isa 'auto' (the default) the source's own build is used, whichever it is.
 */
export async function loadKernels(options: LoadOptions = {}): Promise<Kernels> {
  let isa = chooseIsa(options.isa ?? 'auto');
  const given = options.source ?? (options.baseUrl !== undefined ? fromBase(isa, options.baseUrl) : undefined);
  const source = given !== undefined ? await readBytes(given) : await defaultBuild(isa);
  const shared = sharedMemoryAvailable();
  let module: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) {
    module = source;
  } else {
    // (WebAssembly.Module is an empty interface, so TypeScript narrows the other branch to never.)
    const isResponse = typeof Response === 'function' && (source as unknown) instanceof Response;
    const bytes = new Uint8Array(
      isResponse ? await (source as Response).arrayBuffer() : ArrayBuffer.isView(source) ? copyOf(source) : (source as ArrayBuffer).slice(0),
    );
    if (given !== undefined) {
      const isUrl = typeof given === 'string' || given instanceof URL;
      checkMagic(bytes, isUrl ? String(given) : 'the source given', isUrl);
    }
    // Without SharedArrayBuffer the same build runs on an unshared memory (one thread).
    if (!shared) unshareMemoryImport(bytes);
    module = await WebAssembly.compile(bytes);
  }
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared } as WebAssembly.MemoryDescriptor);
  const { exports } = await instantiate<KernelExports>(module, { env: { memory } });
  const relaxed = exports.isa_relaxed() === 1;
  if (options.source !== undefined && (options.isa ?? 'auto') === 'auto') isa = relaxed ? 'relaxed' : 'simd128';
  if (relaxed !== (isa === 'relaxed')) {
    throw new Error(`The kernel module loaded for ${isa} is the ${relaxed ? 'relaxed' : 'simd128'} build`);
  }
  const arena = new Arena(memory, exports.heap_base());
  return { isa, exports, memory, arena, module, shared };
}

function copyOf(view: ArrayBufferView): ArrayBuffer {
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
}
