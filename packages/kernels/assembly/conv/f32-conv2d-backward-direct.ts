// The backward pass of a stride-1, unpadded convolution (groups 1) over a chunk of a few images with
// no column matrix (LeNet C3): f32_conv2d_backward_chunk built the chunk's columns (im2col), two GEMMs
// on them and a col2im scatter, and the column passes took 43% of its time.
// - Filter gradient, pixels-major as the forward pass: dW^T[tap, o] = sum over the chunk's pixels q
//   of x[window_q + tap] * dY^T[q, o], a 4-tap x 8-output register tile reading the four taps of
//   each window straight from the image and dY transposed to [pixels, outputs] (once per chunk).
// - Input gradient row by row in registers (KW <= 5): for each tap (kh, kw) whose output row exists,
//   the sum over output channels of w[o, c, kh, kw] times 12 columns of dY's row (col2im's column,
//   never stored), shifted kw lanes into the row's vectors, so that no partial sum goes through
//   memory. (A gather over dY padded at both ends computed 16 columns for every tap, 62% of them
//   zeros, and ran no faster than im2col + GEMM + col2im.)
// Each filter-gradient element sums the chunk's pixels in order, each input-gradient element its
// taps in order, one at a time: the bits depend on the chunk only, never on which thread ran it, and
// with rows of at most 12 outputs and fewer than 512 pixels a chunk (LeNet C3) they are the bits of
// im2col + GEMM + col2im (so the demo's training does not move).
import { storeTail, storeTransposed4x4 } from '../common/lanes';
import { madd } from '../common/madd';
import { f32_transpose2d_strided } from '../copy/f32-copy';
import { paddedRows } from './padded-rows';

/** Floats of a padded dY row: whole blocks of 12 output columns, zeros past the last. */
// @ts-ignore: decorator
@inline
function paddedWidth(OW: i32): i32 {
  return (OW + 11) / 12 * 12;
}

/** Bytes of scratch f32_conv2d_backward_direct needs: dY^T of the chunk and one image's padded dY. */
export function f32_conv2d_backward_direct_scratch_bytes(nb: i32, OC: i32, OH: i32, OW: i32, W: i32, KW: i32): i32 {
  const oc8 = (OC + 7) & ~7;
  return max(nb * OH * OW * oc8 + 32, OC * OH * paddedWidth(OW)) * 4;
}

/**
 * For images 0..nb-1 of x [nb, C, H, W] and dy [nb, OC, OH, OW] (OH = H - KH + 1, OW = W - KW + 1,
 * KW <= 5):
 * dwPart [OC, C*KH*KW] (0: skipped) = the chunk's filter gradient, and dx [nb, C, H, W] (0: skipped,
 * overwritten) = the input gradient, for weights w [OC, C, KH, KW]. Scratch:
 * f32_conv2d_backward_direct_scratch_bytes, 16-byte aligned.
 */
export function f32_conv2d_backward_direct(
  x: usize, dy: usize, w: usize, nb: i32, C: i32, H: i32, W: i32, OC: i32, KH: i32, KW: i32,
  dx: usize, dwPart: usize, work: usize,
): void {
  const OH = H - KH + 1;
  const OW = W - KW + 1;
  if (dwPart != 0) filterGrad(x, dy, nb, C, H, W, OC, KH, KW, OH, OW, dwPart, work);
  if (dx != 0) {
    const U = paddedWidth(OW);
    const plane = <usize>(OH * U) << 2;
    for (let n = 0; n < nb; n++) {
      const dyn = dy + (<usize>(n * OC * OH * OW) << 2);
      for (let o = 0; o < OC; o++) paddedRows(work + <usize>o * plane, U, dyn + (<usize>(o * OH * OW) << 2), OH, OW, 0, OH, 0);
      inputGradImage(work, U, w, C, H, W, OC, KH, KW, OH, dx + (<usize>(n * C * H * W) << 2));
    }
  }
}

function filterGrad(
  x: usize, dy: usize, nb: i32, C: i32, H: i32, W: i32, OC: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  dwPart: usize, work: usize,
): void {
  const P = OH * OW;
  const oc8 = (OC + 7) & ~7;
  const kk = C * KH * KW;
  // dyt[n*P + p][o] = dy[n][o][p], columns OC..oc8 zero.
  const dyt = work;
  if (oc8 != OC) memory.fill(dyt, 0, <usize>(nb * P * oc8) << 2);
  for (let n = 0; n < nb; n++) {
    f32_transpose2d_strided(dyt + (<usize>(n * P * oc8) << 2), oc8, dy + (<usize>(n * OC * P) << 2), P, OC, P);
  }
  const image = <usize>(C * H * W) << 2;
  const tile = work + (<usize>(nb * P * oc8) << 2);
  for (let r0 = 0; r0 < kk; r0 += 4) {
    // Taps past the last repeat it; their sums are not stored.
    const t0 = tapOffset(r0, H, W, KH, KW);
    const t1 = tapOffset(min(r0 + 1, kk - 1), H, W, KH, KW);
    const t2 = tapOffset(min(r0 + 2, kk - 1), H, W, KH, KW);
    const t3 = tapOffset(min(r0 + 3, kk - 1), H, W, KH, KW);
    for (let j = 0; j < OC; j += 8) {
      tapTile(x, image, nb, W, OH, OW, t0, t1, t2, t3, dyt + (<usize>j << 2), <usize>oc8 << 2, dwPart + (<usize>(j * kk + r0) << 2), kk, min(4, kk - r0), min(8, OC - j), tile);
    }
  }
}

/** Byte offset of tap r = (c*KH + kh)*KW + kw from a window's first input: ((c*H + kh)*W + kw) floats. */
// @ts-ignore: decorator
@inline
function tapOffset(r: i32, H: i32, W: i32, KH: i32, KW: i32): usize {
  const c = r / (KH * KW);
  const kh = (r - c * KH * KW) / KW;
  const kw = r - (c * KH + kh) * KW;
  return <usize>((c * H + kh) * W + kw) << 2;
}

/** dwPart[o][r0 + i] for the four taps (byte offsets t0..t3) and outputs j..j+7 (nr, mr valid). */
function tapTile(
  x: usize, image: usize, nb: i32, W: i32, OH: i32, OW: i32, t0: usize, t1: usize, t2: usize, t3: usize,
  dyt: usize, ldt: usize, out: usize, kk: i32, mr: i32, nr: i32, tile: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let d = dyt;
  for (let n = 0; n < nb; n++) {
    for (let oh = 0; oh < OH; oh++) {
      let p = x + <usize>n * image + (<usize>(oh * W) << 2);
      const end = p + (<usize>OW << 2);
      while (p < end) {
        const b0 = v128.load(d);
        const b1 = v128.load(d, 16);
        let a = v128.load32_splat(p + t0);
        c00 = madd(a, b0, c00);
        c01 = madd(a, b1, c01);
        a = v128.load32_splat(p + t1);
        c10 = madd(a, b0, c10);
        c11 = madd(a, b1, c11);
        a = v128.load32_splat(p + t2);
        c20 = madd(a, b0, c20);
        c21 = madd(a, b1, c21);
        a = v128.load32_splat(p + t3);
        c30 = madd(a, b0, c30);
        c31 = madd(a, b1, c31);
        p += 4;
        d += ldt;
      }
    }
  }
  // Rows of the tile are taps, columns outputs: dwPart[o][r] is the transpose.
  const ld = <usize>kk << 2;
  if (mr == 4 && nr == 8) {
    storeTransposed4x4(c00, c10, c20, c30, out, ld);
    storeTransposed4x4(c01, c11, c21, c31, out + (ld << 2), ld);
    return;
  }
  storeTransposed4x4(c00, c10, c20, c30, tile, 16);
  storeTransposed4x4(c01, c11, c21, c31, tile + 64, 16);
  for (let o = 0; o < nr; o++) {
    for (let i = 0; i < mr; i++) store<f32>(out + <usize>o * ld + (<usize>i << 2), load<f32>(tile + (<usize>(o * 4 + i) << 2)));
  }
}

/**
 * dx [C, H, W] of one image from its padded dY (OC planes of OH rows of U floats, zeros past OW):
 * each row of dx in registers, 12 output columns at a time. For a tap pair (kw, kw + 1) the sums
 * over the output channels of w times dy's row (three vectors each) go into the row's vectors
 * shifted by kw and kw + 1 lanes; the last vector of a block carries over into the next block.
 */
function inputGradImage(dyp: usize, U: i32, w: usize, C: i32, H: i32, W: i32, OC: i32, KH: i32, KW: i32, OH: i32, dx: usize): void {
  const T = KH * KW;
  const OW = W - KW + 1;
  const wStride = <usize>(C * T) << 2;
  const plane = <usize>(OH * U) << 2;
  for (let c = 0; c < C; c++) {
    for (let ih = 0; ih < H; ih++) {
      // Output rows oh = ih - kh that exist.
      const kh0 = max(0, ih - OH + 1);
      const kh1 = min(KH, ih + 1);
      const out = dx + (<usize>((c * H + ih) * W) << 2);
      let r0 = f32x4.splat(0);
      let ow0 = 0;
      for (; ow0 < OW; ow0 += 12) {
        let r1 = f32x4.splat(0), r2 = f32x4.splat(0), r3 = f32x4.splat(0);
        for (let kh = kh0; kh < kh1; kh++) {
          const row = dyp + (<usize>((ih - kh) * U + ow0) << 2);
          const wk = w + (<usize>(c * T + kh * KW) << 2);
          // Taps in threes (nine accumulators: the FMA chains that keep the multipliers busy), then a pair or one.
          let kw = 0;
          for (; kw + 2 < KW; kw += 3) {
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
            let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
            let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0);
            let d = row;
            let wp = wk + (<usize>kw << 2);
            for (let o = 0; o < OC; o++) {
              const d0 = v128.load(d);
              const d1 = v128.load(d, 16);
              const d2 = v128.load(d, 32);
              let s = v128.load32_splat(wp);
              a0 = madd(s, d0, a0);
              a1 = madd(s, d1, a1);
              a2 = madd(s, d2, a2);
              s = v128.load32_splat(wp, 4);
              b0 = madd(s, d0, b0);
              b1 = madd(s, d1, b1);
              b2 = madd(s, d2, b2);
              s = v128.load32_splat(wp, 8);
              e0 = madd(s, d0, e0);
              e1 = madd(s, d1, e1);
              e2 = madd(s, d2, e2);
              d += plane;
              wp += wStride;
            }
            const z = f32x4.splat(0);
            r0 = f32x4.add(f32x4.add(f32x4.add(r0, shiftIn(z, a0, kw)), shiftIn(z, b0, kw + 1)), shiftIn(z, e0, kw + 2));
            r1 = f32x4.add(f32x4.add(f32x4.add(r1, shiftIn(a0, a1, kw)), shiftIn(b0, b1, kw + 1)), shiftIn(e0, e1, kw + 2));
            r2 = f32x4.add(f32x4.add(f32x4.add(r2, shiftIn(a1, a2, kw)), shiftIn(b1, b2, kw + 1)), shiftIn(e1, e2, kw + 2));
            r3 = f32x4.add(f32x4.add(f32x4.add(r3, shiftIn(a2, z, kw)), shiftIn(b2, z, kw + 1)), shiftIn(e2, z, kw + 2));
          }
          if (kw + 1 < KW) {
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
            let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
            let d = row;
            let wp = wk + (<usize>kw << 2);
            for (let o = 0; o < OC; o++) {
              const d0 = v128.load(d);
              const d1 = v128.load(d, 16);
              const d2 = v128.load(d, 32);
              let s = v128.load32_splat(wp);
              a0 = madd(s, d0, a0);
              a1 = madd(s, d1, a1);
              a2 = madd(s, d2, a2);
              s = v128.load32_splat(wp, 4);
              b0 = madd(s, d0, b0);
              b1 = madd(s, d1, b1);
              b2 = madd(s, d2, b2);
              d += plane;
              wp += wStride;
            }
            const z = f32x4.splat(0);
            r0 = f32x4.add(f32x4.add(r0, shiftIn(z, a0, kw)), shiftIn(z, b0, kw + 1));
            r1 = f32x4.add(f32x4.add(r1, shiftIn(a0, a1, kw)), shiftIn(b0, b1, kw + 1));
            r2 = f32x4.add(f32x4.add(r2, shiftIn(a1, a2, kw)), shiftIn(b1, b2, kw + 1));
            r3 = f32x4.add(f32x4.add(r3, shiftIn(a2, z, kw)), shiftIn(b2, z, kw + 1));
          } else if (kw < KW) {
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
            let d = row;
            let wp = wk + (<usize>kw << 2);
            for (let o = 0; o < OC; o++) {
              const s = v128.load32_splat(wp);
              a0 = madd(s, v128.load(d), a0);
              a1 = madd(s, v128.load(d, 16), a1);
              a2 = madd(s, v128.load(d, 32), a2);
              d += plane;
              wp += wStride;
            }
            const z = f32x4.splat(0);
            r0 = f32x4.add(r0, shiftIn(z, a0, kw));
            r1 = f32x4.add(r1, shiftIn(a0, a1, kw));
            r2 = f32x4.add(r2, shiftIn(a1, a2, kw));
            r3 = f32x4.add(r3, shiftIn(a2, z, kw));
          }
        }
        // Columns ow0 .. ow0 + 11 are complete; ow0 + 12 .. 15 carry over into the next block.
        const p = out + (<usize>ow0 << 2);
        storePart(p, r0, W - ow0);
        storePart(p + 16, r1, W - ow0 - 4);
        storePart(p + 32, r2, W - ow0 - 8);
        r0 = r3;
      }
      // The last block's carry: the row's last columns (W <= OW + 4 since KW <= 5).
      storePart(out + (<usize>ow0 << 2), r0, W - ow0);
    }
  }
}

/** The vector of lanes j..j+3 of (prev, cur) shifted right by j (0..4) lanes: [prev[4-j..3], cur[0..3-j]]. */
// @ts-ignore: decorator
@inline
function shiftIn(prev: v128, cur: v128, j: i32): v128 {
  if (j == 0) return cur;
  if (j == 1) return v128.shuffle<f32>(prev, cur, 3, 4, 5, 6);
  if (j == 2) return v128.shuffle<f32>(prev, cur, 2, 3, 4, 5);
  if (j == 3) return v128.shuffle<f32>(prev, cur, 1, 2, 3, 4);
  return prev;
}

// @ts-ignore: decorator
@inline
function storePart(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v);
  else if (n > 0) storeTail(p, v, <usize>n);
}
