// Column panels of a GEMM whose calls (one per thread) share one packed op(A) and pack it between
// them as they go, inside the job that computes the products: no serial packing on the calling
// thread, no packing job and no barrier before the products. The calls claim their columns in chunks
// by compare-exchange, so the threads finish together without a task per panel.
import { GEMM_KC, GEMM_MC, GEMM_NC, MR, NR, microTile4x8 } from './f32-gemm-4x8';
import { packA, packB } from './pack';

/**
 * C = alpha * op(A) * op(B) + beta * C over column panels, op(A) read from `packedA` (row panels
 * of 4 over the whole K, as f32_pack_a_rows lays them out). op(A) is packed in units of `unitRows`
 * rows (4, 8, 16, 32, 64 or 128: a divisor of GEMM_MC), each by the first call to claim it by
 * compare-exchange on its i32 flag in `flags`. `gen` (1 to 2^30 - 1) numbers the GEMM, so nobody
 * clears the flags between GEMMs: for GEMM g a flag below 2g - 1 (a value an earlier GEMM left) is
 * free, 2g - 1 is being packed, 2g is packed. Before its first product on a GEMM_MC block of rows, a
 * call claims and packs the block's free units, then waits for the ones other calls are packing.
 *
 * With `claims` 0 the call computes all N columns. Otherwise the columns are cut into `slots` regions
 * of whole 8-column slivers, region r's i64 claim word at claims + 64 r: gen << 32 | the columns of
 * the region taken so far (none while the high word is another GEMM's). The call in slot s takes chunks of region s, then of the others in
 * turn, until every region is taken: a chunk is a quarter of what is left of its region, within
 * [minCols, maxCols] and a multiple of 8, so a region's last chunks are small and the threads finish
 * within one small chunk of each other, whoever was held up. The call in slot s also visits the
 * blocks of rows from block s * blocks / slots on and claims units from its own offset, so the threads
 * pack side by side. The C tiles, their sums and the packed values are those of f32_gemm_4x8: the
 * same bits at any split and in any order.
 */
export function f32_gemm_4x8_shared_a(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize, packedA: usize, flags: usize, unitRows: i32, slot: i32, slots: i32,
  claims: usize, minCols: i32, maxCols: i32, gen: i32,
): void {
  if (claims == 0) {
    columns(transA, transB, M, K, alpha, a, lda, b, ldb, beta, c, ldc, work, packedA, flags, unitRows, slot, slots, gen, 0, N);
    return;
  }
  const tag = <i64>gen << 32;
  const slivers = (N + NR - 1) / NR;
  for (let step = 0; step < slots; step++) {
    const r = (slot + step) % slots;
    const start = <i32>((<i64>r * slivers) / slots) * NR;
    const size = min(N, <i32>((<i64>(r + 1) * slivers) / slots) * NR) - start;
    const word = claims + (<usize>r << 6);
    for (;;) {
      const w = atomic.load<i64>(word);
      const taken = (w & 0xffffffff00000000) == tag ? <i32>w : 0;
      const left = size - taken;
      if (left <= 0) break;
      const cols = min(left, max(minCols, min(maxCols, (((left + 3) >> 2) + NR - 1) & ~(NR - 1))));
      if (atomic.cmpxchg<i64>(word, w, tag | <i64>(taken + cols)) != w) continue;
      columns(transA, transB, M, K, alpha, a, lda, b, ldb, beta, c, ldc, work, packedA, flags, unitRows, slot, slots, gen, start + taken, cols);
    }
  }
}

/** Columns [j0, j0 + n) of C (j0 a multiple of 8), op(A) packed on the way as the call needs it. */
function columns(
  transA: i32, transB: i32, M: i32, K: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize, packedA: usize, flags: usize, unitRows: i32, slot: i32, slots: i32,
  gen: i32, j0: i32, n: i32,
): void {
  const packedB = work + <usize>(GEMM_MC * GEMM_KC) * 4;
  const tile = packedB + <usize>(GEMM_KC * GEMM_NC) * 4;
  const blocks = (M + GEMM_MC - 1) / GEMM_MC;
  const first = <i32>((<i64>slot * blocks) / slots);
  const bp = b + (transB != 0 ? <usize>j0 * <usize>ldb : <usize>j0) * 4;
  const cp0 = c + <usize>j0 * 4;
  for (let jc = 0; jc < n; jc += GEMM_NC) {
    const nc = min(GEMM_NC, n - jc);
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = min(GEMM_KC, K - pc);
      const blockBeta: f32 = pc == 0 ? beta : 1;
      packB(transB != 0, bp, <usize>ldb, pc, kc, jc, nc, packedB);
      for (let step = 0; step < blocks; step++) {
        const ic = ((first + step) % blocks) * GEMM_MC;
        const mc = min(GEMM_MC, M - ic);
        // Every block is packed once this call has been through its first K block.
        if (jc == 0 && pc == 0) readyRows(transA, a, lda, M, K, packedA, flags, unitRows, ic, mc, slot, slots, gen);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = packedB + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = packedA + (<usize>(ic + ir) * <usize>K + <usize>pc * MR) * 4;
            const cp = cp0 + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
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
  ic: i32, mc: i32, slot: i32, slots: i32, gen: i32,
): void {
  const claimed = 2 * gen - 1;
  const packed = 2 * gen;
  const u0 = ic / unitRows;
  const units = (mc + unitRows - 1) / unitRows;
  const offset = <i32>((<i64>slot * units) / slots);
  for (let s = 0; s < units; s++) {
    const u = u0 + (offset + s) % units;
    const flag = flags + (<usize>u << 2);
    const was = atomic.load<i32>(flag);
    if (was >= claimed || atomic.cmpxchg<i32>(flag, was, claimed) != was) continue;
    packUnit(transA, a, lda, M, K, packedA, unitRows, u);
    atomic.store<i32>(flag, packed);
  }
  for (let u = u0; u < u0 + units; u++) {
    const flag = flags + (<usize>u << 2);
    let spins = (min(unitRows, M - u * unitRows) * K) >> 4;
    while (atomic.load<i32>(flag) != packed && spins > 0) spins--;
    if (spins == 0 && atomic.load<i32>(flag) != packed) packUnit(transA, a, lda, M, K, packedA, unitRows, u);
  }
}
