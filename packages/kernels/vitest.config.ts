import { defineConfig } from 'vitest/config';

// Relaxed SIMD is behind a flag in Node 20 (the tests load both builds, so workers get the flag); it is
// on by default from Node 22, and Node 24 rejects the flag.
const relaxedSimdFlag = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];

export default defineConfig({
  test: {
    pool: 'forks',
    execArgv: relaxedSimdFlag,
    testTimeout: 120_000,
  },
});
