/**
 * Atomic file writes for Node: create the folder if needed, write a temporary file in the same
 * folder, flush it to disk, rename it over the target, flush the folder. A crash or error leaves
 * either the old file or the new one, never a half-written file.
 *
 * Temporary files are named `.<name>.<host>-<pid>.<random>.tmp` (host: 8 hex digits hashed from the
 * host name). A process killed mid-write leaves its temp file behind; the next write to the same
 * target removes those whose writer is gone: same host and a pid that no longer runs, or any
 * writer's once a day old. A live writer's file is never touched (a pid reused by another process
 * only delays the cleanup). node:fs is imported lazily so browser bundles can include this module.
 */
type Fs = typeof import('node:fs/promises');

/**
 * A Node built-in reached in a way browser bundlers do not follow (as @deepwasm/kernels' nodeBuiltin;
 * repeated here because this file imports nothing but Node, see test/io-atomic.test.ts).
 */
async function nodeBuiltin<T>(id: string): Promise<T> {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof get === 'function') return get(id) as T;
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ id)) as T;
}

const STALE_MS = 24 * 60 * 60 * 1000;

/** 8 hex digits naming the host in temp file names (FNV-1a of the host name). */
export function hostTag(host: string): string {
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < host.length; i++) h = Math.imul(h ^ host.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Removes temp files of `target` left by writers that are gone; returns the names removed. */
export async function removeStaleTempFiles(target: string): Promise<string[]> {
  const fs: Fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const { dirname, basename, join } = await nodeBuiltin<typeof import('node:path')>('node:path');
  const { hostname } = await nodeBuiltin<typeof import('node:os')>('node:os');
  const dir = dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.([0-9a-f]{8})-(\\d+)\\.[0-9a-z]+\\.tmp$`);
  const host = hostTag(hostname());
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null) continue;
    const full = join(dir, name);
    const pid = Number(m[2]);
    let stale = m[1] === host && pid !== process.pid && !pidAlive(pid);
    if (!stale) {
      const st = await fs.stat(full).catch(() => null);
      stale = st !== null && Date.now() - st.mtimeMs > STALE_MS;
    }
    if (stale && (await fs.rm(full, { force: true }).then(() => true, () => false))) removed.push(name);
  }
  return removed;
}

/** An error about `path` (what the user asked for), never about the temp file. */
function userError(op: string, path: string, tmp: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const detail = String(err?.message ?? e).split(tmp).join(path);
  const out = new Error(`${op}: cannot write "${path}": ${detail}`, { cause: e }) as NodeJS.ErrnoException;
  if (err?.code !== undefined) out.code = err.code;
  return out;
}

/**
 * Writes `bytes` to `path` atomically (see the file comment), creating missing folders. Errors name
 * `path`. `op` names the caller in errors (default 'writeFileAtomic').
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, op = 'writeFileAtomic'): Promise<void> {
  const fs: Fs = await nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const { dirname, basename, join } = await nodeBuiltin<typeof import('node:path')>('node:path');
  const { hostname } = await nodeBuiltin<typeof import('node:os')>('node:os');
  const dir = dirname(path);
  const random = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  const tmp = join(dir, `.${basename(path)}.${hostTag(hostname())}-${process.pid}.${random}.tmp`);
  let handle: import('node:fs/promises').FileHandle | null = null;
  try {
    await fs.mkdir(dir, { recursive: true });
    handle = await fs.open(tmp, 'wx');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.rename(tmp, path);
  } catch (e) {
    if (handle !== null) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw userError(op, path, tmp, e);
  }
  // The rename is durable once the folder is flushed (not possible on every platform: best effort).
  await fs.open(dir, 'r').then(
    (d) => d.sync().catch(() => undefined).finally(() => d.close()),
    () => undefined,
  );
  await removeStaleTempFiles(path).catch(() => undefined);
}
