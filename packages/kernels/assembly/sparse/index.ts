export * from './f32-spmm-csr';
export * from './f32-sddmm-csr';
export * from './f32-segment-softmax';
export * from './f32-segment-reduce';
export * from './f32-csr-add-src-dst';
export * from './f32-dropout-values';
