export { f32_reduce, f32_reduce_cols, f32_channel_sums } from './f32-reduce';
export * from './f32-argmax';
