export * from './f32-rnn-cell';
export * from './f32-lstm-cell';
export * from './f32-gru-cell';
export * from './f32-lstm-sequence';
export * from './f32-gru-sequence';
export * from './f32-rnn-sequence';
export * from './f32-lstm-sequence-x';
