// A/B of gemm() on 2 threads: this checkout's kernels beside another build's (a copy of an older
// packages/kernels with its dist/ and wasm/), in one process, each also on 1 thread, in blocks of calls
// whose order flips every round. Per shape: the 10th percentile and median of single calls, the mean
// of the block (a sustained loop), each build's 2t/1t speed-up of means, and new over old on 2 threads.
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-ab.mjs <old kernels dir> [relaxed|simd128] [rounds] [blockMs] [MxKxN ...]
import * as New from '@deepwasm/kernels';
import { buildKernels } from './kernels-setup.mjs';

const [oldDir, isa = 'relaxed', roundsArg = '6', blockMsArg = '60', ...shapeArgs] = process.argv.slice(2);
const Old = await import(`${oldDir}/dist/index.js`);
const shapes = (shapeArgs.length > 0 ? shapeArgs : ['256x256x256', '512x512x512']).map((s) => s.split('x').map(Number));

async function setup(K) {
  const { k, put } = await buildKernels(K, isa);
  const runs = shapes.map(([M, Kd, N]) => {
    const [a, b, c] = [put(M * Kd), put(Kd * N), put(M * N)];
    return () => K.gemm(k, false, false, M, N, Kd, 1, a, Kd, b, N, 0, c, N);
  });
  return { K, k, runs };
}

const builds = { new: await setup(New), old: await setup(Old) };
const q = (x, p) => [...x].sort((u, v) => u - v)[Math.floor(p * (x.length - 1))];
const blockMs = Number(blockMsArg);
for (const [s, [M, Kd, N]] of shapes.entries()) {
  const variants = ['new 1t', 'new 2t', 'old 1t', 'old 2t'];
  const calls = Object.fromEntries(variants.map((v) => [v, []]));
  const means = Object.fromEntries(variants.map((v) => [v, []]));
  for (let r = 0; r < Number(roundsArg); r++) {
    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
      const [which, t] = v.split(' ');
      const { K, k, runs } = builds[which];
      K.setThreads(k, t === '1t' ? 1 : 2);
      const run = runs[s];
      run();
      const t0 = performance.now();
      let n = 0;
      while (n < 3 || performance.now() - t0 < blockMs) {
        const c0 = performance.now();
        run();
        calls[v].push(performance.now() - c0);
        n++;
      }
      means[v].push((performance.now() - t0) / n);
    }
  }
  const us = (ms) => (ms * 1000).toFixed(0);
  const ratio = (x) => `${q(x, 0.5).toFixed(2)}x (${Math.min(...x).toFixed(2)}-${Math.max(...x).toFixed(2)})`;
  const per = (a, b) => means[a].map((v, i) => v / means[b][i]);
  console.log(`${isa} GEMM ${M}x${Kd}x${N} (M x K x N), load ${(await import('node:os')).loadavg()[0].toFixed(2)}; p10 / p50 of calls, mean of blocks (us):`);
  for (const v of variants) console.log(`  ${v}: ${us(q(calls[v], 0.1))} / ${us(q(calls[v], 0.5))}, ${us(q(means[v], 0.5))}`);
  console.log(`  2t/1t by blocks: new ${ratio(per('new 1t', 'new 2t'))}, old ${ratio(per('old 1t', 'old 2t'))}; p10: new ${(q(calls['new 1t'], 0.1) / q(calls['new 2t'], 0.1)).toFixed(2)}x, old ${(q(calls['old 1t'], 0.1) / q(calls['old 2t'], 0.1)).toFixed(2)}x`);
  const wins = per('old 2t', 'new 2t').filter((x) => x > 1).length;
  console.log(`  2t new over old (old time / new time) by blocks ${ratio(per('old 2t', 'new 2t'))}, new ahead in ${wins} of ${means['new 2t'].length}; p10 ${(q(calls['old 2t'], 0.1) / q(calls['new 2t'], 0.1)).toFixed(2)}x`);
}
for (const { K, k } of Object.values(builds)) K.closeThreads(k);
