/** PyTorch as a peer, where Debian's python3-torch is installed: runs a script, reads its JSON. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

let available: boolean | null = null;

/** Whether `import torch` works (asked once per process: on a loaded machine the import alone can take a minute). */
export function pytorchAvailable(): boolean {
  if (available === null) available = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 180_000 }).status === 0;
  return available;
}

/** Runs tools/bench/python/<script> with args; returns its JSON output, or null (with a note) when PyTorch is missing. */
export function runPytorch<T>(script: string, args: string[], log?: (l: string) => void, timeoutMs = 300_000): T | null {
  if (!pytorchAvailable()) {
    log?.('PyTorch not installed (Debian python3-torch): skipped the PyTorch rows');
    return null;
  }
  const path = fileURLToPath(new URL(`../python/${script}`, import.meta.url));
  // torch.set_num_threads does not reach OpenBLAS's own pool, which otherwise starts a thread per
  // core: on a loaded machine its spinning made PyTorch's one-thread LSTM step 30x slower (1.2 s
  // against 40 ms with the pool at the same count). Give OpenBLAS and OpenMP the --threads count.
  const at = args.indexOf('--threads');
  const threads = at >= 0 ? args[at + 1]! : '1';
  const env = { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads };
  const r = spawnSync(PYTHON, [path, ...args], { timeout: timeoutMs, encoding: 'utf8', env });
  if (r.status !== 0) {
    log?.(`PyTorch run failed (${script} ${args.join(' ')}): ${r.stderr.slice(-400)}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}
