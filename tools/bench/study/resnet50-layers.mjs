// Per-layer profile of ResNet-50 inference at batch 1: every convolution shape (with its batch norm,
// residual and ReLU as fusedConvBn runs it: prepared weights, conv2dInference) timed alone on the
// kernels, then the model's other modules (stem, pools, fc) and the whole forward.
// node tools/bench/study/resnet50-layers.mjs [relaxed|simd128] [threads]
import * as K from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { resnet } from '@deepwasm/models';
import { studyKernels, timeIt } from './kernels-setup.mjs';

const { k, isa, threads } = await studyKernels();

const time = (fn, minMs = 150) => timeIt(fn, minMs);

// [name, count, C, H, OC, kernel, stride, residual, relu]
const convs = [
  ['stem 7x7 s2 3->64 @224', 1, 3, 224, 64, 7, 2, false, true],
  ['l1 1x1 64->64 @56', 1, 64, 56, 64, 1, 1, false, true],
  ['l1 1x1 256->64 @56', 2, 256, 56, 64, 1, 1, false, true],
  ['l1 3x3 64 @56', 3, 64, 56, 64, 3, 1, false, true],
  ['l1 1x1 64->256 @56 +res', 3, 64, 56, 256, 1, 1, true, true],
  ['l1 ds 1x1 64->256 @56', 1, 64, 56, 256, 1, 1, false, false],
  ['l2 1x1 256->128 @56', 1, 256, 56, 128, 1, 1, false, true],
  ['l2 3x3 s2 128 @56->28', 1, 128, 56, 128, 3, 2, false, true],
  ['l2 ds 1x1 s2 256->512 @56->28', 1, 256, 56, 512, 1, 2, false, false],
  ['l2 1x1 512->128 @28', 3, 512, 28, 128, 1, 1, false, true],
  ['l2 3x3 128 @28', 3, 128, 28, 128, 3, 1, false, true],
  ['l2 1x1 128->512 @28 +res', 4, 128, 28, 512, 1, 1, true, true],
  ['l3 1x1 512->256 @28', 1, 512, 28, 256, 1, 1, false, true],
  ['l3 3x3 s2 256 @28->14', 1, 256, 28, 256, 3, 2, false, true],
  ['l3 ds 1x1 s2 512->1024 @28->14', 1, 512, 28, 1024, 1, 2, false, false],
  ['l3 1x1 1024->256 @14', 5, 1024, 14, 256, 1, 1, false, true],
  ['l3 3x3 256 @14', 5, 256, 14, 256, 3, 1, false, true],
  ['l3 1x1 256->1024 @14 +res', 6, 256, 14, 1024, 1, 1, true, true],
  ['l4 1x1 1024->512 @14', 1, 1024, 14, 512, 1, 1, false, true],
  ['l4 3x3 s2 512 @14->7', 1, 512, 14, 512, 3, 2, false, true],
  ['l4 ds 1x1 s2 1024->2048 @14->7', 1, 1024, 14, 2048, 1, 2, false, false],
  ['l4 1x1 2048->512 @7', 2, 2048, 7, 512, 1, 1, false, true],
  ['l4 3x3 512 @7', 2, 512, 7, 512, 3, 1, false, true],
  ['l4 1x1 512->2048 @7 +res', 3, 512, 7, 2048, 1, 1, true, true],
];

const f32 = () => new Float32Array(k.memory.buffer);
function randomBuffer(n) {
  const p = k.arena.alloc(n * 4);
  const a = f32();
  for (let i = 0; i < n; i++) a[(p >> 2) + i] = Math.sin(i * 0.37 + n) * 0.5;
  return p;
}

let total = 0;
let flops = 0;
const rows = [];
for (const [name, count, C, H, OC, KS, stride, res, relu] of convs) {
  const pad = KS >> 1;
  const g = { N: 1, C, H, W: H, OC, KH: KS, KW: KS, strideH: stride, strideW: stride, padH: pad, padW: pad, dilationH: 1, dilationW: 1, groups: 1 };
  const OH = Math.floor((H + 2 * pad - KS) / stride) + 1;
  const form = K.convInferenceForm(g);
  const x = randomBuffer(C * H * H);
  const w = randomBuffer(OC * C * KS * KS);
  const st = randomBuffer(2 * OC);
  const r = res ? randomBuffer(OC * OH * OH) : 0;
  const y = k.arena.alloc(OC * OH * OH * 4);
  const nf = K.convWeightsFloats(k, g, form);
  const prepared = form === 'plain' ? w : k.arena.alloc(Math.max(1, nf) * 4);
  if (form !== 'plain') K.prepareConvWeights(k, g, form, w, prepared);
  const ms = time(() => K.conv2dInference(k, g, x, prepared, { scale: st, shift: st + OC * 4, residual: r, relu }, y));
  const gf = (2 * OC * C * KS * KS * OH * OH) / 1e9;
  total += ms * count;
  flops += gf * count;
  rows.push([name, form, count, ms, ms * count, gf / (ms / 1000)]);
  for (const p of [x, w, st, r, y, prepared === w ? 0 : prepared]) if (p) k.arena.free(p);
}

nn.useKernels(k);
nn.manualSeed(0);
const model = resnet(50).eval();
const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();
const whole = time(() => nn.noGrad(() => nn.tidy(() => void model.forward(input))), 1000);
// The other modules, timed on their real inputs.
const others = {};
nn.noGrad(() => nn.tidy(() => {
  let h = input;
  for (const [key, m] of model.namedChildren ? model.namedChildren() : []) {
    const inp = h;
    h = m.forward(inp);
    if (!key.startsWith('layer')) others[key] = time(() => nn.tidy(() => void m.forward(inp)));
  }
}));
console.log(`ResNet-50 batch 1, ${isa} ${threads}t, load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
console.log('layer | form | count | ms each | ms total | GFLOP/s');
for (const [name, form, count, ms, tot, gfs] of rows) console.log(`${name} | ${form} | ${count} | ${ms.toFixed(2)} | ${tot.toFixed(2)} | ${gfs.toFixed(1)}`);
console.log(`convs (fused, kernel level): ${total.toFixed(1)} ms, ${flops.toFixed(2)} GFLOP, ${(flops / total * 1000).toFixed(1)} GFLOP/s`);
for (const [key, ms] of Object.entries(others)) console.log(`module ${key}: ${ms.toFixed(2)} ms`);
console.log(`whole forward: ${whole.toFixed(1)} ms`);
K.closeThreads(k);
