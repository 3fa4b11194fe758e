/**
 * The command line is checked before anything is loaded: each bad option is one line naming the
 * option and the value, exit code 2, within a few seconds and without the kernels or MNIST; the usage
 * lists every task and fits 80 columns.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseArgs, usage, UsageError } from '../src/args.js';
import { TASK_ABOUT } from '../src/tasks/about.js';
import { TASKS } from '../src/tasks/index.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const BAD: Array<[string[], RegExp]> = [
  [['--epochs', '-3'], /^--epochs must be a positive integer, got "-3"$/],
  [['--epochs=-3'], /^--epochs must be a positive integer, got "-3"$/],
  [['--batch-size', '0'], /^--batch-size must be a positive integer, got "0"$/],
  [['--lr', '0'], /^--lr must be a number > 0, got "0"$/],
  [['--lr', '-1e-3'], /^--lr must be a number > 0, got "-1e-3"$/],
  [['--lr', 'fast'], /^--lr must be a number > 0, got "fast"$/],
  [['--epochs', 'ten'], /^--epochs must be a positive integer, got "ten"$/],
  [['--epochs', '2.5'], /^--epochs must be a positive integer, got "2.5"$/],
  [['--steps', '1e3'], /^--steps must be a positive integer, got "1e3"$/],
  [['--seed', '-1'], /^--seed must be an integer >= 0, got "-1"$/],
  [['--task', 'nope'], /^--task must be one of mnist, .*; got "nope"$/],
  [['--bogus', '1'], /^unknown option --bogus /],
  [['-e', '3'], /^unknown option -e /],
  [['--epochs'], /^--epochs needs a value \(--epochs N\)$/],
  [['--epochs', '--lr', '1'], /^--epochs needs a value/],
  [['mnist'], /^unexpected argument "mnist"/],
  [['--bench=yes'], /^--bench takes no value, got "yes"$/],
  [['--epochs', '3', '--epochs', '4'], /^--epochs is given twice$/],
  [['--task', 'adding', '--dataset', 'cora'], /^--dataset does not apply to --task adding \(it reads --steps, --seed, --threads, --out\)$/],
  [['--task', 'adding', '--lr', '0.1'], /^--lr does not apply to --task adding/],
  [['--task', 'gcn', '--model', 'lenet5'], /^--model of --task gcn must be one of gcn, gat; got "lenet5"$/],
  [['--model', 'resnet'], /^--model of --task mnist must be one of lenet5, mlp; got "resnet"$/],
  [['--bench', '--epochs', '3'], /^--epochs does not apply to --bench$/],
  [['--threads', '0'], /^--threads must be a positive integer, got "0"$/],
];

describe('command line', () => {
  it.each(BAD)('rejects %j with one line naming the option and the value', (argv, message) => {
    let error: unknown;
    try {
      parseArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
    expect((error as UsageError).message).not.toContain('\n');
    expect((error as UsageError).exitCode).toBe(2);
  });

  it('reads good command lines, with the defaults left to the task', () => {
    expect(parseArgs([])).toEqual({ model: 'lenet5', batchSize: 64, seed: 0, out: 'out', bench: false, help: false });
    expect(parseArgs(['--', '--model=mlp', '--epochs', '3', '--lr', '1e-3', '--batch-size', '32', '--seed', '7', '--out', 'o'])).toEqual({
      model: 'mlp', modelGiven: true, epochs: 3, lr: 0.001, batchSize: 32, seed: 7, out: 'o', bench: false, help: false,
    });
    expect(parseArgs(['--task', 'gcn', '--model', 'gat', '--dataset', 'citeseer', '--seeds', '3'])).toMatchObject({ task: 'gcn', model: 'gat', dataset: 'citeseer', seeds: 3 });
    expect(parseArgs(['--task', 'dbn', '--threads', '1'])).toMatchObject({ task: 'dbn', threads: 1 });
    expect(parseArgs(['--bench', '--threads', '2'])).toMatchObject({ bench: true, threads: 2 });
    expect(parseArgs(['--task', 'nope', '--help']).help).toBe(true); // --help shows the usage whatever else is given
  });

  it('lists every task in the usage, and the usage fits 80 columns', () => {
    const text = usage();
    for (const name of Object.keys(TASK_ABOUT)) expect(text).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('describes every task it can run (about.ts has an entry for each runner)', () => {
    expect(Object.keys(TASK_ABOUT).sort()).toEqual(['mnist', ...Object.keys(TASKS)].sort());
  });

  it('exits with code 2 and one line on stderr before loading anything', () => {
    for (const argv of [['--epochs', '-3'], ['--batch-size', '0'], ['--lr', '0'], ['--task', 'nope'], ['--bogus']]) {
      const started = performance.now();
      const r = spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8' });
      const seconds = (performance.now() - started) / 1000;
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe(''); // no "engine:" line: the kernels were not looked at
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^demo: .*${argv[0]!.replace(/^--/, '')}`));
      expect(seconds).toBeLessThan(10); // a loaded 2-core machine; the check itself takes milliseconds
    }
    const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(`${usage()}\n`);
  });
});
