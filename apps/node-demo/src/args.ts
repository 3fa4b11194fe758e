/**
 * The demo's options, checked before anything is loaded: Node's own `util.parseArgs` splits the command
 * line (--name value, --name=value, flags; built in, so nothing to install, and it already knows the
 * corner cases), then every value is checked against the option table and the chosen task's entry in
 * TASK_ABOUT. A bad command line is one line naming the option and the value, and exit code 2.
 */
import { parseArgs as splitArgs } from 'node:util';
import type { ProgressWriter } from '@deepwasm/nn';
import { TASK_ABOUT, type TaskOption } from './tasks/about.js';

export interface DemoArgs {
  model: string;
  /** Whether --model was given (tasks with their own models read it then). */
  modelGiven?: boolean;
  /** Dataset of --task gcn (cora or citeseer). */
  dataset?: string;
  /** Seeds to train in --task gcn (mean and spread of the accuracy). */
  seeds?: number;
  /** A name in TASK_ABOUT (default mnist). */
  task?: string;
  /** Step budget of a task. */
  steps?: number;
  epochs?: number;
  batchSize: number;
  /** Overrides the recipe's learning rate. */
  lr?: number;
  seed: number;
  /** Threads the kernels run on (default: all cores). */
  threads?: number;
  out: string;
  bench: boolean;
  help: boolean;
  /** Show the progress bar (default true), or draw it on this writer. */
  progress?: boolean | ProgressWriter;
}

/** A bad command line: the CLI prints the message on one line and exits with this code. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

type Check = 'count' | 'natural' | 'positive' | 'name';

interface OptionSpec {
  /** Placeholder of the value in the usage; flags have none. */
  arg?: string;
  check?: Check;
  help: string;
}

const OPTIONS: Record<string, OptionSpec> = {
  task: { arg: 'NAME', check: 'name', help: 'what to train, from the list above (default mnist)' },
  model: { arg: 'NAME', check: 'name', help: "the task's network (its list above; the first is its default)" },
  dataset: { arg: 'NAME', check: 'name', help: "the task's dataset (its list above)" },
  epochs: { arg: 'N', check: 'count', help: "training epochs (default: the task's)" },
  steps: { arg: 'N', check: 'count', help: "training steps (default: the task's)" },
  'batch-size': { arg: 'N', check: 'count', help: 'samples per step (default 64)' },
  lr: { arg: 'X', check: 'positive', help: "Adam's learning rate (default: the model's recipe)" },
  seeds: { arg: 'N', check: 'count', help: 'train N seeds and print the mean and spread' },
  seed: { arg: 'N', check: 'natural', help: 'seed of the split, weights, dropout, shuffling (default 0)' },
  threads: { arg: 'N', check: 'count', help: 'threads the kernels run on (default: all cores)' },
  out: { arg: 'DIR', help: 'folder for the plots and saved models (default out)' },
  bench: { help: 'the quick GEMM benchmark against tfjs-wasm, no training' },
  help: { help: 'this text' },
};

/** Options every task reads. */
const COMMON = new Set(['task', 'seed', 'threads', 'out', 'help']);

function fail(message: string): never {
  throw new UsageError(message);
}

/** The value checked against its option's rule; the message names the option and the value. */
function checked(name: string, raw: string): string | number {
  const check = OPTIONS[name]!.check;
  const bad = (what: string) => fail(`--${name} must be ${what}, got "${raw}"`);
  switch (check) {
    case 'count':
      return /^\+?\d+$/.test(raw) && Number(raw) >= 1 && Number.isSafeInteger(Number(raw)) ? Number(raw) : bad('a positive integer');
    case 'natural':
      return /^\+?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : bad('an integer >= 0');
    case 'positive': {
      const v = raw.trim() === '' ? NaN : Number(raw);
      return Number.isFinite(v) && v > 0 ? v : bad('a number > 0');
    }
    default:
      return raw === '' ? bad('a non-empty name') : raw;
  }
}

export function parseArgs(argv: readonly string[]): DemoArgs {
  // pnpm forwards a lone "--" before the script's arguments; it separates nothing here.
  const { tokens } = splitArgs({
    args: argv.filter((a) => a !== '--'),
    options: Object.fromEntries(Object.entries(OPTIONS).map(([k, o]) => [k, { type: o.arg ? ('string' as const) : ('boolean' as const) }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const given = new Map<string, string | number | boolean>();
  for (const t of tokens) {
    if (t.kind === 'positional') fail(`unexpected argument "${t.value}" (options start with --; demo --help lists them)`);
    if (t.kind !== 'option') continue;
    const spec = OPTIONS[t.name];
    if (spec === undefined || !t.rawName.startsWith('--')) fail(`unknown option ${t.rawName} (demo --help lists the options)`);
    if (given.has(t.name)) fail(`--${t.name} is given twice`);
    if (spec.arg === undefined) {
      if (t.value !== undefined) fail(`--${t.name} takes no value, got "${t.value}"`);
      given.set(t.name, true);
    } else {
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) fail(`--${t.name} needs a value (--${t.name} ${spec.arg})`);
      given.set(t.name, checked(t.name, t.value));
    }
  }
  const args: DemoArgs = { model: 'lenet5', batchSize: 64, seed: 0, out: 'out', bench: given.has('bench'), help: given.has('help') };
  if (args.help) return args;
  const task = (given.get('task') as string | undefined) ?? 'mnist';
  const about = TASK_ABOUT[task];
  if (about === undefined) fail(`--task must be one of ${Object.keys(TASK_ABOUT).join(', ')}; got "${task}"`);
  for (const [name, value] of given) {
    if (COMMON.has(name)) continue;
    if (args.bench) {
      if (name !== 'bench' && name !== 'threads') fail(`--${name} does not apply to --bench`);
      continue;
    }
    const allowed = about.options[name as TaskOption];
    if (allowed === undefined) {
      const reads = Object.keys(about.options).map((o) => `--${o}`);
      fail(`--${name} does not apply to --task ${task} (it reads ${[...reads, '--seed', '--threads', '--out'].join(', ')})`);
    }
    if (allowed !== true && !allowed.includes(value as string)) fail(`--${name} of --task ${task} must be one of ${allowed.join(', ')}; got "${value}"`);
  }
  if (args.bench && given.has('task')) fail('--task does not apply to --bench');
  const num = (k: string) => given.get(k) as number | undefined;
  if (task !== 'mnist') args.task = task;
  if (given.has('model')) [args.model, args.modelGiven] = [given.get('model') as string, true];
  args.dataset = given.get('dataset') as string | undefined;
  args.seeds = num('seeds');
  args.steps = num('steps');
  args.epochs = num('epochs');
  args.batchSize = num('batch-size') ?? 64;
  args.lr = num('lr');
  args.seed = num('seed') ?? 0;
  args.threads = num('threads');
  args.out = (given.get('out') as string | undefined) ?? 'out';
  // Drop the keys that were not given, so tasks see their own defaults.
  for (const k of Object.keys(args) as (keyof DemoArgs)[]) if (args[k] === undefined) delete args[k];
  return args;
}

/** The usage, generated from the task table and the option table, within 80 columns. */
export function usage(): string {
  const lines = [
    'usage: demo [--task NAME] [options]   train, evaluate, write plots to --out',
    '       demo --bench                   the quick GEMM benchmark',
    '',
    'tasks (--task NAME; each also reads --seed, --threads and --out):',
  ];
  for (const [name, about] of Object.entries(TASK_ABOUT)) {
    about.about.split('\n').forEach((line, i) => lines.push(`  ${(i === 0 ? name : '').padEnd(9)}${line}`));
    const opts = Object.entries(about.options).map(([o, v]) => `--${o} ${v === true ? OPTIONS[o]!.arg : v.join('|')}`);
    if (opts.length > 0) lines.push(`  ${''.padEnd(9)}${opts.join('  ')}`);
  }
  lines.push('', 'options:');
  for (const [name, o] of Object.entries(OPTIONS)) lines.push(`  ${`--${name}${o.arg ? ` ${o.arg}` : ''}`.padEnd(16)}${o.help}`);
  return lines.join('\n');
}
