/**
 * Atomic file writes for Node: write a temporary file in the same folder, flush it to disk, then
 * rename it over the target. A crash or error leaves either the old file or the new one, never a
 * half-written file. node:fs is imported lazily so browser bundles can include this module.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import(/* @vite-ignore */ 'node:fs/promises');
  const { dirname, basename, join } = await import(/* @vite-ignore */ 'node:path');
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  let handle: import('node:fs/promises').FileHandle | null = null;
  try {
    handle = await fs.open(tmp, 'w');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.rename(tmp, path);
  } catch (e) {
    if (handle !== null) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
