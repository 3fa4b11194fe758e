// Winograd F(2x2, 3x3) for training (forward and input gradient) in two jobs instead of four: the
// filters transformed and packed as GEMM A panels by row ranges, then one task per range of tile rows
// of an image that runs the input transform, the 16 GEMMs and the output transform of its tiles while
// they sit in its caches. Each GEMM's columns are tiles, independent of one another, and each is
// computed as in one call over all the tiles (f32_gemm_4x8_packed_a, the sums of f32_gemm_4x8), so
// neither the ranges nor the thread count change a bit.
import { gemm_workspace_bytes, f32_gemm_4x8_packed_a } from '../gemm/f32-gemm-4x8';
import { f32_pack_a_rows } from '../gemm/pack';
import { f32_winograd_2x2_3x3_filter_rows, f32_winograd_2x2_3x3_input, f32_winograd_2x2_3x3_output } from './f32-winograd-2x2-3x3';

/** Floats of one packed R x L matrix of U (row panels of 4 over the whole L). */
// @ts-ignore: decorator
@inline
function packedFloats(R: i32, L: i32): i32 {
  return ((R + 3) & ~3) * L;
}

/** Floats f32_winograd_2x2_3x3_filter_packed writes: 16 packed matrices. */
export function f32_winograd_2x2_3x3_packed_floats(OC: i32, C: i32, flip: i32): i32 {
  return 16 * (flip != 0 ? packedFloats(C, OC) : packedFloats(OC, C));
}

/**
 * Rows [r0, r1) (r0 a multiple of 4) of the transformed filters (f32_winograd_2x2_3x3_filter_rows
 * into u, 16 R x L matrices, R = OC and L = C, or the other way round when flipped), then the same
 * rows of each of the 16 matrices packed as A panels into `packed` (16 matrices of
 * packedFloats(R, L) floats): the threads take row ranges, and the packing reads rows just written.
 */
export function f32_winograd_2x2_3x3_filter_packed(w: usize, OC: i32, C: i32, flip: i32, u: usize, packed: usize, r0: i32, r1: i32): void {
  f32_winograd_2x2_3x3_filter_rows(w, OC, C, flip, u, r0, r1);
  const R = flip != 0 ? C : OC;
  const L = flip != 0 ? OC : C;
  const per = <usize>packedFloats(R, L) << 2;
  for (let xi = 0; xi < 16; xi++) {
    f32_pack_a_rows(0, u + (<usize>(xi * R + r0) * <usize>L << 2), L, r1 - r0, L, packed + <usize>xi * per + (<usize>r0 * <usize>L << 2));
  }
}

/** Bytes rounded up to 64. */
// @ts-ignore: decorator
@inline
function lines(bytes: i32): i32 {
  return (bytes + 63) & ~63;
}

/** Floats of the zero-padded rows the input transform reads for `rows` tile rows of tilesW tiles. */
// @ts-ignore: decorator
@inline
function planeFloats(rows: i32, tilesW: i32): i32 {
  return (2 * rows + 2) * (8 * ((tilesW + 3) >> 2) + 2);
}

/** Bytes of scratch f32_winograd_2x2_3x3_fused needs for up to `rows` tile rows of tilesW tiles. */
export function f32_winograd_2x2_3x3_fused_scratch_bytes(C: i32, OC: i32, rows: i32, tilesW: i32): i32 {
  const T = rows * tilesW;
  return lines(16 * C * T * 4) + lines(16 * OC * T * 4) + lines(planeFloats(rows, tilesW) * 4) + gemm_workspace_bytes();
}

/**
 * y (one image [OC, OH, OW]) over the tiles of tile rows [th0, th1) = the 3x3 convolution of x (one
 * image [C, H, W], padding padH x padW) with the filters packed by f32_winograd_2x2_3x3_filter_packed
 * (OC x C matrices), plus bias (0: none): V = input transform, M[xi] = U[xi] V[xi], output transform,
 * in the thread's scratch (f32_winograd_2x2_3x3_fused_scratch_bytes).
 */
export function f32_winograd_2x2_3x3_fused(
  x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, th0: i32, th1: i32, tilesW: i32,
  packed: usize, OC: i32, bias: usize, y: usize, OH: i32, OW: i32, scratch: usize,
): void {
  const T = (th1 - th0) * tilesW;
  const v = scratch;
  const m = v + <usize>lines(16 * C * T * 4);
  const plane = m + <usize>lines(16 * OC * T * 4);
  const work = plane + <usize>lines(planeFloats(th1 - th0, tilesW) * 4);
  f32_winograd_2x2_3x3_input(x, C, H, W, padH, padW, th0, th1, tilesW, v, T, 0, plane);
  const per = <usize>packedFloats(OC, C) << 2;
  for (let xi = 0; xi < 16; xi++) {
    f32_gemm_4x8_packed_a(0, OC, T, C, 1, packed + <usize>xi * per, v + (<usize>(xi * C * T) << 2), T, 0, m + (<usize>(xi * OC * T) << 2), T, work);
  }
  f32_winograd_2x2_3x3_output(m, OC, T, 0, th0, th1, tilesW, bias, y, OH, OW);
}

/**
 * f32_winograd_2x2_3x3_fused after making sure the packed filters are there: the R rows of
 * f32_winograd_2x2_3x3_filter_packed in units of unitRows rows (a multiple of 4), each with an i32
 * flag at `flags` (0 free, 1 claimed, 2 done; zeroed before the job). The call packs every free unit
 * itself, then waits for the units others claimed, about as long as packing one takes, and packs a
 * unit still not done again: the same values in the same place, so a descheduled thread holds nobody
 * up. Lets the filters' preparation run inside the job of the tile tasks that need it (the backward
 * pass's one job) instead of on the calling thread before it.
 */
export function f32_winograd_2x2_3x3_fused_packing(
  flags: usize, unitRows: i32, w: usize, wOC: i32, wC: i32, flip: i32, u: usize,
  x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, th0: i32, th1: i32, tilesW: i32,
  packed: usize, OC: i32, bias: usize, y: usize, OH: i32, OW: i32, scratch: usize,
): void {
  const R = flip != 0 ? wC : wOC;
  const units = (R + unitRows - 1) / unitRows;
  for (let i = 0; i < units; i++) {
    const flag = flags + (<usize>i << 2);
    if (atomic.load<i32>(flag) != 0 || atomic.cmpxchg<i32>(flag, 0, 1) != 0) continue;
    f32_winograd_2x2_3x3_filter_packed(w, wOC, wC, flip, u, packed, i * unitRows, min(R, (i + 1) * unitRows));
    atomic.store<i32>(flag, 2);
  }
  for (let i = 0; i < units; i++) {
    const flag = flags + (<usize>i << 2);
    // About 40 multiply-adds a weight: spin about as many loads.
    let spins = min(unitRows, R - i * unitRows) * (flip != 0 ? wOC : wC) * 40;
    while (atomic.load<i32>(flag) != 2 && spins > 0) spins--;
    if (atomic.load<i32>(flag) != 2) f32_winograd_2x2_3x3_filter_packed(w, wOC, wC, flip, u, packed, i * unitRows, min(R, (i + 1) * unitRows));
  }
  f32_winograd_2x2_3x3_fused(x, C, H, W, padH, padW, th0, th1, tilesW, packed, OC, bias, y, OH, OW, scratch);
}
