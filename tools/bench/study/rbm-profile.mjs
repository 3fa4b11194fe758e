// Times the phases of one CD-1 step of the bench's 784-500 RBM at batch 64, each repeated, on one kernel build.
// usage: node --experimental-wasm-relaxed-simd rbm-profile.mjs [relaxed|simd128] [threads]  (after pnpm build; the flag for relaxed on Node 20)
import * as nn from '../../../packages/nn/dist/index.js';
import * as K from '../../../packages/kernels/dist/index.js';
const isa = process.argv[2] ?? 'relaxed', threads = Number(process.argv[3] ?? 1);
const k = await K.loadKernels({ isa });
K.setThreads(k, threads);
await K.threadsStarted(k);
nn.useKernels(k);
const V = 784, H = 500, B = 64, N = 8000;
const g = new nn.Generator(0);
const data = nn.bernoulli(nn.full([N, V], 0.13), { generator: g }).keep();
const batches = Array.from({ length: N / B }, (_, i) => nn.narrow(data, 0, i * B, B).keep());
const rbm = new nn.RBM(V, H, { generator: g });
const opt = new nn.SGD(rbm.parameters(), { lr: 0.05, momentum: 0.5 });
const reps = 200;
const time = (name, fn) => {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) nn.tidy(fn);
  console.log(name.padEnd(34), ((performance.now() - t0) / reps).toFixed(3), 'ms');
};
const v0 = batches[0];
const ph = nn.tidy(() => rbm.sampleHidden(v0, { generator: g })), hs = ph.sample.keep(), hp = ph.prob.keep();
const vs = nn.tidy(() => rbm.sampleVisible(hs, { generator: g }).sample.keep());
const wT = nn.Tensor.empty([K.packedBFloats(k, V, H)]).keep();
for (const persistent of [false, true]) {
  const t0 = performance.now();
  for (let e = 0; e < 2; e++) for (const v of batches) { opt.zeroGrad(); nn.tidy(() => rbm.contrastiveDivergence(v, { persistent, reconstructionError: false, generator: g })); opt.step(); }
  console.log((persistent ? 'PCD' : 'CD-1') + ' step (whole)'.padEnd(30), ((performance.now() - t0) / (2 * batches.length)).toFixed(3), 'ms');
}
time('packB W^T', () => K.packB(k, true, V, H, rbm.weight.ptr, V, wT.ptr));
time('hidden input (bias copy + gemm)', () => { const out = nn.Tensor.empty([B, H]); K.copyStrided(k, out.ptr, [H, 1], rbm.hiddenBias.ptr, [0, 1], [B, H]); K.gemmPackedB(k, false, B, 1, v0.ptr, V, { ptr: wT.ptr, K: V, N: H }, 1, out.ptr, H); });
time('bernoulliSigmoid [64,500]', () => nn.bernoulliSigmoid(hp, { generator: g }));
time('sigmoid [64,500]', () => nn.sigmoid(hp));
time('visibleInput (matmul + add)', () => rbm.visibleInput(hs));
time('matmul h W', () => nn.matmul(hs, rbm.weight));
time('bernoulliSigmoid [64,784]', () => nn.bernoulliSigmoid(vs, { generator: g }));
const gW = nn.zeros([H, V]).keep();
time('outer gemm (hk^T vk into grad)', () => K.gemm(k, true, false, H, V, B, 1 / 64, hp.ptr, H, vs.ptr, V, 1, gW.ptr, V));
time('cdBiasGrad [784]', () => K.cdBiasGrad(k, gW.ptr, vs.ptr, B, 1 / 64, v0.ptr, B, 1 / 64, V, true));
time('opt.zeroGrad + step', () => { opt.zeroGrad(); rbm.contrastiveDivergence(v0, { reconstructionError: false, generator: g }); });
time('CD step without opt', () => rbm.contrastiveDivergence(v0, { reconstructionError: false, generator: g }));
time('opt.step', () => opt.step());
K.closeThreads(k);
