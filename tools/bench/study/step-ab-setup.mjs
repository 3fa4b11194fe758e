// What the training-step A/B scripts share (lenet-ab.mjs, lstm-ab.mjs): this checkout's step against
// another checkout's build, process by process in alternating rounds (each process: `warmup` steps,
// then steps for --ms milliseconds; the median and 10th percentile of its step times), and the ratio
// of the other's times to ours per round: above 1, this checkout is faster. Both checkouts must be
// built. `makeStep({ K, nn, root })` builds the step in a child process (after nn.manualSeed(0)).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};

/** Runs the parent (rounds of both builds) or, with --child, one timed process; `script` is the caller's import.meta.url. */
export async function stepAB({ script, warmup, defaults, makeStep }) {
  if (process.argv[2] === '--child') {
    const [root, threads, ms, isa, warm] = process.argv.slice(3);
    const K = await import(`${root}/packages/kernels/dist/index.js`);
    const nn = await import(`${root}/packages/nn/dist/index.js`);
    const k = await K.loadKernels({ isa });
    K.setThreads(k, Number(threads));
    await K.threadsStarted(k);
    nn.useKernels(k);
    nn.manualSeed(0);
    const step = await makeStep({ K, nn, root });
    for (let i = 0, n = warm === 'default' ? warmup : Number(warm); i < n; i++) step();
    const t = [];
    const end = performance.now() + Number(ms);
    while (performance.now() < end) {
      const t0 = performance.now();
      step();
      t.push(performance.now() - t0);
    }
    t.sort((a, b) => a - b);
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    console.log(JSON.stringify({ median: t[t.length >> 1], p10: t[Math.floor(t.length / 10)], mean }));
    K.closeThreads(k);
    return;
  }
  const here = fileURLToPath(new URL('../../..', import.meta.url));
  const base = arg('base', '/work/main');
  const [rounds, ms, threads, isa, warm] = [Number(arg('rounds', defaults.rounds)), arg('ms', '1500'), arg('threads', '2'), arg('isa', defaults.isa), arg('warmup', 'default')];
  const run = (root) => JSON.parse(execFileSync(process.execPath, [...process.execArgv, fileURLToPath(script), '--child', root, threads, ms, isa, warm]).toString());
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const range = (v) => `${Math.min(...v).toFixed(3)}-${Math.max(...v).toFixed(3)}`;
  const r = { ours: [], base: [], q: [], q10: [], qMean: [] };
  for (let i = 0; i < rounds; i++) {
    // Alternate which build runs first.
    const [b, o] = i % 2 === 0 ? [run(base), run(here)] : [run(here), run(base)].reverse();
    r.base.push(b.median);
    r.ours.push(o.median);
    r.q.push(b.median / o.median);
    r.q10.push(b.p10 / o.p10);
    r.qMean.push(b.mean / o.mean);
    console.log(`round ${i + 1}: base ${b.median.toFixed(3)} ms (p10 ${b.p10.toFixed(3)}, mean ${b.mean.toFixed(3)}), ours ${o.median.toFixed(3)} ms (p10 ${o.p10.toFixed(3)}, mean ${o.mean.toFixed(3)})`);
  }
  console.log(`${isa}, ${threads} threads: base ${med(r.base).toFixed(3)} ms (${range(r.base)}), ours ${med(r.ours).toFixed(3)} ms (${range(r.ours)})`);
  console.log(`base / ours: medians ${med(r.q).toFixed(3)} (${range(r.q)}), 10th percentiles ${med(r.q10).toFixed(3)} (${range(r.q10)}; ours faster in ${r.q10.filter((v) => v > 1).length} of ${rounds}), means ${med(r.qMean).toFixed(3)} (${range(r.qMean)})`);
}
