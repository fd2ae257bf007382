/**
 * The repository stands on its own (scripts/links-lib.ts): no markdown link and no path-like
 * citation in the sources, their messages or any `--help` text leaves it or names a missing file;
 * and the check is not vacuous: a path into `../shared/`, a bare upper-case markdown name, a
 * missing page of docs/, a wrong `#export` anchor are each reported.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkMarkdownLinks, checkCitations, helpTexts, pathCitations, checkExampleWrites, exampleWrites } from '../scripts/links-lib.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const tmp = mkdtempSync(join(tmpdir(), 'uat-links-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('links and citations', () => {
  it('every markdown link and every citation resolves inside the repository', async () => {
    const md = checkMarkdownLinks(ROOT);
    expect(md.broken).toEqual([]);
    expect(md.checked).toBeGreaterThan(300);
    const help = await helpTexts();
    expect(Object.keys(help).length).toBeGreaterThan(9);
    expect(Object.values(help).join('\n')).toMatch(/docs\/design\.md/); // the help texts do cite files
    const cit = checkCitations(ROOT, help);
    expect(cit.broken).toEqual([]);
    expect(cit.files).toBeGreaterThan(100);
  });

  it('the examples of README.md and docs/ write only into out/ (gitignored), so running them leaves no litter', () => {
    expect(checkExampleWrites(ROOT)).toEqual([]);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(exampleWrites(readme).length).toBeGreaterThanOrEqual(7);
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8')).toMatch(/^\/out\/$/m);
    expect(exampleWrites("```sh\necho '{}' > cfg.json\nuat init --out m.safetensors\ncat > out/t.json <<'JSON'\n{ \"a\": 1 } > x\nJSON\n```\n`uat ode --plot ode.svg`"))
      .toEqual(['cfg.json', 'm.safetensors', 'out/t.json', 'ode.svg']);
  });

  it('is not vacuous: paths leaving the repository, missing files and wrong anchors are reported', () => {
    mkdirSync(join(tmp, 'docs'));
    mkdirSync(join(tmp, 'src'));
    writeFileSync(join(tmp, 'docs/a.md'), '# A\n');
    writeFileSync(join(tmp, 'src/f.ts'), '/** see docs/a.md and ../shared/MATH.md and DESIGN.md and docs/gone.md */\nexport function g() { return "docs/none.md"; }\n');
    writeFileSync(join(tmp, 'README.md'), '[m](../shared/MATH.md) [d](docs/a.md) [x](docs/missing.md) [f](src/f.ts#g) [w](src/f.ts#h) [u](https://x.org/a/b.md) `[c](ignored.md)`\n');
    const md = checkMarkdownLinks(tmp).broken.join('\n');
    expect(md).toMatch(/README\.md: \.\.\/shared\/MATH\.md \(leaves the repository\)/);
    expect(md).toMatch(/README\.md: docs\/missing\.md \(no such file/);
    expect(md).toMatch(/README\.md: src\/f\.ts#h \(src\/f\.ts has no export h\)/);
    expect(md).not.toMatch(/docs\/a\.md \(|#g \(|x\.org|ignored/);
    const cit = checkCitations(tmp, { 'uat x --help': 'spec of docs/design.md' }).broken.join('\n');
    for (const t of ['../shared/MATH.md', 'DESIGN.md', 'docs/gone.md', 'docs/none.md']) expect(cit).toContain(`src/f.ts: ${t}`);
    expect(cit).toContain('uat x --help: docs/design.md');
    expect(cit).not.toContain('src/f.ts: docs/a.md');
    expect(pathCitations('out/DIR/certificate.json, proofs/<label>.md, https://example.org/x/y.md')).toEqual([]);
  });
});
