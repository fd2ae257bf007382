/**
 * The static documentation site (`npm run docs`): markdown pages of docs/ and proofs/ (and any
 * repository .md they link to) rendered with marked, every `$…$` / `$$…$$` formula rendered
 * server-side by KaTeX with `throwOnError: true`, the SVG figures copied, Mermaid diagrams
 * (the blueprint's dependency graph) rendered in the browser by mermaid's own bundle (copied
 * from node_modules, loaded only on pages with a diagram), and every linked source file rendered
 * as a page with line anchors (`#L12`), one anchor per exported name (`#buildRouting`) and links
 * back to the proof and the test suites of its label (`backlinks`), so that theorem → lemma →
 * code → test is a path of clicks (tested in a real browser: property-tests/site-browser.test.ts).
 * Links are written between repository paths in the markdown (they work on a forge as they are)
 * and rewritten here: `x.md` → `x.html`, a source `f.ts` → `f.ts.html`. `checkSite` verifies that
 * every internal link and anchor of the built site resolves.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { Marked, type Tokens } from 'marked';
import katex from 'katex';

export interface BuildOptions {
  /** repository root */
  root: string;
  /** output directory (default `<root>/site`) */
  outDir?: string;
  /** per code file (repo path): the labels it realises, with their proof page and test suites */
  backlinks?: Record<string, { label: string; doc: string; tests: string[] }[]>;
}

export interface BuildResult {
  outDir: string;
  /** repo-relative markdown pages rendered */
  pages: string[];
  /** repo-relative source files rendered as pages */
  sources: string[];
  /** repo-relative files copied (figures) */
  assets: string[];
  /** formulas rendered (inline, display) */
  formulas: { inline: number; display: number };
  /** KaTeX strict-mode warnings (page: message) — the formula still rendered */
  katexWarnings: string[];
  /** links whose target file does not exist in the repository (page: href) */
  missing: string[];
}

const IMAGE_EXT = /\.(svg|png|jpe?g|gif)$/i;

/** GitHub-style heading slug: lower case, punctuation dropped (letters, digits, spaces, - and _ kept), spaces → '-'. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/&[a-z]+;|&#\d+;/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const toPosix = (p: string) => p.split('\\').join('/');

/** The site path of a repository path: .md → .html, images as they are, other files → `<file>.html`. */
export function sitePath(repoPath: string): string {
  if (/\.md$/i.test(repoPath)) return repoPath.replace(/\.md$/i, '.html');
  if (IMAGE_EXT.test(repoPath)) return repoPath;
  return repoPath + '.html';
}

interface PageContext {
  /** repo-relative path of the page being rendered */
  page: string;
  found: Set<string>;
  missing: string[];
  /** the page has a Mermaid diagram (load the renderer) */
  mermaid?: boolean;
}

/** A markdown renderer with KaTeX math and heading ids; link targets are collected and rewritten. */
function makeMarked(root: string, ctxRef: { ctx?: PageContext }, stats: BuildResult) {
  const renderMath = (tex: string, display: boolean): string => {
    const ctx = ctxRef.ctx!;
    if (display) stats.formulas.display++;
    else stats.formulas.inline++;
    return katex.renderToString(tex, {
      displayMode: display,
      throwOnError: true,
      output: 'html',
      strict: (code: string, msg: string) => {
        stats.katexWarnings.push(`${ctx.page}: ${code}: ${msg} in ${tex.slice(0, 60)}`);
        return 'ignore';
      },
    });
  };
  const slugsSeen = new Map<string, number>();
  const marked = new Marked({ gfm: true });
  marked.use({
    extensions: [
      {
        name: 'mathBlock',
        level: 'block',
        start: (src: string) => {
          const i = src.search(/^\$\$/m);
          return i < 0 ? undefined : i;
        },
        tokenizer(src: string) {
          const m = /^\$\$([\s\S]+?)\$\$[ \t]*(?:\n|$)/.exec(src);
          if (m) return { type: 'mathBlock', raw: m[0], text: m[1]!.trim() };
          return undefined;
        },
        renderer: (t: Tokens.Generic) => `<div class="math-display">${renderMath(String(t.text), true)}</div>\n`,
      },
      {
        name: 'mathInline',
        level: 'inline',
        start: (src: string) => {
          const i = src.indexOf('$');
          return i < 0 ? undefined : i;
        },
        tokenizer(src: string) {
          const d = /^\$\$([\s\S]+?)\$\$/.exec(src);
          if (d) return { type: 'mathInline', raw: d[0], text: d[1]!.trim(), display: true };
          // one formula may wrap onto the next line, never across a blank line (a new paragraph)
          const m = /^\$(?!\s)((?:\\[\s\S]|[^\\$])+?)(?<!\s)\$(?!\d)/.exec(src);
          if (m && !/\n[ \t]*\n/.test(m[1]!)) return { type: 'mathInline', raw: m[0], text: m[1]!, display: false };
          return undefined;
        },
        renderer: (t: Tokens.Generic) => renderMath(String(t.text), !!t.display),
      },
    ],
    renderer: {
      heading(this: { parser: { parseInline(tokens: unknown[]): string } }, t: Tokens.Heading): string {
        const inner = this.parser.parseInline(t.tokens);
        let s = slug(inner);
        const n = slugsSeen.get(s) ?? 0;
        slugsSeen.set(s, n + 1);
        if (n > 0) s = `${s}-${n}`;
        return `<h${t.depth} id="${escapeHtml(s)}">${inner}</h${t.depth}>\n`;
      },
      code(t: Tokens.Code): string {
        if (t.lang === 'mermaid') {
          ctxRef.ctx!.mermaid = true;
          return `<pre class="mermaid">${escapeHtml(t.text)}</pre>\n`; // mermaid reads the text and draws an <svg> in place
        }
        const cls = t.lang ? ` class="language-${escapeHtml(t.lang)}"` : '';
        return `<pre${cls}><code>${escapeHtml(t.text)}</code></pre>\n`;
      },
    },
    walkTokens(token) {
      const ctx = ctxRef.ctx!;
      if (token.type !== 'link' && token.type !== 'image') return;
      const tk = token as Tokens.Link | Tokens.Image;
      tk.href = rewriteHref(root, ctx, tk.href);
    },
  });
  return { marked, resetSlugs: () => slugsSeen.clear() };
}

/** Rewrites one href of a page: repository paths to site paths (relative), collecting targets. */
function rewriteHref(root: string, ctx: PageContext, href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#') || href === '') return href;
  const hashAt = href.indexOf('#');
  const pathPart = decodeURI(hashAt >= 0 ? href.slice(0, hashAt) : href);
  const hash = hashAt >= 0 ? href.slice(hashAt) : '';
  const pageDir = posix.dirname(ctx.page);
  let target = posix.normalize(posix.join(pageDir, pathPart));
  if (target.startsWith('..')) {
    ctx.missing.push(`${ctx.page}: ${href} (outside the repository)`);
    return href;
  }
  const abs = join(root, target);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    const readme = posix.join(target, 'README.md');
    if (existsSync(join(root, readme))) target = readme;
    else {
      ctx.missing.push(`${ctx.page}: ${href} (a directory without README.md)`);
      return href;
    }
  } else if (!existsSync(abs)) {
    ctx.missing.push(`${ctx.page}: ${href}`);
  } else ctx.found.add(target);
  const rel = posix.relative(posix.dirname(sitePath(ctx.page)), sitePath(target)) || posix.basename(sitePath(target));
  return encodeURI(rel) + hash;
}

const NAV: [string, string][] = [
  ['docs/index.md', 'Home'], ['docs/theorem.md', 'Theorem'], ['docs/model.md', 'Model'], ['docs/construction.md', 'Construction'],
  ['docs/budget.md', 'Budget'], ['docs/verifier.md', 'Verifier'], ['docs/macaron-ode.md', 'Macaron & ODE'], ['docs/claims.md', 'Claims'],
  ['docs/notation.md', 'Notation'], ['docs/reproducibility.md', 'Reproducibility'], ['proofs/README.md', 'Proofs'],
];

const CSS = `
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:60rem;margin:0 auto;padding:0 1.2rem 3rem;line-height:1.55;color:#1b1b1b}
nav{border-bottom:1px solid #ddd;padding:.8rem 0;margin-bottom:1rem;font-size:.92rem}nav a{margin-right:.9rem}
code{background:#f4f4f4;padding:.05rem .25rem;border-radius:3px;font-size:.92em}pre{background:#f6f8fa;padding:.8rem;overflow:auto}
pre code{background:none;padding:0}table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top}
img{max-width:100%}blockquote{border-left:4px solid #ddd;margin-left:0;padding-left:1rem;color:#444}.math-display{overflow-x:auto}
.src{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;white-space:pre;background:#fafafa;border:1px solid #eee;overflow:auto}
.src div{padding:0 .5rem}.src div:target{background:#fff3c4}.src .ln{display:inline-block;width:3.5rem;color:#999;user-select:none;text-decoration:none}
`;

let navRoot = '.';
function template(siteFile: string, title: string, body: string, mermaid = false): string {
  const up = posix.relative(posix.dirname(siteFile), '.') || '.';
  const scripts = mermaid
    ? `<script src="${up}/assets/mermaid.min.js"></script><script>mermaid.initialize({ startOnLoad: true, securityLevel: 'strict' });</script>`
    : '';
  const nav = NAV.filter(([p]) => existsSync(join(navRoot, p))).map(([p, t]) => `<a href="${posix.relative(posix.dirname(siteFile), sitePath(p)) || posix.basename(sitePath(p))}">${t}</a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — uat</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="${up}/assets/katex/katex.min.css"><link rel="stylesheet" href="${up}/assets/site.css">${scripts}
</head><body><nav>${nav}</nav><main>
${body}
</main></body></html>
`;
}

/** A source file as a page: numbered lines with ids L1…, an id per exported name on its line, links to its labels' proofs and tests. */
export function sourcePage(repoPath: string, text: string, back: { label: string; doc: string; tests: string[] }[] = []): string {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const named = new Set<string>();
  const html = lines.map((line, i) => {
    const n = i + 1;
    const m = /^\s*export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\s*\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/.exec(line);
    let anchor = '';
    if (m && !named.has(m[1]!) && !/^L\d+$/.test(m[1]!)) {
      named.add(m[1]!);
      anchor = `<span id="${escapeHtml(m[1]!)}"></span>`;
    }
    return `<div id="L${n}">${anchor}<a class="ln" href="#L${n}">${n}</a>${escapeHtml(line)}</div>`;
  });
  const rel = (p: string) => posix.relative(posix.dirname(sitePath(repoPath)), sitePath(p)) || posix.basename(sitePath(p));
  const a = (p: string, t: string) => `<a href="${encodeURI(rel(p))}">${escapeHtml(t)}</a>`;
  const links = back.map((b) => `<li>${a(b.doc, b.label)} — tested by ${b.tests.map((t) => a(t, posix.basename(t))).join(', ')}</li>`).join('');
  const body = `<h1><code>${escapeHtml(repoPath)}</code></h1>\n${links ? `<ul class="backlinks">${links}</ul>\n` : ''}<div class="src">${html.join('')}</div>`;
  return template(sitePath(repoPath), repoPath, body);
}

function listMd(root: string, dir: string): string[] {
  const d = join(root, dir);
  if (!existsSync(d)) return [];
  return readdirSync(d).filter((f) => f.endsWith('.md')).sort().map((f) => `${dir}/${f}`);
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function copyDir(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src)) {
    const s = join(src, e), d = join(dst, e);
    if (statSync(s).isDirectory()) copyDir(s, d);
    else copyFileSync(s, d);
  }
}

/** Builds the site (the output directory is emptied first). Throws on any KaTeX error. */
export function buildSite(opts: BuildOptions): BuildResult {
  const root = resolve(opts.root);
  navRoot = root;
  const outDir = resolve(opts.outDir ?? join(root, 'site'));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const stats: BuildResult = { outDir, pages: [], sources: [], assets: [], formulas: { inline: 0, display: 0 }, katexWarnings: [], missing: [] };
  const ctxRef: { ctx?: PageContext } = {};
  const { marked, resetSlugs } = makeMarked(root, ctxRef, stats);
  const queue = [...listMd(root, 'docs'), ...listMd(root, 'proofs')];
  const done = new Set<string>();
  const linked = new Set<string>();
  while (queue.length) {
    const page = queue.shift()!;
    if (done.has(page)) continue;
    done.add(page);
    const md = readFileSync(join(root, page), 'utf8');
    const ctx: PageContext = { page, found: new Set(), missing: stats.missing };
    ctxRef.ctx = ctx;
    resetSlugs();
    let html: string;
    try {
      html = marked.parse(md, { async: false }) as string;
    } catch (e) {
      throw new Error(`${page}: ${(e as Error).message}`);
    }
    const title = /^#\s+(.+)$/m.exec(md)?.[1]?.replace(/[`*$\\]/g, '') ?? page;
    write(join(outDir, sitePath(page)), template(sitePath(page), title, html, ctx.mermaid));
    stats.pages.push(page);
    for (const t of ctx.found) {
      if (/\.md$/i.test(t)) {
        if (!done.has(t)) queue.push(t);
      } else linked.add(t);
    }
  }
  for (const t of [...linked]) for (const b of opts.backlinks?.[t] ?? []) for (const x of [b.doc, ...b.tests]) if (!/\.md$/i.test(x)) linked.add(x);
  for (const t of [...linked].sort()) {
    if (IMAGE_EXT.test(t)) {
      mkdirSync(dirname(join(outDir, t)), { recursive: true });
      copyFileSync(join(root, t), join(outDir, t));
      stats.assets.push(t);
    } else {
      write(join(outDir, sitePath(t)), sourcePage(t, readFileSync(join(root, t), 'utf8'), opts.backlinks?.[t]));
      stats.sources.push(t);
    }
  }
  // assets: KaTeX CSS and fonts, the site CSS, an index redirect
  const katexDist = resolve(new URL('../node_modules/katex/dist', import.meta.url).pathname);
  mkdirSync(join(outDir, 'assets/katex'), { recursive: true });
  copyFileSync(join(katexDist, 'katex.min.css'), join(outDir, 'assets/katex/katex.min.css'));
  copyDir(join(katexDist, 'fonts'), join(outDir, 'assets/katex/fonts'));
  copyFileSync(resolve(new URL('../node_modules/mermaid/dist/mermaid.min.js', import.meta.url).pathname), join(outDir, 'assets/mermaid.min.js'));
  write(join(outDir, 'assets/site.css'), CSS);
  write(join(outDir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=docs/index.html"><title>uat</title></head><body><a href="docs/index.html">uat documentation</a></body></html>\n`);
  return stats;
}

/** Every .html file under dir (site-relative, posix). */
function htmlFiles(dir: string, base = dir, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) htmlFiles(p, base, out);
    else if (e.endsWith('.html')) out.push(toPosix(relative(base, p)));
  }
  return out;
}

/** The ids of an HTML text. */
export function idsOf(html: string): Set<string> {
  const s = new Set<string>();
  for (const m of html.matchAll(/\sid="([^"]*)"/g)) s.add(m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  return s;
}

/** Internal links (href/src) of an HTML text, as written (external and data: links excluded). */
export function linksOf(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const h = m[1]!.replace(/&amp;/g, '&');
    if (/^[a-z][a-z0-9+.-]*:/i.test(h)) continue;
    out.push(h);
  }
  return out;
}

/** Resolves a link of `fromFile` (site-relative) to [site-relative target file, fragment]. */
export function resolveLink(fromFile: string, href: string): [string, string] {
  const i = href.indexOf('#');
  const p = decodeURI(i >= 0 ? href.slice(0, i) : href);
  const frag = i >= 0 ? decodeURIComponent(href.slice(i + 1)) : '';
  const target = p === '' ? fromFile : posix.normalize(posix.join(posix.dirname(fromFile), p));
  return [target, frag];
}

/** Checks every internal link and anchor of the built site; returns the broken ones. */
export function checkSite(outDir: string): { broken: string[]; links: number; files: number } {
  const files = htmlFiles(outDir);
  const idCache = new Map<string, Set<string>>();
  const ids = (f: string) => {
    let s = idCache.get(f);
    if (!s) {
      s = idsOf(readFileSync(join(outDir, f), 'utf8'));
      idCache.set(f, s);
    }
    return s;
  };
  const broken: string[] = [];
  let links = 0;
  for (const f of files) {
    const html = readFileSync(join(outDir, f), 'utf8');
    for (const href of linksOf(html)) {
      links++;
      const [target, frag] = resolveLink(f, href);
      if (target.startsWith('..') || !existsSync(join(outDir, target))) {
        broken.push(`${f}: ${href} (no file ${target})`);
        continue;
      }
      if (frag && target.endsWith('.html') && !ids(target).has(frag)) broken.push(`${f}: ${href} (no anchor #${frag} in ${target})`);
    }
  }
  return { broken, links, files: files.length };
}
