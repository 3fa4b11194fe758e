// LeNet C3's backward pass (64 x 6 x 14 x 14 -> 16 @ 5x5) on one thread, kernel by kernel: the im2col
// chunk kernel (f32_conv2d_backward_chunk) and the direct one (f32_conv2d_backward_direct), each for
// the filter gradient alone, the input gradient alone and both, over the batch's 16 chunks of 4 images;
// and the largest difference between their results (relative to the largest magnitude).
//   node --experimental-wasm-relaxed-simd tools/bench/study/c3-backward-kernels.mjs [relaxed|simd128]
import { median, studyKernels, sineInput } from './kernels-setup.mjs';

const { k, isa } = await studyKernels([, , process.argv[2] ?? 'relaxed', '1']);
const e = k.exports;
const [N, C, H, OC, KS, nb] = [64, 6, 14, 16, 5, 4];
const O = H - KS + 1;
const P = O * O;
const kk = C * KS * KS;
const x = sineInput(k, N * C * H * H);
const w = sineInput(k, OC * kk);
const dy = sineInput(k, N * OC * P);
const dx = [k.arena.alloc(N * C * H * H * 4), k.arena.alloc(N * C * H * H * 4)];
const dw = [k.arena.alloc((N / nb) * OC * kk * 4), k.arena.alloc((N / nb) * OC * kk * 4)];
const work = k.arena.alloc(4 << 20);
const image = C * H * H * 4;
const old = (withDx, withDw) => {
  for (let i = 0; i < N / nb; i++) {
    e.f32_conv2d_backward_chunk(x + i * nb * image, dy + i * nb * OC * P * 4, w, nb, C, H, H, OC, KS, KS, 1, 1, 0, 0, 1, 1, O, O, 0,
      withDx ? dx[0] + i * nb * image : 0, withDw ? dw[0] + i * OC * kk * 4 : 0, work);
  }
};
const direct = (withDx, withDw) => {
  for (let i = 0; i < N / nb; i++) {
    e.f32_conv2d_backward_direct(x + i * nb * image, dy + i * nb * OC * P * 4, w, nb, C, H, H, OC, KS, KS,
      withDx ? dx[1] + i * nb * image : 0, withDw ? dw[1] + i * OC * kk * 4 : 0, work);
  }
};
const diff = (a, b, n) => {
  const A = new Float32Array(k.memory.buffer, a, n);
  const B = new Float32Array(k.memory.buffer, b, n);
  let d = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    d = Math.max(d, Math.abs(A[i] - B[i]));
    m = Math.max(m, Math.abs(A[i]));
  }
  return d / m;
};
old(true, true);
direct(true, true);
console.log(`${isa}: max |difference| / max |value|: dx ${diff(dx[0], dx[1], N * C * H * H).toExponential(2)}, dw ${diff(dw[0], dw[1], (N / nb) * OC * kk).toExponential(2)}`);
// Every variant once per round, alternating, so that the host's changes of speed hit them alike.
const mflop = (2 * N * P * OC * kk) / 1e6;
const variants = {
  'dw  im2col': [() => old(false, true), 1], 'dw  direct': [() => direct(false, true), 1],
  'dx  im2col': [() => old(true, false), 1], 'dx  direct': [() => direct(true, false), 1],
  'all im2col': [() => old(true, true), 2], 'all direct': [() => direct(true, true), 2],
};
const t = Object.fromEntries(Object.keys(variants).map((n) => [n, []]));
for (let r = 0; r < 60; r++) {
  for (const [n, [f]] of Object.entries(variants)) {
    const s = performance.now();
    f();
    t[n].push(performance.now() - s);
  }
}
for (const [n, [, m]] of Object.entries(variants)) {
  const ms = median(t[n]);
  console.log(`${n.padEnd(12)} ${(ms * 1000).toFixed(0).padStart(5)} us  ${((mflop * m) / ms).toFixed(1)} GFLOP/s`);
}
