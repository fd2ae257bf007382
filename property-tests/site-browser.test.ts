/**
 * The documentation site in a real browser: Debian's chromium (`/usr/bin/chromium`, or
 * UAT_CHROMIUM) driven by playwright-core, headless, against the built site served from a
 * localhost static server started here. Every page loads with no console error, no failed
 * request and no KaTeX error element; every figure loads (an <img> with a decoded size); the
 * Mermaid dependency graph is drawn (an <svg> with a node per label); and for every label the
 * path theorem → proof → code (at the function's anchor) → test suite works by clicking.
 * (The describe title is not a label on purpose.)
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BLUEPRINT } from '../proofs/blueprint.ts';
import { buildSite, sitePath, type BuildResult } from '../scripts/docs-lib.ts';
import { codeBacklinks } from '../scripts/blueprint-lib.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const CHROMIUM = process.env.UAT_CHROMIUM ?? '/usr/bin/chromium';
// like the Coq and PyTorch suites: without the browser the file is skipped with a visible message, and
// UAT_REQUIRE_CHROMIUM=1 (.ci/run) makes a missing browser a failure
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) process.stderr.write(`\n*** SKIPPED (needs chromium): ${CHROMIUM} not found. Install it with apt-get install -y chromium (or set UAT_CHROMIUM); UAT_REQUIRE_CHROMIUM=1 makes this a failure. ***\n\n`);
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.json': 'application/json',
};

let site: BuildResult;
let server: Server;
let base: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const TABS = 1; // one tab: measured faster than 4 on 2 cores (57.8 s against 73.9 s for this file), and lighter beside the other test worker

async function newTab(): Promise<Page> {
  const p = await browser.newPage();
  p.on('console', (m) => void (m.type() === 'error' && problems.push(`${p.url()}: console: ${m.text()}`)));
  p.on('pageerror', (e) => void problems.push(`${p.url()}: page error: ${e.message}`));
  p.on('requestfailed', (r) => void problems.push(`${p.url()}: request failed (${r.failure()?.errorText ?? ''}): ${r.url()}`));
  p.on('response', (r) => void (r.status() >= 400 && problems.push(`${p.url()}: HTTP ${r.status()}: ${r.url()}`)));
  return p;
}

/** Runs `job` on every item, `TABS` at a time, each worker in its own tab. */
async function inTabs<T>(items: T[], job: (tab: Page, item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: TABS }, async () => {
    const tab = await newTab();
    try {
      for (let it = queue.shift(); it !== undefined; it = queue.shift()) await job(tab, it);
    } finally {
      await tab.close();
    }
  }));
}

/**
 * KaTeX error elements and every <img> with whether it decoded: one round trip per page, after the
 * page's web fonts have settled (KaTeX's fonts load after the `load` event; leaving the page earlier
 * would cancel them, and every failed request counts).
 */
function settled(tab: Page): Promise<void> {
  return tab.evaluate(async () => void (await document.fonts.ready));
}

function inspect(tab: Page): Promise<{ katexErrors: number; imgs: { src: string | null; ok: boolean }[] }> {
  return tab.evaluate(async () => {
    await document.fonts.ready;
    return {
      katexErrors: document.querySelectorAll('.katex-error').length,
      imgs: [...document.querySelectorAll('img')].map((e) => ({ src: e.getAttribute('src'), ok: e.complete && e.naturalWidth > 0 })),
    };
  });
}

describe('chromium', () => {
  it.runIf(process.env.UAT_REQUIRE_CHROMIUM === '1')('is installed (UAT_REQUIRE_CHROMIUM=1)', () => expect(HAS_CHROMIUM, `${CHROMIUM} not found`).toBe(true));
});

describe.runIf(HAS_CHROMIUM)('the documentation site in chromium', () => {
  beforeAll(async () => {
    site = buildSite({ root: ROOT, outDir: mkdtempSync(join(tmpdir(), 'uat-site-browser-')), backlinks: codeBacklinks(BLUEPRINT) });
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(site.outDir, path));
      if (!file.startsWith(site.outDir)) return void res.writeHead(403).end();
      try {
        if (statSync(file).isDirectory()) file = join(file, 'index.html');
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await newTab();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
    if (site) rmSync(site.outDir, { recursive: true, force: true });
  });

  it('every page loads with no console error, no failed request, no KaTeX error, every figure decoded', async () => {
    problems.length = 0;
    const pages = ['index.html', ...site.pages.map(sitePath), ...site.sources.map(sitePath)];
    let figures = 0;
    await inTabs(pages, async (tab, p) => {
      await tab.goto(base + encodeURI(p), { waitUntil: 'load' });
      // index.html forwards (meta refresh) to docs/index.html: inspect the page it lands on
      if (p === 'index.html') await tab.waitForURL('**/docs/index.html', { waitUntil: 'load' });
      // one round trip per page (a locator and an $$eval cost ~0.1 s each on a loaded machine)
      const seen = await inspect(tab);
      expect(seen.katexErrors, `${p}: KaTeX error`).toBe(0);
      for (const i of seen.imgs) expect(i.ok, `${p}: figure ${i.src} did not load`).toBe(true);
      figures += seen.imgs.length;
    });
    expect(problems.join('\n')).toBe('');
    expect(pages.length).toBeGreaterThan(50);
    expect(figures).toBeGreaterThanOrEqual(site.assets.length);
    console.log(`site in chromium: ${pages.length} pages, ${figures} figures, no console error`);
  }, 600_000);

  it('the checks are not vacuous: a missing figure, a KaTeX error, a script error and a broken diagram are caught', async () => {
    problems.length = 0;
    writeFileSync(join(site.outDir, 'control.html'), '<!doctype html><html><head><link rel="icon" href="data:,"></head><body>' +
      '<img src="docs/figures/missing.svg"><span class="katex-error">\\frac{</span><script>console.error("boom")</script>' +
      '<script src="assets/mermaid.min.js"></script><pre class="mermaid">graph BT\n  a[["broken</pre>' +
      '<script>mermaid.initialize({ startOnLoad: true })</script></body></html>');
    await page.goto(base + 'control.html', { waitUntil: 'load' });
    await page.waitForTimeout(500);
    const seen0 = await inspect(page);
    expect(seen0.katexErrors).toBe(1);
    expect(seen0.imgs).toEqual([{ src: 'docs/figures/missing.svg', ok: false }]);
    const seen = problems.join('\n');
    expect(seen).toMatch(/HTTP 404: .*missing\.svg/);
    expect(seen).toMatch(/console: boom/);
    expect(await page.locator('pre.mermaid svg g.node').count()).toBe(0);
    rmSync(join(site.outDir, 'control.html'));
    problems.length = 0;
  }, 120_000);

  it('the Mermaid dependency graph is drawn, one node per label', async () => {
    problems.length = 0;
    await page.goto(base + 'proofs/README.html', { waitUntil: 'load' });
    await page.waitForSelector('pre.mermaid svg', { timeout: 60_000 });
    const text = (await page.locator('pre.mermaid svg').textContent()) ?? '';
    for (const label of Object.keys(BLUEPRINT)) expect(text, `node ${label}`).toContain(label);
    expect(await page.locator('pre.mermaid svg g.node').count()).toBe(Object.keys(BLUEPRINT).length);
    expect(problems.join('\n')).toBe('');
  }, 120_000);

  it('theorem → proof → code (at the function) → tests, by clicking, for every label', async () => {
    problems.length = 0;
    await inTabs(Object.entries(BLUEPRINT), async (page, [label, e]) => {
      await page.goto(base + 'docs/theorem.html', { waitUntil: 'load' });
      await settled(page);
      await page.locator(`a[href$="${sitePath(e.doc).split('/').pop()}"]`).first().click();
      await page.waitForURL(`**/${sitePath(e.doc)}`);
      expect(await page.locator('h1').first().innerText(), label).toContain(label);
      await settled(page);
      const fn = e.code[0]!.fns[0]!.name;
      await page.locator(`a[href$="${sitePath(e.code[0]!.file).split('/').pop()}#${fn}"]`).first().click();
      await page.waitForURL(`**/${sitePath(e.code[0]!.file)}#${fn}`);
      expect(await page.locator(`[id="${fn}"]`).count(), `${label}: anchor ${fn}`).toBe(1);
      await settled(page);
      const test = e.tests[0]!;
      await page.locator(`ul.backlinks a[href$="${sitePath(test).split('/').pop()}"]`).first().click();
      await page.waitForURL(`**/${sitePath(test)}`);
      expect(await page.locator('h1').innerText()).toBe(test);
      expect(await page.locator('.src').innerText()).toContain(`describe('${label}'`);
      await settled(page);
    });
    expect(problems.join('\n')).toBe('');
  }, 300_000);
});
