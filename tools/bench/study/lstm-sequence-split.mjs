// The LSTM(64, 128) step's loops over time (f32_lstm_sequence_forward / _backward, batch 32 x 50
// steps) on one thread (all 32 rows in one call) and on 2 threads cut into 2, 4 or 8 row ranges
// (one job each, the pool's claiming as for any job), alternating blocks of calls: median and 10th
// percentile ms of single calls. Fewer, taller ranges reuse each packed W_hh sliver over more row
// tiles; more ranges let a thread that runs ahead take a late one's rows.
//   node tools/bench/study/lstm-sequence-split.mjs [relaxed|simd128] [blocks] [calls per block]
import * as K from '@deepwasm/kernels';
import { sineInput } from './kernels-setup.mjs';

const [isa = 'simd128', blocksArg = '8', callsArg = '10'] = process.argv.slice(2);
const k = await K.loadKernels({ isa });
K.setThreads(k, 2);
await K.threadsStarted(k);
const T = 50, B = 32, H = 128, G = 4 * H;
const whh = sineInput(k, G * H);
const whhT = K.packB(k, true, H, G, whh, H, k.arena.alloc(K.packedBFloats(k, H, G) * 4));
const whhB = K.packB(k, false, G, H, whh, H, k.arena.alloc(K.packedBFloats(k, G, H) * 4));
const pre = sineInput(k, T * B * G);
const gates = k.arena.alloc(T * B * G * 4), dG = k.arena.alloc(T * B * G * 4);
const hs = sineInput(k, (T + 1) * B * H), cs = sineInput(k, (T + 1) * B * H);
const dy = sineInput(k, T * B * H), dh = sineInput(k, B * H), dc = sineInput(k, B * H);
const scratch = Number(k.exports.gemm_workspace_bytes());
const one = k.arena.alloc(scratch);
const reset = () => new Float32Array(k.memory.buffer, gates, T * B * G).set(new Float32Array(k.memory.buffer, pre, T * B * G));
const fwdArgs = (b0, b1, w) => [gates, hs, cs, whhT.ptr, 0, 0, T, B, H, b0, b1, 0, w];
const bwdArgs = (b0, b1, w) => [gates, cs, dy, dh, dc, dG, whhB.ptr, 0, 0, T, B, H, b0, b1, 0, w];
const variants = {
  '1 thread': (fn, args) => k.exports[fn](...args(0, B, one)),
};
for (const parts of [2, 4, 8]) {
  variants[`2 threads, ${parts} ranges`] = (fn, args) =>
    K.runTasks(k, K.splitRange(B, parts, 4).map(([b0, b1]) => ({ fn, args: args(b0, b1, 0), scratch: args(0, 0, 0).length - 1 })), scratch);
}
const t = {};
for (let blk = 0; blk < Number(blocksArg); blk++) {
  const names = Object.keys(variants);
  for (const v of blk % 2 ? names.reverse() : names) {
    for (const [dir, fn, args] of [['fwd', 'f32_lstm_sequence_forward', fwdArgs], ['bwd', 'f32_lstm_sequence_backward', bwdArgs]]) {
      const key = `${dir} ${v}`;
      t[key] ??= [];
      for (let i = 0; i <= Number(callsArg); i++) {
        reset();
        const t0 = performance.now();
        variants[v](fn, args);
        if (i > 0) t[key].push(performance.now() - t0);
      }
    }
  }
}
const q = (x, p) => [...x].sort((u, v) => u - v)[Math.floor(p * (x.length - 1))];
console.log(`${isa}: ms p10 / median of single calls`);
for (const [key, v] of Object.entries(t)) console.log(`${key.padEnd(28)} ${q(v, 0.1).toFixed(2)} / ${q(v, 0.5).toFixed(2)}`);
K.closeThreads(k);
