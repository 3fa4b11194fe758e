// The edge paths of the channel-affine GEMM (f32-gemm-4x8-channel-affine.ts), where the last column panel
// is not 8 wide: one column (N = 49, a 7x7 map at batch 1) runs 32 rows at a time (column32), four
// columns (N = 196, a 14x14 map, and Winograd F(4x4)'s 56x56 layers with 196 tiles) a 4x4 tile
// (tile4x4) instead of a 4x8 tile half empty that went through copies. Each element is the same chain
// of multiply-adds from zero over the K block as in the 4x8 tile, and the same epilogue: the same bits.
import { madd } from '../common/madd';

const MR: i32 = 4;

/** Rows column32 computes: 8 row panels of A, 8 accumulators (one FMA chain each, as in the tile). */
export const COL_ROWS: i32 = 32;

/** Four rows of one column of a matrix (row stride `rowBytes`) as a vector. */
// @ts-ignore: decorator
@inline
function gather4(p: usize, rowBytes: usize): v128 {
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + rowBytes));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * rowBytes));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * rowBytes));
}

/**
 * Four rows of column32's result (lanes = rows): the earlier K blocks, then the epilogue, as finishRow
 * computes each element, and stored.
 */
// @ts-ignore: decorator
@inline
function finishColumn(
  v: v128, row: i32, cp: usize, rowC: usize, rp: usize, rowR: usize, first: bool, last: bool, affine: bool, scale: usize, shift: usize, relu: bool,
): void {
  if (!first) v = f32x4.add(v, gather4(cp, rowC));
  if (last) {
    if (affine) {
      const at = <usize>row * 4;
      const sv = scale != 0 ? v128.load(scale + at) : f32x4.splat(1);
      const tv = shift != 0 ? v128.load(shift + at) : f32x4.splat(0);
      v = madd(v, sv, tv);
    }
    if (rp != 0) v = f32x4.add(v, gather4(rp, rowR));
    if (relu) {
      const zero = f32x4.splat(0);
      v = v128.bitselect(zero, v, f32x4.lt(v, zero));
    }
  }
  store<f32>(cp, f32x4.extract_lane(v, 0));
  store<f32>(cp + rowC, f32x4.extract_lane(v, 1));
  store<f32>(cp + 2 * rowC, f32x4.extract_lane(v, 2));
  store<f32>(cp + 3 * rowC, f32x4.extract_lane(v, 3));
}

/**
 * Rows [row, row+32) of column jr over K block [pc, pc+kc): the column's value (B's panel at pb, its
 * first lane) times 8 row panels of A, one accumulator a panel. Each element is the same chain of
 * multiply-adds from zero over the block as in the 4x8 tile, so the same bits.
 */
// @ts-ignore: decorator
@inline
export function column32(
  row: i32, jr: i32, pb: usize, K: i32, pc: i32, kc: i32, packedA: usize, c: usize, rowC: usize,
  scale: usize, shift: usize, residual: usize, rowR: usize, doRelu: bool, affine: bool,
): void {
  const first = pc == 0;
  const last = pc + kc >= K;
  const panel = <usize>K * (MR * 4);
  const p0 = packedA + (<usize>row * <usize>K + <usize>pc * MR) * 4;
  const p4 = p0 + 4 * panel;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
  let o: usize = 0;
  let q = pb;
  const qEnd = pb + (<usize>kc << 5);
  while (q < qEnd) {
    const b = v128.load32_splat(q);
    s0 = madd(v128.load(p0 + o), b, s0);
    s1 = madd(v128.load(p0 + panel + o), b, s1);
    s2 = madd(v128.load(p0 + 2 * panel + o), b, s2);
    s3 = madd(v128.load(p0 + 3 * panel + o), b, s3);
    s4 = madd(v128.load(p4 + o), b, s4);
    s5 = madd(v128.load(p4 + panel + o), b, s5);
    s6 = madd(v128.load(p4 + 2 * panel + o), b, s6);
    s7 = madd(v128.load(p4 + 3 * panel + o), b, s7);
    o += 16;
    q += 32;
  }
  const cp = c + <usize>row * rowC + <usize>jr * 4;
  const rp: usize = residual == 0 ? 0 : residual + <usize>row * rowR + <usize>jr * 4;
  const c4: usize = rowC * 4;
  const r4: usize = rowR * 4;
  finishColumn(s0, row, cp, rowC, rp, rowR, first, last, affine, scale, shift, doRelu);
  finishColumn(s1, row + 4, cp + c4, rowC, rp == 0 ? 0 : rp + r4, rowR, first, last, affine, scale, shift, doRelu);
  finishColumn(s2, row + 8, cp + 2 * c4, rowC, rp == 0 ? 0 : rp + 2 * r4, rowR, first, last, affine, scale, shift, doRelu);
  finishColumn(s3, row + 12, cp + 3 * c4, rowC, rp == 0 ? 0 : rp + 3 * r4, rowR, first, last, affine, scale, shift, doRelu);
  finishColumn(s4, row + 16, cp + 4 * c4, rowC, rp == 0 ? 0 : rp + 4 * r4, rowR, first, last, affine, scale, shift, doRelu);
  finishColumn(s5, row + 20, cp + 5 * c4, rowC, rp == 0 ? 0 : rp + 5 * r4, rowR, first, last, affine, scale, shift, doRelu);
  finishColumn(s6, row + 24, cp + 6 * c4, rowC, rp == 0 ? 0 : rp + 6 * r4, rowR, first, last, affine, scale, shift, doRelu);
  finishColumn(s7, row + 28, cp + 7 * c4, rowC, rp == 0 ? 0 : rp + 7 * r4, rowR, first, last, affine, scale, shift, doRelu);
}

/**
 * Rows [row, row+4) of the 4 columns [jr, jr+4) over K block [pc, pc+kc): B's panel at pb (8 floats
 * a k step, the last 4 zero), one accumulator a row, stored in place (no copy through a 4x8 tile).
 */
export function tile4x4(
  row: i32, jr: i32, pb: usize, K: i32, pc: i32, kc: i32, packedA: usize, c: usize, rowC: usize,
  scale: usize, shift: usize, residual: usize, rowR: usize, doRelu: bool, affine: bool,
): void {
  const first = pc == 0;
  const last = pc + kc >= K;
  let pa = packedA + (<usize>row * <usize>K + <usize>pc * MR) * 4;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let q = pb;
  const paEnd = pa + (<usize>kc << 4);
  while (pa < paEnd) {
    const b0 = v128.load(q);
    c0 = madd(v128.load32_splat(pa), b0, c0);
    c1 = madd(v128.load32_splat(pa, 4), b0, c1);
    c2 = madd(v128.load32_splat(pa, 8), b0, c2);
    c3 = madd(v128.load32_splat(pa, 12), b0, c3);
    pa += 16;
    q += 32;
  }
  const cp = c + <usize>row * rowC + <usize>jr * 4;
  const rp: usize = residual == 0 ? 0 : residual + <usize>row * rowR + <usize>jr * 4;
  finish4(c0, row, cp, rp, first, last, affine, scale, shift, doRelu);
  finish4(c1, row + 1, cp + rowC, rp == 0 ? 0 : rp + rowR, first, last, affine, scale, shift, doRelu);
  finish4(c2, row + 2, cp + 2 * rowC, rp == 0 ? 0 : rp + 2 * rowR, first, last, affine, scale, shift, doRelu);
  finish4(c3, row + 3, cp + 3 * rowC, rp == 0 ? 0 : rp + 3 * rowR, first, last, affine, scale, shift, doRelu);
}

/** Four columns of one row of tile4x4: as the 4x8 tile's finishRow computes each element. */
// @ts-ignore: decorator
@inline
function finish4(
  v: v128, row: i32, dst: usize, res: usize, first: bool, last: bool, affine: bool, scale: usize, shift: usize, relu: bool,
): void {
  if (!first) v = f32x4.add(v, v128.load(dst));
  if (last) {
    if (affine) {
      const at = <usize>row * 4;
      const s: f32 = scale != 0 ? load<f32>(scale + at) : 1;
      const t: f32 = shift != 0 ? load<f32>(shift + at) : 0;
      v = madd(v, f32x4.splat(s), f32x4.splat(t));
    }
    if (res != 0) v = f32x4.add(v, v128.load(res));
    if (relu) {
      const zero = f32x4.splat(0);
      v = v128.bitselect(zero, v, f32x4.lt(v, zero));
    }
  }
  v128.store(dst, v);
}
