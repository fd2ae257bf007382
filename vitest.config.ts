import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'property-tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // a private TMPDIR per run; leftover temporary entries fail the run (test-support/global-setup.ts)
    globalSetup: ['test-support/global-setup.ts'],
  },
});
