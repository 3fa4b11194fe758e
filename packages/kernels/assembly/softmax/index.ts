export * from './f32-softmax';
export * from './f32-log-softmax';
