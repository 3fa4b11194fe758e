// The LSTM(64, 128) training step (batch 32 x 50 steps, MSE, Adam: bench rnn's) of this checkout
// against another one's build, process by process in alternating rounds (each process: 10 warm-up
// steps, then steps for --ms milliseconds; the median and 10th percentile of its step times), and the
// ratio of the other's times to ours per round: above 1, this checkout is faster. Both checkouts must
// be built.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lstm-ab.mjs --base /work/main [--rounds 8] [--ms 1500] [--threads 2] [--isa simd128]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const here = fileURLToPath(new URL('../../..', import.meta.url));
if (process.argv[2] === '--child') {
  const [root, threads, ms, isa] = process.argv.slice(3);
  const K = await import(`${root}/packages/kernels/dist/index.js`);
  const nn = await import(`${root}/packages/nn/dist/index.js`);
  const k = await K.loadKernels({ isa });
  K.setThreads(k, Number(threads));
  await K.threadsStarted(k);
  nn.useKernels(k);
  nn.manualSeed(0);
  const layer = new nn.LSTM(64, 128);
  const opt = new nn.Adam(layer.parameters(), { lr: 1e-3 });
  const x = nn.randn([50, 32, 64]).keep();
  const y = nn.randn([50, 32, 128]).keep();
  const step = () => nn.tidy(() => { opt.zeroGrad(); nn.mseLoss(layer.forward(x), y).backward(); opt.step(); });
  for (let i = 0; i < 10; i++) step();
  const t = [];
  const end = performance.now() + Number(ms);
  while (performance.now() < end) {
    const t0 = performance.now();
    step();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(JSON.stringify({ median: t[t.length >> 1], p10: t[Math.floor(t.length / 10)] }));
  K.closeThreads(k);
} else {
  const base = arg('base', '/work/main');
  const [rounds, ms, threads, isa] = [Number(arg('rounds', '8')), arg('ms', '1500'), arg('threads', '2'), arg('isa', 'simd128')];
  const run = (root) => JSON.parse(execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', root, threads, ms, isa]).toString());
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const range = (v) => `${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)}`;
  const r = { ours: [], base: [], q: [], q10: [] };
  for (let i = 0; i < rounds; i++) {
    // Alternate which build runs first.
    let b, o;
    if (i % 2 === 0) {
      b = run(base);
      o = run(here);
    } else {
      o = run(here);
      b = run(base);
    }
    r.base.push(b.median);
    r.ours.push(o.median);
    r.q.push(b.median / o.median);
    r.q10.push(b.p10 / o.p10);
    console.log(`round ${i + 1}: base ${b.median.toFixed(2)} ms (p10 ${b.p10.toFixed(2)}), ours ${o.median.toFixed(2)} ms (p10 ${o.p10.toFixed(2)})`);
  }
  console.log(`${isa}, ${threads} threads: base ${med(r.base).toFixed(2)} ms (${range(r.base)}), ours ${med(r.ours).toFixed(2)} ms (${range(r.ours)})`);
  console.log(`base / ours: medians ${med(r.q).toFixed(3)} (${range(r.q)}), 10th percentiles ${med(r.q10).toFixed(3)} (${range(r.q10)}; ours faster in ${r.q10.filter((v) => v > 1).length} of ${rounds})`);
}
