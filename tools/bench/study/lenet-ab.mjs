// The LeNet-5 training step (batch 64, Adam; relaxed SIMD unless --isa) of this checkout against
// another one's build, process by process in alternating rounds (40 warm-up steps a process; see
// step-ab-setup.mjs): above 1, this checkout is faster. Both checkouts must be built.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lenet-ab.mjs --base /work/main [--rounds 10] [--ms 1500] [--threads 2] [--isa relaxed]
import { stepAB } from './step-ab-setup.mjs';
import { lenetStep } from './lenet-step-setup.mjs';

await stepAB({
  script: import.meta.url,
  warmup: 40,
  defaults: { rounds: '10', isa: 'relaxed' },
  makeStep: async ({ nn, root }) => {
    const { lenet5 } = await import(`${root}/packages/models/dist/index.js`);
    return lenetStep(nn, lenet5).step;
  },
});
