// bench scaling's GEMM rows (256^3 and 512^3, 1 and 2 threads in alternating rounds, ratios of round
// means) for this checkout's kernels and another build's, in turns, each turn between host-ceiling rows
// (two independent one-thread GEMM 256^3 loops, bench scaling's own): the speed-up of a change beside
// the host's ceiling of the same minutes.
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-scaling.mjs <old kernels dir> [relaxed|simd128] [turns] [rounds] [roundMs]
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import * as New from '@deepwasm/kernels';
import { hostCeilingRow } from '../dist/host-ceiling.js';

const [oldDir, isa = 'relaxed', turnsArg = '2', roundsArg = '5', roundMsArg = '100'] = process.argv.slice(2);
const Old = await import(pathToFileURL(`${oldDir}/dist/index.js`).href);
const med = (x) => [...x].sort((a, b) => a - b)[x.length >> 1];
const fmt = (x) => `${med(x).toFixed(2)}x (${Math.min(...x).toFixed(2)}-${Math.max(...x).toFixed(2)})`;

async function turn(name, K) {
  const k = await K.loadKernels({ isa });
  K.setThreads(k, 2);
  await K.threadsStarted(k);
  const ceiling = async (when) => {
    const r = await hostCeilingRow(k, isa, when, Number(roundsArg), Number(roundMsArg));
    console.log(`  ${name}: host ceiling ${when}: x${r.ratio.toFixed(2)} (${r.ratioRange[0].toFixed(2)}-${r.ratioRange[1].toFixed(2)}), load ${loadavg()[0].toFixed(2)}`);
  };
  await ceiling('before');
  for (const M of [256, 512]) {
    const put = (n) => { const p = k.arena.alloc(n * 4); const v = k.arena.f32(p, n); for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37); return p; };
    const [a, b, c] = [put(M * M), put(M * M), put(M * M)];
    const run = () => K.gemm(k, false, false, M, M, M, 1, a, M, b, M, 0, c, M);
    const ms = { 1: [], 2: [] };
    for (const t of [1, 2]) { K.setThreads(k, t); run(); run(); }
    for (let r = 0; r < Number(roundsArg); r++) {
      for (const t of r % 2 === 0 ? [1, 2] : [2, 1]) {
        K.setThreads(k, t);
        run();
        const t0 = performance.now();
        let n = 0;
        while (n < 2 || performance.now() - t0 < Number(roundMsArg)) { run(); n++; }
        ms[t].push((performance.now() - t0) / n);
      }
    }
    console.log(`  ${name}: GEMM ${M}^3 1t ${med(ms[1]).toFixed(3)} ms, 2t ${med(ms[2]).toFixed(3)} ms, x${fmt(ms[1].map((v, i) => v / ms[2][i]))}`);
    for (const p of [a, b, c]) k.arena.free(p);
  }
  await ceiling('after');
  K.closeThreads(k);
}

console.log(`${isa}, ${turnsArg} turns of each build, ${roundsArg} rounds of ${roundMsArg} ms:`);
for (let t = 0; t < Number(turnsArg); t++) {
  for (const [name, K] of t % 2 === 0 ? [['new', New], ['old', Old]] : [['old', Old], ['new', New]]) await turn(name, K);
}
