import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each long test file took on the 2-core reference machine (fresh-clone CI run). With two
 * workers the suite ends when the busier worker does, so the long files start first (longest
 * processing time first). Vitest's own cache of durations orders a repeat run the same way; a fresh
 * clone has no cache, and without this table it would start the largest *source* files first and
 * could leave a 2-minute file for the end. Files not listed (each under ~8 s) follow, by size.
 */
const LONG_FILES: Record<string, number> = {
  'property-tests/formal.test.ts': 119,
  'src/report/report.test.ts': 58,
  'property-tests/site-browser.test.ts': 56,
  'property-tests/verify-soundness.test.ts': 24,
  'property-tests/thm-main.test.ts': 22,
  'src/interval/scalar.test.ts': 19,
  'property-tests/verify-relaxations.test.ts': 15,
  'property-tests/lem-float.test.ts': 11,
  'property-tests/interop-trained.test.ts': 10,
};

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = new Map(base.map((f, i) => [f, i]));
    const weight = (f: TestSpecification) => LONG_FILES[relative(f.project.config.root, f.moduleId)] ?? 0;
    return [...base].sort((a, b) => weight(b) - weight(a) || rank.get(a)! - rank.get(b)!);
  }
}

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
    sequence: { sequencer: LongFirst },
    // a private TMPDIR per run; leftover temporary entries fail the run (test-support/global-setup.ts)
    globalSetup: ['test-support/global-setup.ts'],
  },
});
