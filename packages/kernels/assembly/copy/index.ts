export * from './f32-copy';
export * from './f32-gather-rows';
