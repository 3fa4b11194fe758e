#!/usr/bin/env node
/** deepwasm demo: trains a network on real MNIST digits (or another task; or prints the quick kernel benchmark). */
import './relaxed-simd.js';
import { parseArgs, usage, UsageError, type DemoArgs } from './args.js';

async function main(): Promise<void> {
  let args: DemoArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // Nothing is loaded yet: the command line is checked before the kernels, the data or the models.
    console.error(`demo: ${e.message}`);
    process.exitCode = e.exitCode;
    return;
  }
  if (args.help) {
    console.log(usage());
    return;
  }
  if (args.threads !== undefined) (await import('@deepwasm/nn')).setNumThreads(args.threads);
  const { detectFeatures } = await import('@deepwasm/kernels');
  const f = detectFeatures();
  console.log(`engine: Node ${process.versions.node}, WebAssembly SIMD ${f.simd128 ? 'yes' : 'no'}, relaxed SIMD ${f.relaxedSimd ? 'yes' : 'no'}`);
  if (args.bench) {
    const { runKernelSummary } = await import('./kernel-summary.js');
    await runKernelSummary();
    return;
  }
  if (args.task !== undefined) {
    const { runSequenceTask } = await import('./tasks/index.js');
    const { task, seed, out, steps, epochs, seeds, dataset } = args;
    await runSequenceTask(task, { seed, out, steps, epochs, seeds, dataset, model: args.modelGiven ? args.model : undefined, progress: true });
    return;
  }
  const [{ recipes }, { trainMnist }] = await Promise.all([import('./recipes.js'), import('./train-mnist.js')]);
  await trainMnist(recipes[args.model]!, args);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
