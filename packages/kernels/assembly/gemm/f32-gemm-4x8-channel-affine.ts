// Inference GEMM of a convolution with its batch norm, residual and ReLU in the tile's store:
//   C[i, j] = act(s[i] * (A · B)[i, j] + t[i] + R[i, j])
// A [M, K] (the weights, one output channel a row) is packed once into row panels of 4 over the whole
// K (f32_pack_a_panels: the weights are packed when they change, not on every call), and B [K, N]
// (an image [C, H*W], its im2col columns, Winograd's transformed tiles) is packed block by block as in
// f32_gemm_4x8 (read in place, its rows a page apart, it ran 0.5-0.8x as fast: TLB and L1 misses).
// K is blocked as in f32_gemm_4x8 (512 deep, each block summed from zero, then added to the blocks
// before it), so (A · B) has the bits of f32_gemm_4x8's product; the last block applies
// madd(sum, s, t) (batch norm's scaleShift), + R, then ReLU, as the separate passes do.
// A last column panel holding one column (N = 49, a 7x7 map at batch 1) runs 32 rows at a time
// (column32: 8 FMA chains, one a row panel) instead of 4x8 tiles 7/8 empty: 1.05-1.10x on those
// products; one of four columns (N = 196) 4x4 tiles (the edge paths: f32-gemm-4x8-channel-affine-edges.ts). A 5x8 tile (10 accumulators) ran at half speed: V8 hoists the five A splats above the
// FMAs and spills two accumulators; with the A rows as one vector and lane shuffles, 0.90-0.97x.
import { madd } from '../common/madd';
import { packA, packB } from './pack';
import { GEMM_KC, GEMM_NC } from './f32-gemm-4x8';
import { COL_ROWS, column32, tile4x4 } from './f32-gemm-4x8-channel-affine-edges';

const MR: i32 = 4;
const NR: i32 = 8;
/** Rows of A per block: a 128 x 512 block of packed A (256 KB) stays in L2 across the column panels. */
const MC: i32 = 128;

/** Packs A [M, K] (row stride lda) into row panels of 4 over the whole K: panel r/4 starts at float r*K. */
export function f32_pack_a_panels(a: usize, lda: i32, M: i32, K: i32, dst: usize): void {
  packA(false, a, <usize>lda, 0, M, 0, K, dst);
}

/** Floats f32_pack_a_panels writes for an M x K matrix. */
export function f32_packed_a_floats(M: i32, K: i32): i32 {
  return ((M + 3) & ~3) * K;
}

/** Bytes of scratch f32_gemm_4x8_channel_affine needs: a packed block of B and two edge tiles. */
export function f32_gemm_channel_affine_work_bytes(): i32 {
  return (GEMM_KC * GEMM_NC + 2 * MR * NR) * 4;
}

/** One row of a tile: add the earlier K blocks (not first), then the epilogue (last), and store. */
// @ts-ignore: decorator
@inline
function finishRow(v0: v128, v1: v128, dst: usize, res: usize, first: bool, last: bool, affine: bool, s: f32, t: f32, relu: bool): void {
  if (!first) {
    v0 = f32x4.add(v0, v128.load(dst));
    v1 = f32x4.add(v1, v128.load(dst, 16));
  }
  if (last) {
    if (affine) {
      const sv = f32x4.splat(s);
      const tv = f32x4.splat(t);
      v0 = madd(v0, sv, tv);
      v1 = madd(v1, sv, tv);
    }
    if (res != 0) {
      v0 = f32x4.add(v0, v128.load(res));
      v1 = f32x4.add(v1, v128.load(res, 16));
    }
    if (relu) {
      // relu(NaN) = NaN, as f32_vrelu.
      const zero = f32x4.splat(0);
      v0 = v128.bitselect(zero, v0, f32x4.lt(v0, zero));
      v1 = v128.bitselect(zero, v1, f32x4.lt(v1, zero));
    }
  }
  v128.store(dst, v0);
  v128.store(dst, v1, 16);
}

/**
 * The tiles of one K block [pc, pc+kc) over columns [jc, jc+ncb): B's 8-column panels start at
 * pb0 + jr0 * panelBytes (a packed block: kc rows a panel; whole-K panels: K rows a panel, pb0 moved
 * pc rows in), 32 bytes a k step.
 */
// @ts-ignore: decorator
@inline
function blockTiles(
  M: i32, K: i32, jc: i32, ncb: i32, pc: i32, kc: i32, pb0: usize, panelBytes: usize, packedA: usize, c: usize, rowC: usize,
  scale: usize, shift: usize, residual: usize, rowR: usize, doRelu: bool, affine: bool, tileC: usize, tileR: usize,
): void {
  for (let ic = 0; ic < M; ic += MC) {
    const mc = min(MC, M - ic);
    for (let jr0 = 0; jr0 < ncb; jr0 += NR) {
      let ir = 0;
      const pb = pb0 + (<usize>jr0 >> 3) * panelBytes;
      if (ncb - jr0 == 1) {
        // One column left (N = 49: a 7x7 map): 32 rows at a time, instead of 4x8 tiles 7/8 empty.
        for (; ir + COL_ROWS <= mc; ir += COL_ROWS) {
          column32(ic + ir, jc + jr0, pb, K, pc, kc, packedA, c, rowC, scale, shift, residual, rowR, doRelu, affine);
        }
      } else if (ncb - jr0 == 4) {
        // Four columns left (N = 196: a 14x14 map): 4x4 tiles in place, instead of 4x8 tiles through copies.
        for (; ir + MR <= mc; ir += MR) {
          tile4x4(ic + ir, jc + jr0, pb, K, pc, kc, packedA, c, rowC, scale, shift, residual, rowR, doRelu, affine);
        }
      }
      for (; ir < mc; ir += MR) {
        tile(ic + ir, min(MR, mc - ir), jc + jr0, min(NR, ncb - jr0), pb, K, pc, kc, packedA, c, rowC, scale, shift, residual, rowR, doRelu, affine, tileC, tileR);
      }
    }
  }
}

/** One 4x8 tile of C (mr x nr of it inside C) over K block [pc, pc+kc), B's panel at pb. */
// @ts-ignore: decorator
@inline
function tile(
  row: i32, mr: i32, jr: i32, nr: i32, pb: usize, K: i32, pc: i32, kc: i32, packedA: usize, c: usize, rowC: usize,
  scale: usize, shift: usize, residual: usize, rowR: usize, doRelu: bool, affine: bool, tileC: usize, tileR: usize,
): void {
  const first = pc == 0;
  const last = pc + kc >= K;
  const bStride: usize = 32;
  let pa = packedA + (<usize>row * <usize>K + <usize>pc * MR) * 4;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let q = pb;
  const paEnd = pa + (<usize>kc << 4);
  while (pa < paEnd) {
    const b0 = v128.load(q);
    const b1 = v128.load(q, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    q += bStride;
  }
  const full = mr == MR && nr == NR;
  const cp = c + <usize>row * rowC + <usize>jr * 4;
  const rp: usize = residual == 0 ? 0 : residual + <usize>row * rowR + <usize>jr * 4;
  // Full tiles read and write C and R in place; edge tiles go through 4x8 copies (row stride 32).
  let dst = cp;
  let res = rp;
  let dStride = rowC;
  let rStride = rowR;
  if (!full) {
    for (let i = 0; i < mr; i++) {
      for (let j = 0; j < nr; j++) {
        const at = <usize>(i * 32 + j * 4);
        if (!first) store<f32>(tileC + at, load<f32>(cp + <usize>i * rowC + <usize>j * 4));
        if (last && rp != 0) store<f32>(tileR + at, load<f32>(rp + <usize>i * rowR + <usize>j * 4));
      }
    }
    dst = tileC;
    res = rp == 0 ? <usize>0 : tileR;
    dStride = 32;
    rStride = 32;
  }
  let s0: f32 = 1, s1: f32 = 1, s2: f32 = 1, s3: f32 = 1;
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
  if (last) {
    const at = <usize>row * 4;
    if (scale != 0) {
      s0 = load<f32>(scale + at);
      if (mr > 1) s1 = load<f32>(scale + at, 4);
      if (mr > 2) s2 = load<f32>(scale + at, 8);
      if (mr > 3) s3 = load<f32>(scale + at, 12);
    }
    if (shift != 0) {
      t0 = load<f32>(shift + at);
      if (mr > 1) t1 = load<f32>(shift + at, 4);
      if (mr > 2) t2 = load<f32>(shift + at, 8);
      if (mr > 3) t3 = load<f32>(shift + at, 12);
    }
  }
  finishRow(c00, c01, dst, res, first, last, affine, s0, t0, doRelu);
  finishRow(c10, c11, dst + dStride, res == 0 ? <usize>0 : res + rStride, first, last, affine, s1, t1, doRelu);
  if (full || mr > 2) {
    finishRow(c20, c21, dst + 2 * dStride, res == 0 ? <usize>0 : res + 2 * rStride, first, last, affine, s2, t2, doRelu);
    finishRow(c30, c31, dst + 3 * dStride, res == 0 ? <usize>0 : res + 3 * rStride, first, last, affine, s3, t3, doRelu);
  }
  if (!full) {
    for (let i = 0; i < mr; i++) {
      for (let j = 0; j < nr; j++) store<f32>(cp + <usize>i * rowC + <usize>j * 4, load<f32>(tileC + <usize>(i * 32 + j * 4)));
    }
  }
}

/**
 * C = act(s[i] * (A · B) + t[i] + R) for M x N, with A packed by f32_pack_a_panels (K deep) and B
 * [K, N] (row stride ldb). scale / shift: M floats, or 0 for 1 / 0; residual: M x N with row stride ldr, or 0;
 * relu: 0 or 1. `work`: f32_gemm_channel_affine_work_bytes. Requires M, N, K >= 1.
 */
export function f32_gemm_4x8_channel_affine(
  M: i32, N: i32, K: i32, packedA: usize, b: usize, ldb: i32, c: usize, ldc: i32,
  scale: usize, shift: usize, residual: usize, ldr: i32, relu: i32, work: usize,
): void {
  const packedB = work;
  const tileC = work + <usize>(GEMM_KC * GEMM_NC) * 4;
  const tileR = tileC + <usize>(MR * NR) * 4;
  // No scale or shift: the sum is stored as it is (-0 stays -0, as in f32_gemm_4x8).
  const affine = scale != 0 || shift != 0;
  for (let jc = 0; jc < N; jc += GEMM_NC) {
    const ncb = min(GEMM_NC, N - jc);
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = min(GEMM_KC, K - pc);
      packB(false, b, <usize>ldb, pc, kc, jc, ncb, packedB);
      blockTiles(M, K, jc, ncb, pc, kc, packedB, <usize>kc * 32, packedA, c, <usize>ldc * 4, scale, shift, residual, <usize>ldr * 4, relu != 0, affine, tileC, tileR);
    }
  }
}

/**
 * The same with B packed once beforehand as whole-K column panels (f32_pack_b_panels: panel j/8 at
 * float j*K), so that threads taking row ranges of one product share one packed B instead of each
 * packing all of it. Same K blocks, same bits. `work`: f32_gemm_channel_affine_work_bytes.
 */
export function f32_gemm_4x8_channel_affine_b_panels(
  M: i32, N: i32, K: i32, packedA: usize, packedB: usize, c: usize, ldc: i32,
  scale: usize, shift: usize, residual: usize, ldr: i32, relu: i32, work: usize,
): void {
  const tileC = work + <usize>(GEMM_KC * GEMM_NC) * 4;
  const tileR = tileC + <usize>(MR * NR) * 4;
  const affine = scale != 0 || shift != 0;
  for (let jc = 0; jc < N; jc += GEMM_NC) {
    const ncb = min(GEMM_NC, N - jc);
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = min(GEMM_KC, K - pc);
      const pb0 = packedB + (<usize>jc * <usize>K + <usize>pc * NR) * 4;
      blockTiles(M, K, jc, ncb, pc, kc, pb0, <usize>K * 32, packedA, c, <usize>ldc * 4, scale, shift, residual, <usize>ldr * 4, relu != 0, affine, tileC, tileR);
    }
  }
}

/**
 * The same epilogue as a pass over a finished convolution output (paths that do not end in this
 * GEMM): y[n, c, p] = act(madd(x[n, c, p], s[c], t[c]) + r[n, c, p]); y may be x; r may be 0.
 */
export function f32_channel_affine_act(
  y: usize, x: usize, N: i32, C: i32, P: i32, scale: usize, shift: usize, residual: usize, relu: i32,
): void {
  if (P <= 0) return;
  const zero = f32x4.splat(0);
  const doRelu = relu != 0;
  const end = <usize>P << 2;
  for (let n = 0; n < N; n++) {
    for (let ch = 0; ch < C; ch++) {
      const at = <usize>ch << 2;
      const sv = f32x4.splat(scale != 0 ? load<f32>(scale + at) : 1);
      const tv = f32x4.splat(shift != 0 ? load<f32>(shift + at) : 0);
      const off = (<usize>n * <usize>C + <usize>ch) * end;
      let i: usize = 0;
      for (; i + 16 <= end; i += 16) {
        let v = madd(v128.load(x + off + i), sv, tv);
        if (residual != 0) v = f32x4.add(v, v128.load(residual + off + i));
        if (doRelu) v = v128.bitselect(zero, v, f32x4.lt(v, zero));
        v128.store(y + off + i, v);
      }
      for (; i < end; i += 4) {
        let v = madd(f32x4.splat(load<f32>(x + off + i)), sv, tv);
        if (residual != 0) v = f32x4.add(v, f32x4.splat(load<f32>(residual + off + i)));
        if (doRelu) v = v128.bitselect(zero, v, f32x4.lt(v, zero));
        store<f32>(y + off + i, f32x4.extract_lane(v, 0));
      }
    }
  }
}
