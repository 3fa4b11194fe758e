export { loadKernels, detectFeatures, chooseIsa } from './load.js';
export type { Isa, Kernels, KernelSource, LoadOptions, EngineFeatures } from './load.js';
export { Arena, sizeClass } from './memory.js';
export type { ArenaStats } from './memory.js';
export type { KernelExports } from './exports.js';
