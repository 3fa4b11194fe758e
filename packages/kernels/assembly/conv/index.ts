export { f32_im2col, f32_col2im } from './f32-im2col';
