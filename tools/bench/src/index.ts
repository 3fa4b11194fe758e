export { runGemmSuite, GEMM_SHAPES } from './gemm.js';
export { formatTable, type Row, type SuiteOptions } from './report.js';
export { suites } from './suites.js';
export { time, timeInterleaved, median, type Timing } from './stats.js';
export { loadTfjsWasm } from './tfjs-wasm.js';
export { runMlpSuite } from './mlp.js';
export { runCnnSuite } from './cnn.js';
