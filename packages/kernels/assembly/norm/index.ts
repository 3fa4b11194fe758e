export { f32_batchnorm_inference, f32_batchnorm_scale_shift } from './f32-batchnorm-inference';
export { f32_batchnorm_moments, f32_batchnorm_backward } from './f32-batchnorm-train';
