// im2col / col2im over a run of images, one call per thread's share of a batch: image n's block
// starts n * OH * OW columns in, exactly as the one-image calls place it. A thread that takes a
// contiguous run of images shares cache lines with another thread only at the run's two ends (one
// image per task put neighbouring images' column blocks, which share lines, on different threads).
import { f32_col2im, f32_col2im_table, f32_im2col, f32_im2col_table } from './f32-im2col';

/** f32_im2col for images 0..count-1 of x (imageStride floats apart). */
export function f32_im2col_images(
  x: usize, imageStride: i32, count: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32, cols: usize, ld: i32,
): void {
  const P = <usize>(OH * OW) << 2;
  for (let n = 0; n < count; n++) {
    f32_im2col(x + (<usize>n * <usize>imageStride << 2), C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, cols + <usize>n * P, ld);
  }
}

/** f32_col2im for images 0..count-1 of dx (imageStride floats apart). */
export function f32_col2im_images(
  cols: usize, imageStride: i32, count: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32, dx: usize, ld: i32,
): void {
  const P = <usize>(OH * OW) << 2;
  for (let n = 0; n < count; n++) {
    f32_col2im(cols + <usize>n * P, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, dx + (<usize>n * <usize>imageStride << 2), ld);
  }
}

/** f32_im2col_table for images 0..count-1 of x (imageStride floats apart). */
export function f32_im2col_table_images(
  x: usize, imageStride: i32, count: i32, C: i32, HW: i32, T: i32, P: i32, table: usize, cols: usize, ld: i32,
): void {
  for (let n = 0; n < count; n++) {
    f32_im2col_table(x + (<usize>n * <usize>imageStride << 2), C, HW, T, P, table, cols + (<usize>(n * P) << 2), ld);
  }
}

/** f32_col2im_table for images 0..count-1 of dx (imageStride floats apart). */
export function f32_col2im_table_images(
  cols: usize, imageStride: i32, count: i32, C: i32, HW: i32, T: i32, P: i32, table: usize, dx: usize, ld: i32,
): void {
  for (let n = 0; n < count; n++) {
    f32_col2im_table(cols + (<usize>(n * P) << 2), C, HW, T, P, table, dx + (<usize>n * <usize>imageStride << 2), ld);
  }
}
