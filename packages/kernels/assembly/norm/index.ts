export { f32_batchnorm_inference } from './f32-batchnorm-inference';
