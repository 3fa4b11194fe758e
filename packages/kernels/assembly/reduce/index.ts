export * from './f32-reduce';
export * from './f32-argmax';
