import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 420_000,
    // beforeAll packs and installs from the registry: up to 15 minutes on a stalled connection (pack.test.ts).
    hookTimeout: 1_200_000,
  },
});
