export * from './f32-softplus-rowsum';
