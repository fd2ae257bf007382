/**
 * The import boundaries of docs/design.md hold over src/ (the verifier never imports the
 * construction), and the size budget holds (files ≤ 400 lines, functions ≤ 80; the listed
 * exceptions only shrink) — each check shown to fire on a planted case.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { layerViolations, dependencyViolations } from '../scripts/layers.ts';
import { sizeViolations, loadExceptions, functionSizes } from '../scripts/size-budget.ts';

describe('import boundaries', () => {
  it('src/ has no violations', () => {
    expect(layerViolations(new URL('.', import.meta.url).pathname)).toEqual([]);
  });
  it('runtime code imports only runtime dependencies, and every runtime dependency is used', () => {
    const root = new URL('..', import.meta.url).pathname;
    expect(dependencyViolations(root)).toEqual([]);
    const d = mkdtempSync(join(tmpdir(), 'uat-deps-'));
    try {
      mkdirSync(join(d, 'src'));
      mkdirSync(join(d, 'bin'));
      writeFileSync(join(d, 'package.json'), JSON.stringify({ dependencies: { a: '1', unused: '1' }, devDependencies: { 'fast-check': '4' } }));
      writeFileSync(join(d, 'src', 'x.ts'), "import fc from 'fast-check';\nimport { y } from 'a/deep';\nimport { z } from 'b';\nimport { w } from 'node:fs';\n");
      writeFileSync(join(d, 'src', 'x.test.ts'), "import fc from 'fast-check';\n");
      const bad = dependencyViolations(d).join('\n');
      expect(bad).toMatch(/src\/x\.ts: imports 'fast-check', a devDependency/);
      expect(bad).toMatch(/src\/x\.ts: imports 'b', not in package\.json dependencies/);
      expect(bad).toMatch(/dependency 'unused' is imported by no runtime code/);
      expect(bad).not.toMatch(/'a'|node:fs|x\.test\.ts/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('the size budget holds, exceptions at their current size', () => {
    const root = new URL('..', import.meta.url).pathname;
    expect(sizeViolations(root, loadExceptions(root))).toEqual([]);
  });

  it('the size checker finds long functions of every shape and enforces the ratchet', () => {
    const body = (k: number) => Array.from({ length: k }, (_, i) => `  x += ${i}; // { not a brace } "}" '{'`).join('\n');
    const src = [
      `export function a(x: number): number {\n${body(79)}\n}`,
      `const b = async (y: string) => {\n  const r = /[{}]/g; const q = y! / 2;\n  const t = \`\${'{'}\${\`}\`}\`;\n${body(80)}\n};`,
      `class C {\n  private m(z: number): void {\n${body(10)}\n    [1].map((v) => {\n${body(85)}\n    });\n  }\n  if2() {}\n}`,
      `for (const k of [1]) {\n${body(90)}\n}`,
    ].join('\n');
    const sizes = Object.fromEntries(functionSizes(src).map((f) => [f.name, f.lines]));
    expect(sizes).toEqual({ a: 81, b: 84, 'm/<anonymous>': 87, m: 99, if2: 1 });
    const d = mkdtempSync(join(tmpdir(), 'uat-size-'));
    try {
      mkdirSync(join(d, 'src'));
      writeFileSync(join(d, 'src', 'x.ts'), src + '\n'.repeat(60));
      writeFileSync(join(d, 'src', 'ok.ts'), 'export const ok = 1;\n');
      const bad = sizeViolations(d, { files: { 'src/x.ts': 500, 'src/ok.ts': 2, 'src/gone.ts': 900 }, functions: { 'src/x.ts:m': 120 } }).join('\n');
      expect(bad).toMatch(/src\/x\.ts: \d+ lines: lower its exception from 500 to \d+/);
      expect(bad).toMatch(/src\/ok\.ts: 1 lines, within the budget: remove its exception/);
      expect(bad).toMatch(/src\/gone\.ts: listed .* but gone/);
      expect(bad).toMatch(/src\/x\.ts:a: 81 lines, over 80/);
      expect(bad).toMatch(/src\/x\.ts:m: 99 lines: lower its exception from 120 to 99/);
      expect(sizeViolations(d, { files: { 'src/x.ts': 300 }, functions: {} }).join('\n')).toMatch(/src\/x\.ts: \d+ lines, over 300 \(its listed size: exceptions may only shrink\)/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
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
