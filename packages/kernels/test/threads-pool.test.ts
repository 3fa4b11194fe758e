/**
 * The worker pool itself: errors inside a worker reach the caller, the pool runs inside a Node worker,
 * a process that used it exits by itself, and the kernel build is safe to instantiate on every thread.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { gemm, loadKernels, runTasks, setThreads, threadCount, threadsStarted, unshareMemoryImport } from '../src/index.js';
import { LAYOUT as L } from '../src/threads/layout.js';
import { closeClaims, runClaimed } from '../src/threads/work.js';

const DIST = new URL('../dist/index.js', import.meta.url).href;

/** A script (ESM) that multiplies 300x300 matrices at 1 and 2 threads and reports whether the bits agree. */
const SCRIPT = `
const { loadKernels, gemm, setThreads, threadsStarted, threadCount } = await import(${JSON.stringify(DIST)});
const k = await loadKernels({ isa: 'simd128' });
const n = 300, a = k.arena.alloc(n * n * 4), c1 = k.arena.alloc(n * n * 4), c2 = k.arena.alloc(n * n * 4);
k.arena.f32(a, n * n).forEach((_, i, v) => { v[i] = Math.sin(i); });
gemm(k, false, true, n, n, n, 1, a, n, a, n, 0, c1, n);
setThreads(k, 2);
await threadsStarted(k);
gemm(k, false, true, n, n, n, 1, a, n, a, n, 0, c2, n);
const same = k.arena.f32(c1, n * n).every((v, i) => Object.is(v, k.arena.f32(c2, n * n)[i]));
const result = JSON.stringify({ threads: threadCount(k), same });
`;

describe('thread pool', () => {
  it('lays out its control block without overlaps, for the most threads it allows', () => {
    // [first byte, end byte) of every region of the control block.
    const words = (at: number, n: number): [string, number, number] => ['', at * 4, (at + n) * 4];
    const regions: Array<[string, number, number]> = [
      ['words', 0, 16 * 4],
      ['ALIVE', ...words(L.ALIVE, L.MAX_THREADS).slice(1)] as [string, number, number],
      ['PARKED', ...words(L.PARKED, L.MAX_THREADS).slice(1)] as [string, number, number],
      ['error', L.ERROR_BYTES, L.ERROR_BYTES + L.ERROR_BYTES_MAX],
      ['CLAIMS', ...words(L.CLAIMS, L.MAX_THREADS).slice(1)] as [string, number, number],
      ['SCRATCH', L.SCRATCH * 8, (L.SCRATCH + L.MAX_THREADS) * 8],
      ['TASKS', L.TASKS * 8, (L.TASKS + L.MAX_TASKS * L.TASK_STRIDE) * 8],
    ];
    regions.sort((a, b) => a[1] - b[1]);
    for (let i = 1; i < regions.length; i++) expect(regions[i]![1], `${regions[i]![0]} starts inside ${regions[i - 1]![0]}`).toBeGreaterThanOrEqual(regions[i - 1]![2]);
    expect(regions.at(-1)![2]).toBeLessThanOrEqual(L.BYTES);
    expect(3 + L.MAX_ARGS).toBeLessThanOrEqual(L.TASK_STRIDE);
  });

  it('never lets a thread that woke late for a finished job claim tasks of the next one', () => {
    // Job 7 had 4 tasks in 2 blocks, all claimed: block 0 at task 2 (its end), block 1 at task 4.
    const control = new SharedArrayBuffer(L.BYTES);
    const ctl = new Int32Array(control);
    const f64 = new Float64Array(control);
    const ran: number[] = [];
    const call = (fn: number) => void ran.push(fn);
    const startJob = (seq: number, count: number, blocks: number, close: boolean) => {
      if (close) closeClaims(ctl, seq - 1, 2, L);
      for (let i = 0; i < count; i++) f64[L.TASKS + i * L.TASK_STRIDE] = 100 + i;
      Atomics.store(ctl, L.COUNT, count);
      Atomics.store(ctl, L.BLOCKS, blocks);
    };
    const finishJob7 = () => {
      Atomics.store(ctl, L.CLAIMS, (7 << 10) | 2);
      Atomics.store(ctl, L.CLAIMS + 1, (7 << 10) | 4);
    };
    // The caller writes job 8 (16 tasks) but has not yet opened its blocks; a worker that read SEQ = 7
    // before it slept now runs runClaimed for job 7. Without closing job 7's blocks first, the old words
    // compared with the new COUNT let it take tasks of job 8 ...
    finishJob7();
    startJob(8, 16, 2, false);
    expect(runClaimed(ctl, f64, 7, 1, call, L)).toBeGreaterThan(0);
    // ... which closing them (what Pool.run does before it writes a job) prevents.
    ran.length = 0;
    finishJob7();
    startJob(8, 16, 2, true);
    expect(runClaimed(ctl, f64, 7, 1, call, L)).toBe(0);
    expect(ran).toEqual([]);
  });

  it('passes each task its arguments and the scratch pointer in arrays reused from job to job', () => {
    const control = new SharedArrayBuffer(L.BYTES);
    const ctl = new Int32Array(control);
    const f64 = new Float64Array(control);
    f64[L.SCRATCH + 1] = 4096;
    const seen: Array<{ fn: number; array: number[]; values: number[] }> = [];
    const call = (fn: number, args: number[]) => void seen.push({ fn, array: args, values: [...args] });
    // Tasks of 3, 5 and 3 arguments (the second with its scratch pointer as argument 1), one block.
    const job = (seq: number) => {
      const tasks = [[7, 0.5, 3], [8, -1, 2 ** 31, 1e-3, 9], [9, 2, 1]];
      tasks.forEach((args, i) => {
        const at = L.TASKS + i * L.TASK_STRIDE;
        f64[at] = 10 + i;
        f64[at + 1] = args.length;
        f64[at + 2] = i === 1 ? 1 : -1;
        args.forEach((v, a) => (f64[at + 3 + a] = v));
      });
      Atomics.store(ctl, L.COUNT, tasks.length);
      Atomics.store(ctl, L.BLOCKS, 1);
      Atomics.store(ctl, L.CLAIMS, (seq << 10) | 0);
    };
    const argv: number[][] = [];
    job(1);
    expect(runClaimed(ctl, f64, 1, 1, call, L, argv)).toBe(3);
    job(2);
    expect(runClaimed(ctl, f64, 2, 1, call, L, argv)).toBe(3);
    const expected = [[7, 0.5, 3], [8, 4096, 2 ** 31, 1e-3, 9], [9, 2, 1]];
    expect(seen.map((s) => s.fn)).toEqual([10, 11, 12, 10, 11, 12]);
    expect(seen.map((s) => s.values)).toEqual([...expected, ...expected]);
    // One array per argument count, the same in both jobs.
    expect(seen[0]!.array).toBe(seen[2]!.array);
    expect(seen[0]!.array).toBe(seen[3]!.array);
    expect(seen[1]!.array).toBe(seen[4]!.array);
    expect(argv[3]).toBe(seen[0]!.array);
    expect(argv[5]).toBe(seen[1]!.array);
  });

  it('turns a kernel that fails inside a worker into an exception in the caller, and keeps working', async () => {
    const k = await loadKernels({ isa: 'simd128' });
    setThreads(k, 2);
    await threadsStarted(k);
    const n = 1 << 22;
    const ok = k.arena.alloc(n * 4);
    const outside = k.memory.buffer.byteLength + 4096;
    // A slow task (a 16 MB fill, milliseconds, so that a worker woken late on a loaded machine still
    // finds a task left) and one that writes outside memory: over some rounds a worker takes the failing one.
    const seen = new Set<string>();
    for (let round = 0; round < 200 && !seen.has('thread 1'); round++) {
      const tasks = [
        { fn: 'f32_vfill', args: [ok, n, 1] },
        { fn: 'f32_vfill', args: [outside, 1024, 1] },
      ];
      if (round % 2 === 1) tasks.reverse();
      let error: Error | null = null;
      try {
        runTasks(k, tasks);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(/deepwasm threads: a kernel failed: .*memory access out of bounds.*\(task \d, thread \d\)/);
      seen.add(/thread (\d)/.exec(error!.message)![0]);
    }
    expect(seen.has('thread 1')).toBe(true);
    // The pool is still usable: a correct job after the failures.
    runTasks(k, [{ fn: 'f32_vfill', args: [ok, n, 2] }, { fn: 'f32_vfill', args: [ok + 64, 16, 2] }]);
    expect(k.arena.f32(ok, n).every((v) => v === 2)).toBe(true);
    setThreads(k, 1);
  });

  it('lets workers use memory the caller grew after they started', async () => {
    const k = await loadKernels({ isa: 'simd128' });
    setThreads(k, 3);
    await threadsStarted(k);
    const before = k.memory.buffer.byteLength;
    const big = k.arena.alloc(64 << 20);
    expect(k.memory.buffer.byteLength).toBeGreaterThan(before);
    const end = big + (64 << 20) - 4096;
    runTasks(k, [0, 1, 2, 3, 4, 5].map((i) => ({ fn: 'f32_vfill', args: [end + i * 512, 128, i + 1] })));
    const v = k.arena.f32(end, 6 * 128);
    expect([0, 1, 2, 3, 4, 5].every((i) => v[i * 128] === i + 1 && v[i * 128 + 127] === i + 1)).toBe(true);
    setThreads(k, 1);
  });

  it('runs inside a Node worker thread', async () => {
    const w = new Worker(`(async () => { ${SCRIPT}; require('node:worker_threads').parentPort.postMessage(result); })()`, { eval: true });
    const message = await new Promise<string>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(JSON.parse(message)).toEqual({ threads: 2, same: true });
    await w.terminate();
  });

  it('lets a Node process that used it exit by itself', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `${SCRIPT}; console.log(result);`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(out.trim(), `stderr: ${err}`).toBe(JSON.stringify({ threads: 2, same: true }));
    expect(code, 'the process did not exit by itself within 30 s').toBe(0);
  });

  it('is built with no data segments and imports a shared memory', async () => {
    for (const isa of ['simd128', 'relaxed']) {
      const bytes = new Uint8Array(await readFile(fileURLToPath(new URL(`../wasm/kernels-${isa}.wasm`, import.meta.url))));
      const sections: number[] = [];
      for (let o = 8; o < bytes.length; ) {
        sections.push(bytes[o]!);
        let size = 0;
        let shift = 0;
        let p = o + 1;
        for (;;) {
          const b = bytes[p++]!;
          size += (b & 0x7f) * 2 ** shift;
          shift += 7;
          if ((b & 0x80) === 0) break;
        }
        o = p + size;
      }
      // Data (11) or data count (12) sections would be re-written into the live memory by every worker that instantiates the module.
      expect(sections.filter((id) => id === 11 || id === 12)).toEqual([]);
      const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
      expect(imports).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      // The same bytes with the shared flag cleared run on an ordinary memory.
      unshareMemoryImport(bytes);
      const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536 });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      expect((instance.exports.isa_relaxed as () => number)()).toBe(isa === 'relaxed' ? 1 : 0);
    }
  });

  it('runs one thread and says once how to get more where SharedArrayBuffer is unavailable', async () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    g.crossOriginIsolated = false;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const k = await loadKernels({ isa: 'simd128' });
      expect(k.shared).toBe(false);
      expect(k.memory.buffer instanceof SharedArrayBuffer).toBe(false);
      expect(setThreads(k, 4)).toBe(1);
      expect(setThreads(k, 3)).toBe(1);
      expect(threadCount(k)).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
      const a = k.arena.alloc(64 * 64 * 4);
      gemm(k, false, false, 64, 64, 64, 1, a, 64, a, 64, 0, a, 64);
    } finally {
      delete g.crossOriginIsolated;
      warn.mockRestore();
    }
  });
});
