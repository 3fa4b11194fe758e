export * from './f32-copy';
