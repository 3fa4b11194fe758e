// What gemm-calls.mjs and gemm-phases.mjs share: the kernels on 2 threads, a square GEMM's inputs, gemm()
// itself, and the shared-A path of before issue 12's lazy packing (op(A) packed first: on the calling
// thread for an A of 2^16 floats or fewer, else in a packing job of its own; then the column panels of
// f32_gemm_4x8_packed_a), with its packing and its products callable alone.
import * as K from '@deepwasm/kernels';

/** Loads the kernels of `isa` on 2 threads and builds the M^3 GEMM's calls. */
export async function gemmStudy(isa, M) {
  const k = await K.loadKernels({ isa });
  K.setThreads(k, 2);
  await K.threadsStarted(k);
  const fill = (n) => { const p = k.arena.alloc(n * 4); const v = k.arena.f32(p, n); for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37); return p; };
  const [a, b, c] = [fill(M * M), fill(M * M), fill(M * M)];
  const packed = k.arena.alloc(((M + 3) & ~3) * M * 4);
  const ws = k.exports.gemm_workspace_bytes();
  const whole = () => K.gemm(k, false, false, M, M, M, 1, a, M, b, M, 0, c, M);
  const packTasks = K.splitRange(M, 4, 4).map(([s, e]) => ({ fn: 'f32_pack_a_rows', args: [0, a + s * M * 4, M, e - s, M, packed + s * M * 4] }));
  const packA = M * M <= 1 << 16 ? () => k.exports.f32_pack_a_rows(0, a, M, M, M, packed) : () => K.runTasks(k, packTasks);
  const computeTasks = K.splitRange(M, 8, 8).map(([s, e]) => ({ fn: 'f32_gemm_4x8_packed_a', args: [0, M, e - s, M, 1, packed, b + s * 4, M, 0, c + s * 4, M, 0], scratch: 11 }));
  const compute = () => K.runTasks(k, computeTasks, ws);
  const before = () => { packA(); compute(); };
  return { k, whole, before, packA, compute };
}
