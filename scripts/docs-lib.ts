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
import { dirname, join, posix, resolve } from 'node:path';
import { Marked, type Tokens } from 'marked';
import katex from 'katex';
import { coqStatement } from './formal-lib.ts';

export interface BuildOptions {
  /** repository root */
  root: string;
  /** output directory (default `<root>/site`) */
  outDir?: string;
  /**
   * Coq theorems to show beside a proof page's prose **Statement**: page (`proofs/lem-routing.md`) →
   * the theorem in proofs/coq (its statement is extracted from the .v file at build time).
   */
  formal?: Record<string, { file: string; theorem: string }>;
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
    if (existsSync(join(root, readme))) {
      target = readme;
      ctx.found.add(target);
    } else {
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
.coq-statement{border-left:4px solid #2e5c8b;padding-left:.8rem;margin:1rem 0}
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
    const m = /^\s*export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\s*\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/.exec(line) ??
      (repoPath.endsWith('.v') ? /^\s*(?:Theorem|Lemma|Corollary|Definition|Fixpoint|Record|Inductive)\s+([A-Za-z_][\w']*)/.exec(line) : null);
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
    let md = readFileSync(join(root, page), 'utf8');
    const formal = opts.formal?.[page];
    if (formal) md = withCoqStatement(md, root, formal);
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
  write(join(outDir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=docs/index.html"><link rel="icon" href="data:,"><title>uat</title></head><body><a href="docs/index.html">uat documentation</a></body></html>\n`);
  return stats;
}

/**
 * The proof page's markdown with its Coq theorem's statement (extracted from proofs/coq/<file>,
 * from `Theorem name` to `Proof.`) inserted at the end of its `## Statement` section.
 */
export function withCoqStatement(md: string, root: string, ref: { file: string; theorem: string }): string {
  const path = join(root, 'proofs/coq', ref.file);
  if (!existsSync(path)) throw new Error(`Coq file proofs/coq/${ref.file} (theorem ${ref.theorem}) does not exist`);
  const st = coqStatement(readFileSync(path, 'utf8'), ref.theorem);
  if (!st) throw new Error(`proofs/coq/${ref.file}: no theorem ${ref.theorem}`);
  const at = /^## Statement[ \t]*$/m.exec(md);
  if (!at) return md;
  const next = md.slice(at.index + at[0].length).search(/^## /m);
  const cut = next < 0 ? md.length : at.index + at[0].length + next;
  const block = `<div class="coq-statement">\n\n**In Coq** — [\`${ref.theorem}\`](coq/${ref.file}#${ref.theorem}) in [proofs/coq/${ref.file}](coq/${ref.file}), ` +
    'checked by `npm run check:formal`; what it covers and what it does not: **Formal** below.\n\n' +
    '```coq\n' + st.statement + '\n```\n\n</div>\n\n';
  return md.slice(0, cut) + block + md.slice(cut);
}

export { idsOf, linksOf, resolveLink, checkSite } from './site-check.ts';
