// Where a square GEMM's time goes on 2 threads, against 1 thread, in sustained loops of one process
// (rounds alternate, the order flipping each round, as bench scaling does): gemm() on 1 and 2 threads;
// beside it on 2 threads, the shared-A path of before issue 12's lazy packing (op(A) packed first: on
// the calling thread for an A of 2^16 floats or fewer, else in a packing job of its own; then the
// column panels of f32_gemm_4x8_packed_a), its packing alone and its products alone on an A packed
// beforehand, and an empty job of 2 tasks (the dispatch and the barrier).
// node --experimental-wasm-relaxed-simd tools/bench/study/gemm-phases.mjs [relaxed|simd128] [M] [rounds] [roundMs]
import * as K from '@deepwasm/kernels';
import { gemmStudy } from './gemm-study-setup.mjs';

const [isa = 'relaxed', size = '256', roundsArg = '5', roundMsArg = '150'] = process.argv.slice(2);
const M = Number(size);
const rounds = Number(roundsArg);
const roundMs = Number(roundMsArg);
const { k, whole, before, packA, compute } = await gemmStudy(isa, M);
const empty = [{ fn: 'gemm_workspace_bytes', args: [] }, { fn: 'gemm_workspace_bytes', args: [] }];
const dispatch = () => K.runTasks(k, empty);

/** ms per call of fn in a loop of about ms (at least 3 calls) after one warm-up call. */
function loop(fn, ms = roundMs) {
  fn();
  let n = 0;
  const t0 = performance.now();
  while (n < 3 || performance.now() - t0 < ms) { fn(); n++; }
  return (performance.now() - t0) / n;
}
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
const rows = { one: [], two: [], before: [], ratio: [], ratioBefore: [], newOverBefore: [], packA: [], compute: [], empty: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? ['one', 'two', 'before'] : ['before', 'two', 'one'];
  for (const what of order) {
    K.setThreads(k, what === 'one' ? 1 : 2);
    rows[what].push(loop(what === 'before' ? before : whole));
  }
  rows.ratio.push(rows.one.at(-1) / rows.two.at(-1));
  rows.ratioBefore.push(rows.one.at(-1) / rows.before.at(-1));
  rows.newOverBefore.push(rows.before.at(-1) / rows.two.at(-1));
  rows.packA.push(loop(packA, roundMs / 3));
  rows.compute.push(loop(compute, roundMs / 2));
  rows.empty.push(loop(dispatch, roundMs / 4));
}
const us = (x) => `${(med(x) * 1000).toFixed(1)} us (${(Math.min(...x) * 1000).toFixed(1)}-${(Math.max(...x) * 1000).toFixed(1)})`;
const gf = (x) => ((2 * M * M * M) / med(x) / 1e6).toFixed(1);
const ratio = (x) => `${med(x).toFixed(2)}x (${Math.min(...x).toFixed(2)}-${Math.max(...x).toFixed(2)})`;
console.log(`${isa} GEMM ${M}^3, ${rounds} rounds of ${roundMs} ms:`);
console.log(`  1 thread ${us(rows.one)}, ${gf(rows.one)} GFLOP/s; 2 threads ${us(rows.two)}, ${gf(rows.two)} GFLOP/s: ${ratio(rows.ratio)}`);
console.log(`  the shared-A path of before on 2 threads ${us(rows.before)}: ${ratio(rows.ratioBefore)}; gemm() ${ratio(rows.newOverBefore)} as fast`);
console.log(`  its packing of op(A) ${us(rows.packA)}; its products on a packed A ${us(rows.compute)}; an empty 2-task job ${us(rows.empty)}`);
K.closeThreads(k);
