export * from './f32-softmax';
export { f32_log_softmax_rows, f32_log_softmax_rows_backward } from './f32-log-softmax';
export * from './f32-cross-entropy';
