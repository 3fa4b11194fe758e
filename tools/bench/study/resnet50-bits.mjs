// ResNet-50's batch-1 logits at 1, 2, 3 and 4 threads on both builds (eval, fused path): the same bits
// whatever the thread count, and (with a second checkout's root as argv[2]) the same bits as that build.
// nice -n 19 node --experimental-wasm-relaxed-simd tools/bench/study/resnet50-bits.mjs simd128|relaxed [/path/to/other]
const isa = process.argv[2] ?? 'relaxed';
const roots = [new URL('../../../', import.meta.url).pathname, ...(process.argv[3] ? [process.argv[3]] : [])];
const out = {};
for (const root of roots) {
  const nn = await import(`${root}/packages/nn/dist/index.js`);
  const { resnet } = await import(`${root}/packages/models/dist/index.js`);
  const K = await import(`${root}/packages/kernels/dist/index.js`);
  {
    await nn.ready({ isa });
    if (nn.kernels().isa !== isa) throw new Error(`asked for ${isa}, got ${nn.kernels().isa}`);
    nn.manualSeed(0);
    const model = resnet(50).eval();
    const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();
    for (const t of [1, 2, 3, 4]) {
      nn.setNumThreads(t);
      await K.threadsStarted(nn.kernels());
      const logits = nn.noGrad(() => nn.tidy(() => Array.from(model.forward(input).data)));
      const key = `${isa} ${t}t`;
      const first = out[`${isa} 1t`] ?? logits;
      out[key] ??= logits;
      const same = logits.every((v, i) => Object.is(v, first[i])) && logits.every((v, i) => Object.is(v, out[key][i]));
      console.log(`${root === roots[0] ? 'this' : 'other'} ${key}: ${same ? 'same bits' : 'DIFFERENT'} (logit 0 ${logits[0]})`);
    }
    K.closeThreads(nn.kernels());
  }
}
