import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 420_000,
    hookTimeout: 420_000,
  },
});
