/**
 * Relaxed SIMD is on by default from Node 22; Node 20 has it behind a V8 flag, which Node 24 no longer
 * accepts on the command line. Turning the flag on here, before any kernel is compiled, makes one
 * command work on every version. Import this module first.
 */
import v8 from 'node:v8';

if (Number(process.versions.node.split('.')[0]) < 22) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
