/** The import boundaries of docs/design.md hold over src/ (the verifier never imports the construction). */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { layerViolations } from '../scripts/layers.ts';

describe('import boundaries', () => {
  it('src/ has no violations', () => {
    expect(layerViolations(new URL('.', import.meta.url).pathname)).toEqual([]);
  });
  it('the checker catches a direct and a transitive verify → construct import', () => {
    const d = mkdtempSync(join(tmpdir(), 'uat-layers-'));
    try {
      checkPlanted(d);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

function checkPlanted(d: string): void {
  for (const m of ['verify', 'construct', 'model', 'tensor']) mkdirSync(join(d, m));
  writeFileSync(join(d, 'construct', 'a.ts'), "export const a = 1;\n");
  writeFileSync(join(d, 'model', 'b.ts'), "import { a } from '../construct/a.ts';\nexport const b = a;\n");
  writeFileSync(join(d, 'verify', 'c.ts'), "import { b } from '../model/b.ts';\nexport const c = b;\n");
  writeFileSync(join(d, 'tensor', 'd.ts'), "import { c } from '../verify/c.ts';\nexport const d = c;\n");
  const bad = layerViolations(d);
  expect(bad.some((b) => b.includes("'model' may not import 'construct'"))).toBe(true);
  expect(bad.some((b) => b.includes("'tensor' may not import 'verify'"))).toBe(true);
  expect(bad).toContain("verify reaches 'construct' transitively");
}
