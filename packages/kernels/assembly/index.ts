// Entry point of the kernel module: every exported kernel is listed here, one line per family file.
// Kernels take byte offsets into linear memory and sizes; they never allocate (the JS arena owns memory).
export { heap_base, isa_relaxed } from './common/info';
export * from './elementwise/index';
export * from './reduce/index';
export * from './softmax/index';
export * from './copy/index';
export * from './gemm/index';
export * from './optim/index';
export * from './conv/index';
export * from './pool/index';
export * from './recurrent/index';
export * from './norm/index';
export * from './random/index';
export * from './sparse/index';
export * from './energy/index';
