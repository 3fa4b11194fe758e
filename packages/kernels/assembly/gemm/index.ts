export { f32_gemm_4x8, f32_gemm_4x8_packed_a, f32_gemm_4x8_packed_b, gemm_workspace_bytes } from './f32-gemm-4x8';
export { f32_gemm_4x8_shared_a } from './f32-gemm-4x8-shared-a';
export { f32_gemv } from './f32-gemv';
export { f32_pack_a_rows, f32_pack_b_panels, f32_packed_b_floats } from './pack';
export { f32_gemm_4x8_channel_affine_claimed_cols, f32_gemm_4x8_channel_affine_claimed_rows } from './f32-gemm-4x8-channel-affine-claimed';
export { f32_gemm_4x8_channel_affine, f32_gemm_4x8_channel_affine_b_panels, f32_pack_a_panels, f32_packed_a_floats, f32_gemm_channel_affine_work_bytes, f32_channel_affine_act } from './f32-gemm-4x8-channel-affine';
