export * from './f32-softplus-rowsum';
export * from './f32-ais-step';
