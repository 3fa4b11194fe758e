// The host's two-core ceiling for ResNet-50's batch-1 forward itself (relaxed): forwards on one thread in one
// process alone, then in two processes at once (their summed rate against the one), then one process on
// 2 threads. ResNet streams ~150 MB of prepared weights a forward, so its ceiling can sit below the
// in-cache GEMM's of host-ceiling.mjs.
// node --experimental-wasm-relaxed-simd tools/bench/study/resnet50-ceiling.mjs [seconds] [rounds]
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const [secs = '4', rounds = '2', role, threads = '1'] = process.argv.slice(2);
if (role === 'worker') {
  const nn = await import('@deepwasm/nn');
  const K = await import('@deepwasm/kernels');
  const { resnet } = await import('@deepwasm/models');
  await nn.ready({ isa: 'relaxed' });
  nn.setNumThreads(Number(threads));
  await K.threadsStarted(nn.kernels());
  nn.manualSeed(0);
  const model = resnet(50).eval();
  const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();
  const run = () => nn.noGrad(() => nn.tidy(() => void model.forward(input)));
  for (let i = 0; i < 3; i++) run();
  const t = [];
  const t0 = performance.now();
  while (performance.now() - t0 < Number(secs) * 1000) {
    const s = performance.now();
    run();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  console.log(JSON.stringify({ rate: t.length / ((performance.now() - t0) / 1000), median: t[t.length >> 1] }));
  K.closeThreads(nn.kernels());
} else {
  const me = fileURLToPath(import.meta.url);
  const one = (th = 1) => new Promise((res) => {
    const p = spawn(process.execPath, [...process.execArgv, me, secs, rounds, 'worker', String(th)]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', () => res(JSON.parse(out)));
  });
  for (let round = 0; round < Number(rounds); round++) {
    const alone = await one();
    const both = await Promise.all([one(), one()]);
    const sum = both[0].rate + both[1].rate;
    const ours = await one(2);
    console.log(`round ${round}: one thread ${alone.median.toFixed(1)} ms a forward; two processes at once ${both.map((x) => x.median.toFixed(1)).join(' / ')} ms: ${(sum / alone.rate).toFixed(2)}x the forwards; one process on 2 threads ${ours.median.toFixed(1)} ms: ${(ours.rate / alone.rate).toFixed(2)}x (load ${os.loadavg()[0].toFixed(2)})`);
  }
}
