/**
 * The documentation site (`npm run docs`, scripts/docs-lib.ts): it builds; every internal link and
 * anchor resolves; KaTeX renders every formula with throwOnError (and a bad formula does fail the
 * build); from the theorem page every label's proof, every code file (at the function's anchor)
 * and every property suite is one click away. The describe title is not a label on purpose.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BLUEPRINT } from '../proofs/blueprint.ts';
import { buildSite, checkSite, linksOf, resolveLink, sitePath, slug, idsOf, type BuildResult } from '../scripts/docs-lib.ts';
import { codeBacklinks } from '../scripts/blueprint-lib.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
let built: BuildResult;

describe('docs site', () => {
  beforeAll(() => {
    built = buildSite({ root: ROOT, outDir: mkdtempSync(join(tmpdir(), 'uat-site-')), backlinks: codeBacklinks(BLUEPRINT) });
  }, 120_000);
  afterAll(() => void (built && rmSync(built.outDir, { recursive: true, force: true })));

  it('builds every page of docs/ and proofs/, with formulas rendered by KaTeX', () => {
    for (const p of ['docs/index.md', 'docs/theorem.md', 'docs/claims.md', 'docs/notation.md', 'proofs/README.md', 'proofs/thm-main.md'])
      expect(built.pages).toContain(p);
    for (const l of Object.keys(BLUEPRINT)) expect(built.pages).toContain(BLUEPRINT[l]!.doc);
    expect(built.formulas.inline + built.formulas.display).toBeGreaterThan(500);
    for (const p of built.pages) {
      const html = readFileSync(join(built.outDir, sitePath(p)), 'utf8');
      expect(html).not.toContain('katex-error');
      // no formula was left unrendered: no "$" delimiter survives outside code
      const text = html.replace(/<pre[\s\S]*?<\/pre>/g, '').replace(/<code>[\s\S]*?<\/code>/g, '').replace(/<span class="katex[\s\S]*?<\/annotation>/g, '');
      expect(text, `${p} has a stray $`).not.toMatch(/(^|[^\\])\$[^<]{0,40}\$/);
    }
    console.log(`docs site: ${built.pages.length} pages, ${built.sources.length} source pages, ${built.formulas.inline}+${built.formulas.display} formulas, ${built.katexWarnings.length} KaTeX strict warnings`);
  });

  it('every internal link and anchor resolves, and every markdown link target exists', () => {
    const chk = checkSite(built.outDir);
    expect(built.missing).toEqual([]);
    expect(chk.broken).toEqual([]);
    expect(chk.links).toBeGreaterThan(200);
  });

  it("from the theorem page, each label's proof, code (at the function) and suites are one click away", () => {
    const file = 'docs/theorem.html';
    const html = readFileSync(join(built.outDir, file), 'utf8');
    const targets = new Set(linksOf(html).map((h) => resolveLink(file, h).join('#')));
    for (const [label, e] of Object.entries(BLUEPRINT)) {
      expect(targets.has(`${sitePath(e.doc)}#`), `${label}: proof`).toBe(true);
      for (const c of e.code) for (const f of c.fns) expect(targets.has(`${sitePath(c.file)}#${f.name}`), `${label}: ${c.file}#${f.name}`).toBe(true);
      for (const t of e.tests) expect(targets.has(`${sitePath(t)}#`), `${label}: ${t}`).toBe(true);
      // and the anchors land on the function's line
      for (const c of e.code) {
        const ids = idsOf(readFileSync(join(built.outDir, sitePath(c.file)), 'utf8'));
        for (const f of c.fns) expect(ids.has(f.name), `${c.file} has no anchor ${f.name}`).toBe(true);
      }
    }
  });

  it('the checks are not vacuous: a bad formula fails the build, a broken link or anchor and a page without an icon are reported', () => {
    const root = mkdtempSync(join(tmpdir(), 'uat-site-bad-'));
    try {
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs/ok.md'), '# Ok\n\n[there](other.md#nowhere) and [gone](missing.md) and $x^2$\n');
    writeFileSync(join(root, 'docs/other.md'), '# Other\n');
    const r = buildSite({ root, outDir: join(root, 'site') });
    expect(r.missing.join('\n')).toMatch(/missing\.md/);
    expect(checkSite(r.outDir).broken.join('\n')).toMatch(/no anchor #nowhere/);
    expect(checkSite(r.outDir).broken.join('\n')).not.toMatch(/rel="icon"/);
    // a page without a declared icon makes the browser request /favicon.ico (a 404 the site cannot serve)
    writeFileSync(join(r.outDir, 'index.html'), '<!doctype html><html><head><title>x</title></head><body></body></html>');
    expect(checkSite(r.outDir).broken.join('\n')).toMatch(/index\.html: no <link rel="icon">/);
    writeFileSync(join(root, 'docs/bad.md'), '# Bad\n\n$\\frac{1}{$ and $$\\begin{aligned} x \\end{nothing}$$\n');
    expect(() => buildSite({ root, outDir: join(root, 'site2') })).toThrow(/bad\.md/);
    expect(existsSync(join(root, 'site2', 'docs', 'bad.html'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('heading anchors follow the GitHub slug rule', () => {
    expect(slug('thm:main — one transformer layer')).toBe('thmmain--one-transformer-layer');
    expect(slug('The float term')).toBe('the-float-term');
    expect(slug('Every lemma: proof, code, tests')).toBe('every-lemma-proof-code-tests');
  });
});
