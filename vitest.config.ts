import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'property-tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // two test files at a time: vitest's default is cores − 1, i.e. one at a time on a 2-core machine
    maxWorkers: 2,
    // test files share their worker's module graph (the tensor core, mathjs, vega are loaded once per
    // worker, not once per file): no test mocks modules or globals, and the few that set an environment
    // variable restore it
    isolate: false,
    // a private TMPDIR per run; leftover temporary entries fail the run (test-support/global-setup.ts)
    globalSetup: ['test-support/global-setup.ts'],
  },
});
