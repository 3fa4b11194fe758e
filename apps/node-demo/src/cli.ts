#!/usr/bin/env node
/** deepwasm demo: trains a network on real MNIST digits (or prints the quick kernel benchmark). */
import './relaxed-simd.js';
import { detectFeatures } from '@deepwasm/kernels';
import { parseArgs, usage } from './args.js';
import { recipes } from './recipes.js';
import { trainMnist } from './train-mnist.js';
import { runKernelSummary } from './kernel-summary.js';
import { runSequenceTask } from './tasks/index.js';
import type { GcnTaskOptions } from './tasks/gcn.js';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(usage());
    return;
  }
  const f = detectFeatures();
  console.log(`engine: Node ${process.versions.node}, WebAssembly SIMD ${f.simd128 ? 'yes' : 'no'}, relaxed SIMD ${f.relaxedSimd ? 'yes' : 'no'}`);
  if (args.bench) {
    await runKernelSummary();
    return;
  }
  if (args.task !== undefined && args.task !== 'mnist') {
    const taskOptions: GcnTaskOptions = { seed: args.seed, out: args.out, steps: args.steps, progress: args.progress ?? true };
    if (args.task === 'gcn') {
      Object.assign(taskOptions, { model: args.modelGiven ? args.model : undefined, dataset: args.dataset, seeds: args.seeds, epochs: args.epochs });
    }
    await runSequenceTask(args.task, taskOptions);
    return;
  }
  const recipe = recipes[args.model];
  if (recipe === undefined) {
    throw new Error(`unknown model "${args.model}"; choose one of: ${Object.keys(recipes).join(', ')}`);
  }
  await trainMnist(recipe, args);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
