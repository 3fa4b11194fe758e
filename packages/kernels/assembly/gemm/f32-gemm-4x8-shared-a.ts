// Column panels of a GEMM whose calls (one per thread) share one packed op(A) and pack it between
// them as they go, inside the job that computes the products: no serial packing on the calling
// thread, no packing job and no barrier before the products. The calls claim their columns in chunks
// by compare-exchange, so the threads finish together without a task per panel.
import { GEMM_KC, GEMM_MC, GEMM_NC, MR, NR, gemm_workspace_bytes, microTile4x8 } from './f32-gemm-4x8';
import { packA, packB } from './pack';

/** Phases of a call in `states` (the low word of its i64, the GEMM's number in the high word). */
const COMPUTING: i64 = 2;
const PACKING: i64 = 3;
const COMMITTING: i64 = 4;
const ABANDONED: i64 = 5;
const IDLE: i64 = 6;

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
 * the region taken so far (none while the high word is an older GEMM's; a newer GEMM's means this call
 * is late and leaves). The call in slot s takes chunks of region s, then of the others in
 * turn, until every region is taken: a chunk is a quarter of what is left of its region, within
 * [minCols, maxCols] and a multiple of 8, so a region's last chunks are small and the threads finish
 * within one small chunk of each other, whoever was held up. The call in slot s also visits the
 * blocks of rows from block s * blocks / slots on and claims units from its own offset, so the threads
 * pack side by side. The C tiles, their sums and the packed values are those of f32_gemm_4x8: the
 * same bits at any split and in any order.
 *
 * With `states` (not 0), slot 0 (the calling thread's) never waits for a thread the OS took off its
 * core: the other slots compute each chunk into their own buffer (after the workspace in `work`, M x
 * maxCols floats), publishing the chunk (states + 64 s + 8: j0 << 32 | columns) and their phase
 * (states + 64 s: gen << 32 | phase), and copy it into C only after a compare-exchange from COMPUTING
 * to COMMITTING; each region counts the columns written into C (claims + 64 r + 8, gen << 32 |
 * count). Slot 0, its chunks done, waits until every region is written; a chunk that stays
 * COMPUTING for longer than computing it takes (a descheduled thread) it marks ABANDONED by
 * compare-exchange and computes itself, into C: the other thread's commit then fails and it writes
 * nothing. A thread may be abandoned only while it computes into its own buffer, never while it packs
 * op(A) (PACKING) or copies into C (COMMITTING), so once slot 0 returns no other call writes anything
 * the caller can see: it returns 1 (the job is complete; the pool need not wait for the others' calls,
 * which leave on their own). Otherwise it returns 0.
 */
export function f32_gemm_4x8_shared_a(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize, packedA: usize, flags: usize, unitRows: i32, slot: i32, slots: i32,
  claims: usize, minCols: i32, maxCols: i32, gen: i32, states: usize,
): i32 {
  if (claims == 0) {
    columns(transA, transB, M, K, alpha, a, lda, b, ldb, beta, c, ldc, work, packedA, flags, unitRows, slot, slots, gen, 0, N, 0);
    return 0;
  }
  const tag = <i64>gen << 32;
  const own = states != 0 && slot != 0 ? states + (<usize>slot << 6) : 0;
  const buf = work + <usize>gemm_workspace_bytes();
  const slivers = (N + NR - 1) / NR;
  for (let step = 0; step < slots; step++) {
    const r = (slot + step) % slots;
    const start = <i32>((<i64>r * slivers) / slots) * NR;
    const size = min(N, <i32>((<i64>(r + 1) * slivers) / slots) * NR) - start;
    const word = claims + (<usize>r << 6);
    for (;;) {
      const w = atomic.load<i64>(word);
      // A newer GEMM's word: this call was abandoned (or never needed) and its GEMM is over.
      if ((w & 0xffffffff00000000) > tag) return 0;
      const taken = (w & 0xffffffff00000000) == tag ? <i32>w : 0;
      const left = size - taken;
      if (left <= 0) break;
      const cols = min(left, max(minCols, min(maxCols, (((left + 3) >> 2) + NR - 1) & ~(NR - 1))));
      if (atomic.cmpxchg<i64>(word, w, tag | <i64>(taken + cols)) != w) continue;
      const j0 = start + taken;
      if (own == 0) {
        columns(transA, transB, M, K, alpha, a, lda, b, ldb, beta, c + <usize>j0 * 4, ldc, work, packedA, flags, unitRows, slot, slots, gen, j0, cols, 0);
        if (states != 0) addWritten(word + 8, tag, cols);
        continue;
      }
      // Published only now that the chunk is ours: slot 0 cannot finish before it is written, so none
      // of these stores can land after slot 0 has returned.
      atomic.store<i64>(own + 8, (<i64>j0 << 32) | <i64>cols);
      atomic.store<i64>(own, tag | COMPUTING);
      // The chunk in this thread's buffer (rows of `cols` floats), holding C's values first when they are blended in.
      if (beta != 0) copyColumns(c + <usize>j0 * 4, ldc, buf, cols, M, cols);
      if (!columns(transA, transB, M, K, alpha, a, lda, b, ldb, beta, buf, cols, work, packedA, flags, unitRows, slot, slots, gen, j0, cols, own)) return 0;
      if (atomic.cmpxchg<i64>(own, tag | COMPUTING, tag | COMMITTING) != (tag | COMPUTING)) return 0;
      copyColumns(buf, cols, c + <usize>j0 * 4, ldc, M, cols);
      // IDLE before the count: once every region is counted, slot 0 may return, and nothing may follow.
      atomic.store<i64>(own, tag | IDLE);
      addWritten(word + 8, tag, cols);
    }
  }
  if (states == 0 || slot != 0) return 0;
  // Given up (a thread stuck packing or committing): the pool then waits for every call, as without states.
  return finishOthers(transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, work, packedA, flags, unitRows, slots, claims, gen, states) ? 1 : 0;
}

/**
 * Rounds of finishOthers' loop (each a look at every region and slot, about 10-20 ns when there is
 * nothing to take over) before slot 0 gives up on a thread that stays PACKING or COMMITTING (0.7-1.1 s
 * here): a thread that failed there (its error is in the pool's control block) or stalled then
 * leaves the caller in the pool's wait, which reports it, rather than spinning in here.
 */
const FINISH_ROUNDS: i64 = 1 << 26;

/** Adds `cols` to a region's count of columns written into C (gen << 32 | count; another GEMM's counts as 0). */
function addWritten(word: usize, tag: i64, cols: i32): void {
  for (;;) {
    const w = atomic.load<i64>(word);
    const done = (w & 0xffffffff00000000) == tag ? <i32>w : 0;
    if (atomic.cmpxchg<i64>(word, w, tag | <i64>(done + cols)) == w) return;
  }
}

/**
 * Slot 0, its own chunks done: returns true once every region's columns are written into C, computing
 * itself (into C) any chunk another slot keeps COMPUTING for longer than computing it takes; false after
 * FINISH_ROUNDS rounds without that (the others' calls then finish the GEMM, and the pool waits for them).
 */
function finishOthers(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize, packedA: usize, flags: usize, unitRows: i32, slots: i32,
  claims: usize, gen: i32, states: usize,
): bool {
  const tag = <i64>gen << 32;
  const slivers = (N + NR - 1) / NR;
  for (let round: i64 = 0; round < FINISH_ROUNDS; round++) {
    let missing = false;
    for (let r = 0; r < slots; r++) {
      const size = min(N, <i32>((<i64>(r + 1) * slivers) / slots) * NR) - <i32>((<i64>r * slivers) / slots) * NR;
      if (atomic.load<i64>(claims + (<usize>r << 6) + 8) != (tag | <i64>size)) missing = true;
    }
    if (!missing) return true;
    for (let s = 1; s < slots; s++) {
      const state = states + (<usize>s << 6);
      if (atomic.load<i64>(state) != (tag | COMPUTING)) continue;
      const chunk = atomic.load<i64>(state + 8);
      const j0 = <i32>(chunk >> 32);
      const cols = <i32>chunk;
      // A look takes 1-2 ns: about twice the chunk's time at 16 multiply-adds a ns.
      let looks = (<i64>cols * <i64>M * <i64>K) >> 3;
      while (looks > 0 && atomic.load<i64>(state) == (tag | COMPUTING) && atomic.load<i64>(state + 8) == chunk) looks--;
      if (looks > 0 || atomic.cmpxchg<i64>(state, tag | COMPUTING, tag | ABANDONED) != (tag | COMPUTING)) continue;
      // The chunk word is the abandoned one's: it is written before COMPUTING and not again after ABANDONED.
      let r = 0;
      while (r + 1 < slots && <i32>((<i64>(r + 1) * slivers) / slots) * NR <= j0) r++;
      columns(transA, transB, M, K, alpha, a, lda, b, ldb, beta, c + <usize>j0 * 4, ldc, work, packedA, flags, unitRows, 0, slots, gen, j0, cols, 0);
      addWritten(claims + (<usize>r << 6) + 8, tag, cols);
      // Chunks taken over so far (slot 0's line of `states` is otherwise unused): tools/bench/study reads it.
      store<i64>(states + 8, load<i64>(states + 8) + 1);
    }
  }
  return false;
}

/** Copies `cols` columns of `rows` rows between two row-major blocks (leading dimensions in floats). */
function copyColumns(src: usize, lds: i32, dst: usize, ldd: i32, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    const s = src + <usize>i * <usize>lds * 4;
    const d = dst + <usize>i * <usize>ldd * 4;
    let j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(d + <usize>j * 4, v128.load(s + <usize>j * 4));
    for (; j < cols; j++) store<f32>(d + <usize>j * 4, load<f32>(s + <usize>j * 4));
  }
}

/**
 * Columns [j0, j0 + n) of C (j0 a multiple of 8) into `cp0` (C's column j0, or a buffer, leading
 * dimension ldc), op(A) packed on the way as the call needs it. With a state word `own`, the call packs
 * only in the PACKING phase (entered by compare-exchange from COMPUTING) and returns false as soon as
 * it finds itself abandoned.
 */
function columns(
  transA: i32, transB: i32, M: i32, K: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, cp0: usize, ldc: i32, work: usize, packedA: usize, flags: usize, unitRows: i32, slot: i32, slots: i32,
  gen: i32, j0: i32, n: i32, own: usize,
): bool {
  const tag = <i64>gen << 32;
  const packedB = work + <usize>(GEMM_MC * GEMM_KC) * 4;
  const tile = packedB + <usize>(GEMM_KC * GEMM_NC) * 4;
  const blocks = (M + GEMM_MC - 1) / GEMM_MC;
  const first = <i32>((<i64>slot * blocks) / slots);
  const bp = b + (transB != 0 ? <usize>j0 * <usize>ldb : <usize>j0) * 4;
  for (let jc = 0; jc < n; jc += GEMM_NC) {
    const nc = min(GEMM_NC, n - jc);
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = min(GEMM_KC, K - pc);
      const blockBeta: f32 = pc == 0 ? beta : 1;
      packB(transB != 0, bp, <usize>ldb, pc, kc, jc, nc, packedB);
      for (let step = 0; step < blocks; step++) {
        const ic = ((first + step) % blocks) * GEMM_MC;
        const mc = min(GEMM_MC, M - ic);
        if (own != 0 && atomic.load<i64>(own) != (tag | COMPUTING)) return false;
        // Every block is packed once this call has been through its first K block.
        if (jc == 0 && pc == 0 && !rowsPacked(flags, unitRows, ic, mc, gen)) {
          if (own != 0 && atomic.cmpxchg<i64>(own, tag | COMPUTING, tag | PACKING) != (tag | COMPUTING)) return false;
          readyRows(transA, a, lda, M, K, packedA, flags, unitRows, ic, mc, slot, slots, gen);
          if (own != 0) atomic.store<i64>(own, tag | COMPUTING);
        }
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
  return true;
}

/** Whether every unit of rows [ic, ic + mc) of op(A) is packed for GEMM `gen` (reads only). */
function rowsPacked(flags: usize, unitRows: i32, ic: i32, mc: i32, gen: i32): bool {
  const u0 = ic / unitRows;
  const u1 = (ic + mc + unitRows - 1) / unitRows;
  for (let u = u0; u < u1; u++) if (atomic.load<i32>(flags + (<usize>u << 2)) != 2 * gen) return false;
  return true;
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
