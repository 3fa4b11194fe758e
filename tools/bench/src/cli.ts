#!/usr/bin/env node
/** pnpm bench [suite ...] [--quick]: side-by-side benchmarks; prints a table and writes bench-results/<suite>.json. */
import './relaxed-simd.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { suites } from './suites.js';
import { formatTable, withSpeedups, type Row } from './report.js';
import { benchThreads } from './train-bench.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const quick = argv.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const chosen = names.length > 0 ? names : Object.keys(suites);
  for (const n of chosen) {
    if (!(n in suites)) throw new Error(`unknown suite "${n}"; suites: ${Object.keys(suites).join(', ')}`);
  }
  const outDir = join(fileURLToPath(new URL('../../..', import.meta.url)), 'bench-results');
  await mkdir(outDir, { recursive: true });
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores; Node ${process.versions.node}; threads ${benchThreads().join(', ')} (ours and PyTorch alike); medians; "vs 1 thread": speed-up over the same case on one thread, same run`);
  for (const name of chosen) {
    const rows: Row[] = withSpeedups(await suites[name]!({ quick, log: (l) => console.log(l) }));
    console.log(`\n${formatTable(rows)}\n`);
    const file = join(outDir, `${name}.json`);
    await writeFile(file, JSON.stringify({ suite: name, date: new Date().toISOString(), node: process.versions.node, rows }, null, 2));
    console.log(`written: ${file}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
