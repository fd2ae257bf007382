/**
 * vitest globalSetup: tests must not leave litter. Every test process (and every CLI a test
 * spawns) gets a private TMPDIR for this run; at the end, anything a test made there and did not
 * remove (`uat-*` temporary folders and files) fails the run, listed by name, and the private
 * folder is removed either way. Tool caches kept there during the run (tsx's compile cache) and
 * what ONNX Runtime's native library writes on load (`mat-debug-<pid>.log`, `.ses`) are not
 * litter of a test; they go with the private folder.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOOL_CACHES = /^(tsx-\d+|tsx|vite-.*|node-compile-cache|v8-compile-cache.*|mat-debug-\d+\.log|\.ses)$/;

export default function setup(): () => void {
  const outer = tmpdir();
  const dir = mkdtempSync(join(outer, 'uat-vitest-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir).filter((e) => !TOOL_CACHES.test(e));
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
    if (left.length) {
      // a throw here is only logged by vitest: set the exit code as well
      process.exitCode = 1;
      throw new Error(`tests left ${left.length} temporary entries behind (clean up in afterAll/finally): ${left.sort().join(', ')}`);
    }
  };
}
