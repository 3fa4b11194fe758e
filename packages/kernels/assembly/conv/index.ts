export { f32_im2col, f32_col2im } from './f32-im2col';
export { f32_conv2d_pixels_4x8 } from './f32-conv2d-pixels-4x8';
