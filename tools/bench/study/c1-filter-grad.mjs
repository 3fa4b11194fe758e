// LeNet C1's filter gradient (64 x 1 x 28 x 28, padding 2 -> 6 @ 5x5) on one thread: the 8 runs of 8
// images of f32_conv2d_direct_filter_grad_pad, as conv2dBackwardDirect cuts them, this checkout's
// kernels and (given a copy of an older packages/kernels with its dist/ and wasm/) the other's, in
// alternating rounds in one process; and a checksum of each result's bits (the same sums must give
// the same bits).
//   node --experimental-wasm-relaxed-simd tools/bench/study/c1-filter-grad.mjs [relaxed|simd128] [old kernels dir]
import * as New from '@deepwasm/kernels';
import { buildKernels, median } from './kernels-setup.mjs';

const [isa = 'relaxed', oldDir] = process.argv.slice(2);
const [N, H, OC, KS, pad, runs] = [64, 28, 6, 5, 2, 8];
const O = H;
const Wp = 8 * Math.ceil(O / 8) + KS - 1;
const per = N / runs;

async function setup(K) {
  const { k, put } = await buildKernels(K, isa, 1);
  const e = k.exports;
  const [x, dy] = [put(N * H * H), put(N * OC * O * O)];
  const parts = k.arena.alloc(runs * OC * KS * KS * 4);
  const scratch = k.arena.alloc(e.f32_conv2d_direct_pad_scratch_bytes(1, KS, KS, O, Wp));
  const run = () => {
    for (let i = 0; i < runs; i++) {
      e.f32_conv2d_direct_filter_grad_pad(x + i * per * H * H * 4, per, 1, H, H, pad, pad, KS, KS, Wp, O, O,
        dy + i * per * OC * O * O * 4, OC, parts + i * OC * KS * KS * 4, scratch);
    }
  };
  run();
  let h = 0;
  for (const b of new Uint32Array(k.memory.buffer, parts, runs * OC * KS * KS)) h = (Math.imul(h, 31) + b) >>> 0;
  return { run, bits: h.toString(16), t: [] };
}

const sides = { new: await setup(New) };
if (oldDir) sides.old = await setup(await import(`${oldDir}/dist/index.js`));
for (let r = 0; r < 60; r++) {
  for (const s of Object.values(sides)) {
    const t0 = performance.now();
    s.run();
    s.t.push(performance.now() - t0);
  }
}
for (const [name, s] of Object.entries(sides)) {
  const ms = median(s.t);
  console.log(`${isa} ${name}: ${(ms * 1000).toFixed(0)} us (${((2 * N * O * O * OC * KS * KS) / ms / 1e6).toFixed(1)} GFLOP/s), bits ${s.bits}`);
}
