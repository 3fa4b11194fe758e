export { f32_gemm_4x8, gemm_workspace_bytes } from './f32-gemm-4x8';
