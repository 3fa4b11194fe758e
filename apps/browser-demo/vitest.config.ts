import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    // The browser tests train real models on a machine that may be shared: generous limits.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
