// One column panel of a GEMM whose calls (one per panel, on every thread) share one packed op(A) and
// pack it between them as they go, inside the job that computes the products: no serial packing on
// the calling thread, no packing job and no barrier before the products.
import { GEMM_KC, GEMM_MC, GEMM_NC, MR, NR, microTile4x8 } from './f32-gemm-4x8';
import { packA, packB } from './pack';

/**
 * C = alpha * op(A) * op(B) + beta * C for one column panel, op(A) read from `packedA` (row panels
 * of 4 over the whole K, as f32_pack_a_rows lays them out). op(A) is packed in units of `unitRows`
 * rows (4, 8, 16, 32, 64 or 128: a divisor of GEMM_MC), each by the first call to claim it by
 * compare-exchange on its i32 flag in `flags` (0 free, 1 being packed, 2 packed; the caller zeroes
 * them before the job). Before its first product on a GEMM_MC block of rows, a call claims and packs
 * the block's free units, then waits for the ones other calls are packing. The call in slot s of
 * `slots` (the threads' shares of the job) visits the blocks from block s * blocks / slots on and
 * claims units from its own offset, so the threads pack side by side. The C tiles, their sums and
 * the packed values are those of f32_gemm_4x8: the same bits at any split and in any order.
 */
export function f32_gemm_4x8_shared_a(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize, packedA: usize, flags: usize, unitRows: i32, slot: i32, slots: i32,
): void {
  const packedB = work + <usize>(GEMM_MC * GEMM_KC) * 4;
  const tile = packedB + <usize>(GEMM_KC * GEMM_NC) * 4;
  const blocks = (M + GEMM_MC - 1) / GEMM_MC;
  const first = <i32>((<i64>slot * blocks) / slots);
  for (let jc = 0; jc < N; jc += GEMM_NC) {
    const nc = min(GEMM_NC, N - jc);
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = min(GEMM_KC, K - pc);
      const blockBeta: f32 = pc == 0 ? beta : 1;
      packB(transB != 0, b, <usize>ldb, pc, kc, jc, nc, packedB);
      for (let step = 0; step < blocks; step++) {
        const ic = ((first + step) % blocks) * GEMM_MC;
        const mc = min(GEMM_MC, M - ic);
        // Every block is packed once this call has been through its first K block.
        if (jc == 0 && pc == 0) readyRows(transA, a, lda, M, K, packedA, flags, unitRows, ic, mc, slot, slots);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = packedB + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = packedA + (<usize>(ic + ir) * <usize>K + <usize>pc * MR) * 4;
            const cp = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
            microTile4x8(kc, pa, pb, cp, <usize>ldc, min(MR, mc - ir), nr, alpha, blockBeta, tile);
          }
        }
      }
    }
  }
}

/** Packs unit u of op(A) (unitRows rows over the whole K) into its place in packedA. */
// @ts-ignore: decorator
@inline
function packUnit(transA: i32, a: usize, lda: i32, M: i32, K: i32, packedA: usize, unitRows: i32, u: i32): void {
  const r = u * unitRows;
  packA(transA != 0, a, <usize>lda, r, min(unitRows, M - r), 0, K, packedA + <usize>r * <usize>K * 4);
}

/**
 * Returns once rows [ic, ic + mc) of op(A) are packed: claims and packs the free units of the rows
 * (from this slot's offset on), then waits for each unit another call claimed, about as long as
 * packing it takes, and packs it itself if it is still not done: the same values into the same
 * place (a copy), so a thread the OS has descheduled in the middle of a unit holds nobody up.
 */
function readyRows(
  transA: i32, a: usize, lda: i32, M: i32, K: i32, packedA: usize, flags: usize, unitRows: i32,
  ic: i32, mc: i32, slot: i32, slots: i32,
): void {
  const u0 = ic / unitRows;
  const units = (mc + unitRows - 1) / unitRows;
  const offset = <i32>((<i64>slot * units) / slots);
  for (let s = 0; s < units; s++) {
    const u = u0 + (offset + s) % units;
    const flag = flags + (<usize>u << 2);
    if (atomic.load<i32>(flag) != 0 || atomic.cmpxchg<i32>(flag, 0, 1) != 0) continue;
    packUnit(transA, a, lda, M, K, packedA, unitRows, u);
    atomic.store<i32>(flag, 2);
  }
  for (let u = u0; u < u0 + units; u++) {
    const flag = flags + (<usize>u << 2);
    let spins = (min(unitRows, M - u * unitRows) * K) >> 4;
    while (atomic.load<i32>(flag) != 2 && spins > 0) spins--;
    if (spins == 0 && atomic.load<i32>(flag) != 2) packUnit(transA, a, lda, M, K, packedA, unitRows, u);
  }
}
