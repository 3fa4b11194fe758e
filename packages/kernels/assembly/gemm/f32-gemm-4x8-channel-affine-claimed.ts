// The channel-affine GEMM on several threads as chunks claimed while the job runs, one call per thread:
// the output is cut into one region per call (8-column panels of C when it is wider than tall, 4-row
// panels when taller), and each call takes chunks of its own region, then of the others', a quarter of
// what is left of the region at a time, down to a few panels, each claimed by compare-exchange on the
// region's i32 counter. So the threads finish within one small chunk of each other whenever they run at
// different speeds (a worker starting late, or slowed by another process on its core), where a job of
// two fixed pieces a thread left the caller waiting 14-16% of ResNet-50's 1x1 jobs for the worker's
// last one; and the large first chunks keep each call's data (its columns of B, its rows of A) on
// its thread from one layer to the next, as the fixed pieces did. Each chunk is the one-thread kernel
// on a column (or row) range at a multiple of 8 (or 4): every element is the same sum in the same K
// blocks, the same bits whoever runs it.
import { f32_gemm_4x8_channel_affine, f32_gemm_4x8_channel_affine_b_panels } from './f32-gemm-4x8-channel-affine';
import { readyPanels } from './f32-gemm-4x8-channel-affine-shared-b';

/**
 * Claims the next chunk of region r, [first, end) in units, whose counter (the next unclaimed unit)
 * is the i32 at counters + 4r: a quarter of what is left, at least `least` units. Returns the chunk's
 * first unit and its end as (end << 32) | first, or -1 when the region is used up.
 */
// @ts-ignore: decorator
@inline
function claim(counters: usize, r: i32, end: i32, least: i32): i64 {
  const at = counters + (<usize>r << 2);
  let next = atomic.load<i32>(at);
  while (next < end) {
    const stop = min(end, next + max(least, (end - next + 3) >> 2));
    const was = atomic.cmpxchg<i32>(at, next, stop);
    if (was == next) return (<i64>stop << 32) | <i64>next;
    next = was;
  }
  return -1;
}

/** Unit u's region of `slots` equal regions over `units` units: region r starts at r * units / slots. */
// @ts-ignore: decorator
@inline
function regionStart(r: i32, units: i32, slots: i32): i32 {
  return <i32>((<i64>r * units) / slots);
}

/**
 * f32_gemm_4x8_channel_affine over C [M, N] wider than tall, by column chunks: call `slot` of `slots`
 * (one a thread) drains its region of the 8-column panels, then the others'. counters: `slots` i32s,
 * region r's set to its first panel (r * panels / slots) before the job. `work`:
 * f32_gemm_channel_affine_work_bytes.
 */
export function f32_gemm_4x8_channel_affine_claimed_cols(
  M: i32, N: i32, K: i32, packedA: usize, b: usize, ldb: i32, c: usize, ldc: i32,
  scale: usize, shift: usize, residual: usize, ldr: i32, relu: i32, counters: usize, slot: i32, slots: i32, work: usize,
): void {
  const units = (N + 7) >> 3;
  // At least 64 columns a chunk: each chunk reads all of A once more.
  const least = 8;
  for (let s = 0; s < slots; s++) {
    const r = (slot + s) % slots;
    const end = regionStart(r + 1, units, slots);
    for (;;) {
      const got = claim(counters, r, end, least);
      if (got < 0) break;
      const j0 = <i32>got << 3;
      const j1 = min(N, <i32>(got >> 32) << 3);
      const off = <usize>j0 << 2;
      f32_gemm_4x8_channel_affine(M, j1 - j0, K, packedA, b + off, ldb, c + off, ldc, scale, shift, residual == 0 ? 0 : residual + off, ldr, relu, work);
    }
  }
}

/**
 * f32_gemm_4x8_channel_affine over C [M, N] taller than wide, by row chunks sharing one copy of B:
 * each call first makes sure B is packed as whole-K column panels (readyPanels:
 * packedB, its `flags` zeroed before the job), then drains its region of the 4-row panels, then the
 * others'. counters: `slots` i32s set as for the column chunks. `work`: f32_gemm_channel_affine_work_bytes.
 */
export function f32_gemm_4x8_channel_affine_claimed_rows(
  M: i32, N: i32, K: i32, packedA: usize, b: usize, ldb: i32, packedB: usize, flags: usize,
  c: usize, ldc: i32, scale: usize, shift: usize, residual: usize, ldr: i32, relu: i32, counters: usize, slot: i32, slots: i32, work: usize,
): void {
  readyPanels(b, ldb, K, N, packedB, flags, slot, slots);
  const units = (M + 3) >> 2;
  // At least 32 rows a chunk: a one-column panel runs 32 rows at a time.
  const least = 8;
  const rowC = <usize>ldc << 2;
  const rowR = <usize>ldr << 2;
  for (let s = 0; s < slots; s++) {
    const r = (slot + s) % slots;
    const end = regionStart(r + 1, units, slots);
    for (;;) {
      const got = claim(counters, r, end, least);
      if (got < 0) break;
      const i0 = <i32>got << 2;
      const i1 = min(M, <i32>(got >> 32) << 2);
      const at = <usize>i0;
      f32_gemm_4x8_channel_affine_b_panels(
        i1 - i0, N, K, packedA + at * <usize>K * 4, packedB, c + at * rowC, ldc, scale == 0 ? 0 : scale + (at << 2),
        shift == 0 ? 0 : shift + (at << 2), residual == 0 ? 0 : residual + at * rowR, ldr, relu, work,
      );
    }
  }
}
