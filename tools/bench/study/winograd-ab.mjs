// A/B of the batch-1 stride-1 3x3 layers of ResNet-50 (BN + ReLU epilogue): F(2x2, 3x3) with packed
// filters then the epilogue pass, against F(4x4, 3x3) with the epilogue in its output transform,
// alternating rounds in one process. node --experimental-wasm-relaxed-simd study/winograd-ab.mjs relaxed 2 [cold]
// cold: 48 MB of other reads before every call (the filters come from memory, as in the whole forward).
import * as K from '@deepwasm/kernels';
import { median as med, sineInput, studyKernels, timeIt } from './kernels-setup.mjs';
import { conv2dForwardWinogradPacked, winogradPackFilters, winogradPackedFloats } from '../../../packages/kernels/dist/ops/winograd.js';
import { winograd4x4Inference, winograd4x4PackFilters, winograd4x4PackedFloats } from '../../../packages/kernels/dist/ops/winograd-4x4.js';

const { k } = await studyKernels();
const evict = new Float64Array(6 << 20);
let sink = 0;
/** Median ms of fn over 9 calls, each after 48 MB of other reads. */
const coldIt = (fn) => {
  const t = [];
  for (let i = 0; i < 9; i++) {
    for (let j = 0; j < evict.length; j += 8) sink += evict[j];
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return med(t);
};
const time = process.argv[4] === 'cold' ? coldIt : timeIt;
const put = (n) => sineInput(k, n);
for (const [C, H] of [[64, 56], [128, 28], [256, 14], [512, 7]]) {
  const g = { N: 1, C, H, W: H, OC: C, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };
  const x = put(C * H * H), w = put(C * C * 9), st = put(2 * C), y = k.arena.alloc(C * H * H * 4);
  const e = { scale: st, shift: st + C * 4, residual: 0, relu: true };
  const p2 = k.arena.alloc(winogradPackedFloats(k, C, C) * 4), p4 = k.arena.alloc(winograd4x4PackedFloats(k, C, C) * 4);
  winogradPackFilters(k, C, C, w, p2);
  winograd4x4PackFilters(k, C, C, w, p4);
  const a = [], b = [];
  for (let r = 0; r < 5; r++) {
    a.push(time(() => { conv2dForwardWinogradPacked(k, g, x, p2, y, H, H); K.channelAffine(k, y, y, 1, C, H * H, e); }));
    b.push(time(() => winograd4x4Inference(k, g, x, p4, e, y, H, H)));
  }
  const ratios = a.map((v, i) => v / b[i]);
  console.log(`${C}x${H}x${H}: F(2x2)+pass ${med(a).toFixed(2)} ms, F(4x4) fused ${med(b).toFixed(2)} ms, ${med(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
}
if (sink === 0) console.log('');
K.closeThreads(k);
