export * from './f32-softplus-rowsum';
export * from './f32-ais-step';
export * from './f32-cd-bias-grad';
export * from './f32-binary-product';
