// The LSTM(64, 128) forward loop over time (batch 32 x 50 steps) two ways, alternating blocks of
// calls in one process: the input projection as one GEMM of the whole sequence, then
// lstmSequenceForward (W_hh^T packed), against lstmSequenceForwardX (the projection inside the loop,
// [W_ih^T; W_hh^T] packed); each with its packing. ms of single calls, 10th percentile / median.
//   node tools/bench/study/lstm-forward-ab.mjs [simd128|relaxed] [threads] [blocks] [calls]
import * as K from '@deepwasm/kernels';
import { sineInput } from './kernels-setup.mjs';

const [isa = 'simd128', threadsArg = '2', blocksArg = '10', callsArg = '10'] = process.argv.slice(2);
const k = await K.loadKernels({ isa });
K.setThreads(k, Number(threadsArg));
await K.threadsStarted(k);
const T = 50, B = 32, I = 64, H = 128, G = 4 * H;
const x = sineInput(k, T * B * I), wih = sineInput(k, G * I), whh = sineInput(k, G * H), bias = sineInput(k, G);
const gates = k.arena.alloc(T * B * G * 4);
const hs = sineInput(k, (T + 1) * B * H), cs = sineInput(k, (T + 1) * B * H);
const packed = k.arena.alloc(K.packedBFloats(k, I + H, G) * 4);
const d = { T, B, H };
const variants = {
  'projection GEMM + loop': () => {
    K.gemm(k, false, true, T * B, G, I, 1, x, I, wih, I, 0, gates, G);
    const w = K.packB(k, true, H, G, whh, H, packed);
    K.lstmSequenceForward(k, d, gates, hs, cs, w, 0, false, bias);
  },
  'projection in the loop': () => {
    const w = K.packLstmWeights(k, I, H, wih, whh, packed);
    K.lstmSequenceForwardX(k, d, I, x, gates, hs, cs, w, 0, false, bias);
  },
};
const t = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
for (let blk = 0; blk < Number(blocksArg); blk++) {
  const names = Object.keys(variants);
  for (const v of blk % 2 ? names.reverse() : names) {
    variants[v]();
    for (let i = 0; i < Number(callsArg); i++) {
      const t0 = performance.now();
      variants[v]();
      t[v].push(performance.now() - t0);
    }
  }
}
const q = (a, p) => [...a].sort((u, w) => u - w)[Math.floor(p * (a.length - 1))];
console.log(`${isa}, ${threadsArg} thread(s): ms p10 / median of single calls`);
for (const [v, a] of Object.entries(t)) console.log(`${v.padEnd(24)} ${q(a, 0.1).toFixed(2)} / ${q(a, 0.5).toFixed(2)}`);
K.closeThreads(k);
