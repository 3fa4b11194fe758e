export * from './f32-vunary';
export * from './f32-vunary-backward';
export * from './f32-vbinary';
export { f32_vscale, f32_vaxpy, f32_vfill, f32_vclamp, f32_vclamp_backward } from './f32-vaffine';
export * from './f32-bce-logits';
