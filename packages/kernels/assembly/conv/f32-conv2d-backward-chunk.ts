// The im2col backward pass of a convolution (groups 1) over one chunk of a batch, in one call: the
// chunk's columns, its dY permuted to [OC, nb*P], the filter gradient of the chunk and the input
// gradient stay in the calling thread's scratch and caches. Called on the whole batch, the same
// steps wrote and re-read a 4 MB column matrix (LeNet C3 at batch 64) in four passes through memory;
// cut into chunks of a few hundred pixels, the columns stay in L2, and the chunks are independent
// tasks for the threads. The filter gradient of chunk i goes to its own [OC, C*KH*KW] block; the
// caller sums the blocks in chunk order, so the bits do not depend on which thread ran which chunk.
import { f32_gemm_4x8, gemm_workspace_bytes } from '../gemm/f32-gemm-4x8';
import { f32_col2im, f32_col2im_table, f32_im2col, f32_im2col_table } from './f32-im2col';

/** Bytes of scratch f32_conv2d_backward_chunk needs for a chunk of `pixels` (nb * OH * OW) and kk = C*KH*KW. */
export function f32_conv2d_backward_chunk_scratch_bytes(kk: i32, OC: i32, pixels: i32): i32 {
  return ((kk * pixels + 3) & ~3) * 4 + ((OC * pixels + 3) & ~3) * 4 + gemm_workspace_bytes();
}

/**
 * For images 0..nb-1 of x / dy (their first image): dwPart[o][r] = sum over the chunk's pixels of
 * dY[o] * cols[r] (dwPart 0: skipped), and dx (overwritten; 0: skipped) = col2im(W^T dY). `table`
 * is a tap table (see f32_im2col_table) or 0 for the row kernels. Scratch: see the _scratch_bytes.
 */
export function f32_conv2d_backward_chunk(
  x: usize, dy: usize, w: usize, nb: i32, C: i32, H: i32, W: i32, OC: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32, table: usize,
  dx: usize, dwPart: usize, work: usize,
): void {
  const P = OH * OW;
  const ld = nb * P;
  const kk = C * KH * KW;
  const T = KH * KW;
  const cols = work;
  const dyt = cols + (<usize>((kk * ld + 3) & ~3) << 2);
  const gemmWork = dyt + (<usize>((OC * ld + 3) & ~3) << 2);
  // dyt[o][n*P + p] = dy[n][o][p]
  for (let n = 0; n < nb; n++) {
    for (let o = 0; o < OC; o++) {
      const s = dy + (<usize>((n * OC + o) * P) << 2);
      const d = dyt + (<usize>(o * ld + n * P) << 2);
      let j = 0;
      for (; j + 4 <= P; j += 4) v128.store(d + (<usize>j << 2), v128.load(s + (<usize>j << 2)));
      for (; j < P; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
    }
  }
  const image = <usize>(C * H * W) << 2;
  const block = <usize>P << 2;
  if (dwPart != 0) {
    for (let n = 0; n < nb; n++) {
      if (table != 0) f32_im2col_table(x + <usize>n * image, C, H * W, T, P, table, cols + <usize>n * block, ld);
      else f32_im2col(x + <usize>n * image, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, cols + <usize>n * block, ld);
    }
    f32_gemm_4x8(0, 1, OC, kk, ld, 1, dyt, ld, cols, ld, 0, dwPart, kk, gemmWork);
  }
  if (dx != 0) {
    f32_gemm_4x8(1, 0, kk, ld, OC, 1, w, kk, dyt, ld, 0, cols, ld, gemmWork);
    memory.fill(dx, 0, <usize>nb * image);
    for (let n = 0; n < nb; n++) {
      if (table != 0) f32_col2im_table(cols + <usize>n * block, C, H * W, T, P, table, dx + <usize>n * image, ld);
      else f32_col2im(cols + <usize>n * block, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, dx + <usize>n * image, ld);
    }
  }
}
