/**
 * Saving is atomic: child processes save two models of different architectures to one path, one
 * after the other, and are killed (SIGKILL) at random moments, 41 times (one writer first, then
 * four at once, to keep the test short). After every kill the file must be byte for byte one of the
 * two models and load as it; a killed writer's temp file may remain but is removed by the next save
 * of any writer (so they never accumulate), and none remain after a final save.
 *
 * The children run saveModel's write step on this package's current source: the test transpiles
 * src/io/atomic-file.ts to JavaScript (TypeScript's transpileModule) and gives them the two models'
 * file bytes, made by modelToBytes and checked equal to what saveModel writes. (Importing the whole
 * package and loading the kernels would cost each short-lived child most of a second.)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { use } from './setup.js';

const KILLS = 41;
const LANES = 4;
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');

beforeAll(async () => {
  await use('simd128');
});

/** src/io/atomic-file.ts as JavaScript in `out` (it imports only node: modules). */
async function transpileAtomicFile(out: string): Promise<string> {
  const file = join(pkg, 'src', 'io', 'atomic-file.ts');
  const js = ts.transpileModule(await readFile(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  }).outputText;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'package.json'), '{"type":"module"}');
  await writeFile(join(out, 'atomic-file.js'), js);
  return join(out, 'atomic-file.js');
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  a: number;
  b: number;
  /** Kills that left the killed writer's temp file behind (it was writing). */
  midWrite: number;
  maxTemps: number;
}

interface Models {
  files: [string, string];
  hashes: [string, string];
  params: [number, number];
}

/** One lane: fork a save loop, let it save for a random moment, kill it, check the file; `kills` times. */
async function lane(atomic: string, target: string, models: Models, kills: number, random: () => number, seen: Seen): Promise<void> {
  for (let k = 0; k < kills; k++) {
    const child: ChildProcess = fork(join(here, 'fixtures', 'save-loop.mjs'), [atomic, target, ...models.files], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m) => m === 'saved' && resolve());
      child.once('exit', (code) => reject(new Error(`save loop exited (${code}) before its first save: ${stderr}`)));
    });
    await sleep(random() * 30);
    child.kill('SIGKILL');
    await exited;
    const bytes = new Uint8Array(await readFile(target));
    const which = models.hashes.indexOf(sha(bytes));
    expect(which, `the file is neither model (${bytes.length} bytes)`).toBeGreaterThanOrEqual(0);
    seen[which === 0 ? 'a' : 'b']++;
    const model = nn.modelFromBuffers(bytes); // what was read: other writers may have replaced the file since
    expect(model.numParameters()).toBe(models.params[which]);
    const temps = (await readdir(dirname(target))).filter((n) => n.endsWith('.tmp'));
    if (temps.some((n) => n.includes(`-${child.pid}.`))) seen.midWrite++;
    seen.maxTemps = Math.max(seen.maxTemps, temps.length);
  }
}

describe('atomic saves', () => {
  it(`leaves the old or the new model after each of ${KILLS} kills during saves that change the architecture`, async () => {
    const root = await mkdtemp(join(tmpdir(), 'deepwasm-kill-'));
    const atomic = await transpileAtomicFile(join(root, 'build'));
    const target = join(root, 'models', 'net.safetensors');
    nn.manualSeed(1);
    const a = new nn.Sequential(new nn.Linear(6, 5), new nn.ReLU(), new nn.Linear(5, 3));
    const b = new nn.Sequential(new nn.Conv2d(3, 16, 3), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.Flatten(), new nn.Linear(16 * 14 * 14, 32));
    const bytes = [nn.modelToBytes(a), nn.modelToBytes(b)] as const;
    // The child writes these bytes as saveModel does: check that they are what saveModel writes.
    for (const [i, m] of [a, b].entries()) {
      await nn.saveModel(m, join(root, 'check', 'm'));
      expect(sha(new Uint8Array(await readFile(join(root, 'check', 'm.safetensors'))))).toBe(sha(bytes[i]!));
      await writeFile(join(root, `model-${i}.safetensors`), bytes[i]!);
    }
    const models: Models = {
      files: [join(root, 'model-0.safetensors'), join(root, 'model-1.safetensors')],
      hashes: [sha(bytes[0]), sha(bytes[1])],
      params: [a.numParameters(), b.numParameters()],
    };
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const seen: Seen = { a: 0, b: 0, midWrite: 0, maxTemps: 0 };
    // The first writer creates the file; then LANES writers save to it at once, each killed (KILLS - 1) / LANES times.
    await lane(atomic, target, models, 1, random, seen);
    await Promise.all(Array.from({ length: LANES }, () => lane(atomic, target, models, (KILLS - 1) / LANES, random, seen)));
    // Live writers hold one temp file each at most; a killed writer's is removed by the next save of any writer.
    expect(seen.maxTemps).toBeLessThanOrEqual(2 * LANES);
    await nn.saveModel(new nn.Linear(2, 2), target);
    expect(await readdir(dirname(target))).toEqual(['net.safetensors']);
    console.log(`io atomic: ${KILLS} kills (${LANES} writers at once); the file was model A ${seen.a} times, model B ${seen.b} times, ` +
      `never anything else; ${seen.midWrite} kills left the writer's temp file (killed mid-write), at most ${seen.maxTemps} temp files at once; none after the final save`);
    expect(seen.midWrite).toBeGreaterThan(0); // the kills did land inside saves
    expect(seen.a + seen.b).toBe(KILLS);
    await rm(root, { recursive: true, force: true });
  }, 60_000);
});
