// The host's own two-core ceiling: one-thread GEMMs (256^3) in one process alone, then in two processes at
// once. If two independent processes together get less than 2x, no threading of ours can get more.
// Then the same GEMM in one process on our 2 threads, against the one process alone.
// node --experimental-wasm-relaxed-simd tools/bench/study/host-ceiling.mjs [relaxed|simd128] [seconds] [M]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as K from '@deepwasm/kernels';

const [isa = 'relaxed', secs = '4', size = '256', role, threads = '1'] = process.argv.slice(2);
const M = Number(size);
if (role === 'worker') {
  const k = await K.loadKernels({ isa });
  K.setThreads(k, Number(threads));
  await K.threadsStarted(k);
  const f = (n) => { const p = k.arena.alloc(n * 4); const v = new Float32Array(k.memory.buffer, p, n); for (let i = 0; i < n; i++) v[i] = Math.sin(i); return p; };
  const [a, b, c] = [f(M * M), f(M * M), f(M * M)];
  const run = () => K.gemm(k, false, false, M, M, M, 1, a, M, b, M, 0, c, M);
  for (let i = 0; i < 5; i++) run();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < Number(secs) * 1000) { run(); n++; }
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ gflops: (2 * M * M * M * n) / s / 1e9 }));
  K.closeThreads(k);
} else {
  const me = fileURLToPath(import.meta.url);
  const one = (threads = 1) => new Promise((res) => {
    const p = spawn(process.execPath, [...process.execArgv, me, isa, secs, size, 'worker', String(threads)]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', () => res(JSON.parse(out).gflops));
  });
  for (let round = 0; round < 3; round++) {
    const alone = await one();
    const both = await Promise.all([one(), one()]);
    const sum = both[0] + both[1];
    const ours = await one(2);
    console.log(`round ${round}: one process ${alone.toFixed(1)} GFLOP/s; two at once ${both.map((x) => x.toFixed(1)).join(' + ')} = ${sum.toFixed(1)}: ${(sum / alone).toFixed(2)}x; one process on 2 threads ${ours.toFixed(1)}: ${(ours / alone).toFixed(2)}x`);
  }
}
