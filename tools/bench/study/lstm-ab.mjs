// The LSTM(64, 128) training step (batch 32 x 50 steps, MSE, Adam: bench rnn's; plain SIMD unless
// --isa) of this checkout against another one's build, process by process in alternating rounds (10
// warm-up steps a process; see step-ab-setup.mjs): above 1, this checkout is faster. Both checkouts must be built.
//   node --experimental-wasm-relaxed-simd tools/bench/study/lstm-ab.mjs --base /work/main [--rounds 8] [--ms 1500] [--threads 2] [--isa simd128]
import { stepAB } from './step-ab-setup.mjs';

await stepAB({
  script: import.meta.url,
  warmup: 10,
  defaults: { rounds: '8', isa: 'simd128' },
  makeStep: ({ nn }) => {
    const layer = new nn.LSTM(64, 128);
    const opt = new nn.Adam(layer.parameters(), { lr: 1e-3 });
    const x = nn.randn([50, 32, 64]).keep();
    const y = nn.randn([50, 32, 128]).keep();
    return () => nn.tidy(() => { opt.zeroGrad(); nn.mseLoss(layer.forward(x), y).backward(); opt.step(); });
  },
});
