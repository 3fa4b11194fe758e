// A/B of ResNet-50's stride-2 3x3 layers and the 7x7 stem at batch 1 (BN + ReLU epilogue): the
// pixels-major tile with its weight panels packed once, then the epilogue pass, against im2col +
// the channel-affine GEMM (epilogue in its store), alternating rounds in one process.
// node --experimental-wasm-relaxed-simd tools/bench/study/stride2-ab.mjs relaxed 2
import * as K from '@deepwasm/kernels';
import { median as med, sineInput, studyKernels, timeIt } from './kernels-setup.mjs';
import { conv2dForwardPixelsMajor, imagesToColumns, packPixelsMajorWeights, pixelsMajorWeightsFloats } from '../../../packages/kernels/dist/ops/conv.js';

const { k } = await studyKernels();
const put = (n) => sineInput(k, n);
for (const [C, H, OC, KS] of [[3, 224, 64, 7], [128, 56, 128, 3], [256, 28, 256, 3], [512, 14, 512, 3]]) {
  const pad = KS >> 1;
  const g = { N: 1, C, H, W: H, OC, KH: KS, KW: KS, strideH: 2, strideW: 2, padH: pad, padW: pad, dilationH: 1, dilationW: 1, groups: 1 };
  const OH = Math.floor((H + 2 * pad - KS) / 2) + 1;
  const P = OH * OH;
  const kk = C * KS * KS;
  const x = put(C * H * H), w = put(OC * kk), st = put(2 * OC), y = k.arena.alloc(OC * P * 4);
  const e = { scale: st, shift: st + OC * 4, residual: 0, relu: true };
  const pp = k.arena.alloc(pixelsMajorWeightsFloats(k, g) * 4);
  packPixelsMajorWeights(k, g, w, pp);
  const pa = k.arena.alloc(K.packedAFloats(k, OC, kk) * 4);
  K.packA(k, OC, kk, w, kk, pa);
  const cols = k.arena.alloc(kk * P * 4);
  const a = [], b = [];
  for (let r = 0; r < 5; r++) {
    a.push(timeIt(() => { conv2dForwardPixelsMajor(k, g, x, 0, 0, y, OH, OH, pp); K.channelAffine(k, y, y, 1, OC, P, e); }));
    b.push(timeIt(() => { imagesToColumns(k, 'f32_im2col', g, OH, OH, x, 0, 0, 1, cols, P); K.gemmChannelAffine(k, OC, P, kk, pa, cols, P, y, P, e); }));
  }
  const ratios = a.map((v, i) => v / b[i]);
  console.log(`${C}x${H}x${H} ${KS}x${KS} s2 -> ${OC}: pixels+pass ${med(a).toFixed(2)} ms, im2col+GEMM ${med(b).toFixed(2)} ms, ${med(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}) [${K.convInferenceForm(g)}]`);
}
K.closeThreads(k);
