// What a small op costs on the calling thread right after a large one: gemmChannelAffine on 4x4x4
// (its JavaScript checks and one kernel call) timed after a 512^3 product, after 16 MB of other writes,
// and after nothing, then the same call again at once. Inside ResNet-50's forward every job is such a
// boundary: the JavaScript between jobs runs on caches and TLBs the kernels just filled with weights.
//   node --experimental-wasm-relaxed-simd tools/bench/study/cold-call.mjs [threads]
import * as K from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';

const threads = Number(process.argv[2] ?? 1);
await nn.ready({ isa: 'relaxed', threads });
const k = nn.kernels();
await K.threadsStarted(k);
const buf = k.arena.alloc(1 << 20);
const big = k.arena.alloc(4 * 512 * 512 * 3);
const pa = k.arena.alloc(4 * K.packedAFloats(k, 512, 512));
const cold = k.arena.alloc(64 << 20);
const small = () => K.gemmChannelAffine(k, 4, 4, 4, buf, buf + 4096, 4, buf + 8192, 4);
const R = 40;
for (const mode of ['a 512^3 product', '16 MB of writes', 'nothing']) {
  let first = 0;
  let next = 0;
  for (let r = 0; r < R; r++) {
    if (mode === 'a 512^3 product') K.gemmChannelAffine(k, 512, 512, 512, pa, big, 512, big + 4 * 512 * 512, 512);
    else if (mode === '16 MB of writes') k.arena.f32(cold, 4 << 20).fill(r);
    const t0 = performance.now();
    small();
    const t1 = performance.now();
    small();
    first += t1 - t0;
    next += performance.now() - t1;
  }
  console.log(`${threads} thread(s), after ${mode}: the small op ${((first / R) * 1000).toFixed(1)} us, again at once ${((next / R) * 1000).toFixed(1)} us`);
}
K.closeThreads(k);
