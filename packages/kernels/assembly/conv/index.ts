export { f32_im2col, f32_col2im, f32_im2col_panels4 } from './f32-im2col';
