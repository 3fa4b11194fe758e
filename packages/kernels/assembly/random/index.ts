export * from './f32-sample-philox';
