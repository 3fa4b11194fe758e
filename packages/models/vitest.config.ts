import { defineConfig } from 'vitest/config';

// Relaxed SIMD is behind a flag in Node 20; the tests load both builds, so workers get the flag.
export default defineConfig({
  test: {
    pool: 'forks',
    execArgv: ['--experimental-wasm-relaxed-simd'],
    testTimeout: 120_000,
  },
});
