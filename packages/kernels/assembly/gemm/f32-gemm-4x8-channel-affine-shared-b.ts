// The channel-affine GEMM split by rows with B packed once between the threads inside the same job
// (f32_gemm_4x8_channel_affine_claimed_rows): every call needs all of B as whole-K column panels, and
// packs the panels nobody has claimed yet before its first product, each claimed by compare-exchange
// on its i32 flag, starting from its own offset so that the threads pack side by side. Before: a
// packing job of its own (f32_pack_b_panels by panels), then the products' job, a barrier and a
// dispatch between them, 21 times in ResNet-50's forward.
import { packB } from './pack';

const NR: i32 = 8;

/** Packs unit u (columns [8u, 8u + 8) of B over the whole K) into its panel. */
// @ts-ignore: decorator
@inline
function packPanel(b: usize, ldb: i32, K: i32, N: i32, packedB: usize, u: i32): void {
  const j = u * NR;
  packB(false, b, <usize>ldb, 0, K, j, min(NR, N - j), packedB + <usize>j * <usize>K * 4);
}

/**
 * Returns once every 8-column panel of B [K, N] (row stride ldb) is packed into `packedB`
 * (f32_packed_b_floats(K, N) floats: panel j/8 at float j*K). Unit u's i32 flag at flags + 4u is 0
 * free, 1 being packed, 2 packed (the caller zeroes them before the job). Call `slot` of `slots`
 * claims units from u = slot * units / slots on, then waits for the units other calls claimed, about
 * as long as packing one takes, and packs a unit itself if it is still not done (the same values into
 * the same place: a thread descheduled in the middle of a unit holds nobody up).
 */
export function readyPanels(b: usize, ldb: i32, K: i32, N: i32, packedB: usize, flags: usize, slot: i32, slots: i32): void {
  const units = (N + NR - 1) / NR;
  const offset = <i32>((<i64>slot * units) / max(1, slots));
  for (let s = 0; s < units; s++) {
    const u = (offset + s) % units;
    const flag = flags + (<usize>u << 2);
    if (atomic.load<i32>(flag) != 0 || atomic.cmpxchg<i32>(flag, 0, 1) != 0) continue;
    packPanel(b, ldb, K, N, packedB, u);
    atomic.store<i32>(flag, 2);
  }
  for (let u = 0; u < units; u++) {
    const flag = flags + (<usize>u << 2);
    let spins = K;
    while (atomic.load<i32>(flag) != 2 && spins > 0) spins--;
    if (spins == 0 && atomic.load<i32>(flag) != 2) packPanel(b, ldb, K, N, packedB, u);
  }
}
