/**
 * `npm run bench`: runs every benchmark script in bench/ in its own process, one after another
 * (single thread each), and prints their tables. Not a test: numbers depend on the machine.
 * `npm run bench -- matmul memory` runs only the named ones.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const dir = new URL('.', import.meta.url).pathname;
const skip = new Set(['run.ts', 'util.ts']);
const all = readdirSync(dir).filter((f) => f.endsWith('.ts') && !skip.has(f) && !f.includes('scratch')).sort();
const want = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = want.length ? all.filter((f) => want.some((w) => f.startsWith(w))) : all;
let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f} ===`);
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', dir + f], { stdio: 'inherit' });
  console.log(`(${((Date.now() - t) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed++;
}
if (failed) {
  console.error(`${failed} benchmark script(s) failed`);
  process.exit(1);
}
