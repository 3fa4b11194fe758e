import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 150_000,
    hookTimeout: 90_000,
  },
});
