export { f32_im2col, f32_col2im, f32_col2im_rows, f32_im2col_table, f32_col2im_table } from './f32-im2col';
export { f32_im2col_images, f32_col2im_images, f32_im2col_table_images, f32_col2im_table_images } from './f32-im2col-images';
export {
  f32_conv2d_pixels_4x8, f32_conv2d_pixels_direct_4x8, f32_conv2d_pixels_scratch_bytes, f32_conv2d_pixels_nchw, f32_conv2d_pixels_nchw_scratch_bytes,
} from './f32-conv2d-pixels-4x8';
export { f32_winograd_2x2_3x3_filter, f32_winograd_2x2_3x3_input, f32_winograd_2x2_3x3_output, f32_winograd_2x2_3x3_filter_rows } from './f32-winograd-2x2-3x3';
export {
  f32_winograd_2x2_3x3_output_grad, f32_winograd_2x2_3x3_filter_grad_tiles, f32_winograd_2x2_3x3_filter_grad_scratch_bytes,
} from './f32-winograd-2x2-3x3-grad';
export {
  f32_conv2d_pad_batch, f32_conv2d_direct_4x8, f32_conv2d_direct_filter_grad_rows, f32_conv2d_direct_pad_4x8, f32_conv2d_direct_filter_grad_pad,
  f32_conv2d_direct_pad_scratch_bytes,
} from './f32-conv2d-direct-4x8';
export { f32_conv2d_backward_chunk, f32_conv2d_backward_chunk_scratch_bytes } from './f32-conv2d-backward-chunk';
export { f32_pixels_affine_maxpool_nchw } from './f32-pixels-affine-maxpool';
export { f32_winograd_4x4_3x3_filter_rows, f32_winograd_4x4_3x3_input, f32_winograd_4x4_3x3_output, f32_winograd_4x4_3x3_scratch_bytes } from './f32-winograd-4x4-3x3';
export { f32_winograd_2x2_3x3_layer, f32_winograd_4x4_3x3_layer } from './f32-winograd-layer';
export {
  f32_winograd_2x2_3x3_packed_floats, f32_winograd_2x2_3x3_filter_packed, f32_winograd_2x2_3x3_fused, f32_winograd_2x2_3x3_fused_scratch_bytes,
  f32_winograd_2x2_3x3_fused_packing,
} from './f32-winograd-2x2-3x3-fused';
export { f32_conv2d_backward_direct, f32_conv2d_backward_direct_scratch_bytes } from './f32-conv2d-backward-direct';
