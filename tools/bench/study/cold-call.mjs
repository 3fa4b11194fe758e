// What a small piece of the calling thread's work costs right after a large one: a 4x4x4
// gemmChannelAffine (its JavaScript checks and one kernel call), a size query into the module, five
// reads of memory.buffer, five inMemory-like checks in plain JavaScript, each timed after a 512^3
// product, after 16 MB of other writes, and after nothing, then again at once. Inside ResNet-50's
// forward every job is such a boundary: the JavaScript between jobs runs on caches and TLBs the kernels
// just filled with weights.
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
const sizeQuery = k.exports.f32_packed_a_floats;
let sink = 0;
const probes = {
  'gemmChannelAffine 4x4x4': () => K.gemmChannelAffine(k, 4, 4, 4, buf, buf + 4096, 4, buf + 8192, 4),
  'one size query (f32_packed_a_floats)': () => { sink += sizeQuery(64, 64); },
  'memory.buffer.byteLength x5': () => { for (let i = 0; i < 5; i++) sink += k.memory.buffer.byteLength; },
  'five bounds checks in plain JS': () => { for (let i = 0; i < 5; i++) if (!Number.isSafeInteger(buf + i) || buf + i + 64 > 1 << 30) sink++; },
};
const flushes = {
  'a 512^3 product': () => K.gemmChannelAffine(k, 512, 512, 512, pa, big, 512, big + 4 * 512 * 512, 512),
  '16 MB of writes': (r) => k.arena.f32(cold, 4 << 20).fill(r),
  nothing: () => {},
};
const R = 40;
for (const [flushName, flush] of Object.entries(flushes)) {
  for (const [name, probe] of Object.entries(probes)) {
    let first = 0;
    let next = 0;
    for (let r = 0; r < R; r++) {
      flush(r);
      const t0 = performance.now();
      probe();
      const t1 = performance.now();
      probe();
      first += t1 - t0;
      next += performance.now() - t1;
    }
    console.log(`${threads} thread(s), after ${flushName.padEnd(16)} ${name.padEnd(38)} ${((first / R) * 1000).toFixed(1).padStart(6)} us, again at once ${((next / R) * 1000).toFixed(1)} us`);
  }
}
K.closeThreads(k);
