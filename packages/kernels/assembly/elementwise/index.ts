export * from './f32-vunary';
export * from './f32-vunary-backward';
export * from './f32-vbinary';
export * from './f32-vaffine';
export * from './f32-bce-logits';
