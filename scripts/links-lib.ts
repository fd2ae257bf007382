/**
 * The repository stands on its own: every link and every path-like citation resolves to a file
 * inside it (used by `npm run check:links` and property-tests/links.test.ts).
 *  - Markdown (README.md, docs/, proofs/, src/**, bench/, scripts/ — every tracked `.md`): each
 *    relative link or image `[…](target)` and each HTML `href`/`src` must resolve, from the
 *    file's folder, to an existing file or folder inside the repository; a `file.ts#name` anchor
 *    must name an export of that file, `#L12` a line it has.
 *  - Path-like citations (`docs/math.md §2`, `src/construct/plan.ts`, a `../shared/…` file) in
 *    the comments of every TypeScript file, the strings of src/ (messages, claim sources) and
 *    texts such as every `--help`: a token with a `/` ending in a file extension must resolve,
 *    inside the repository, from the citing file's folder, the repository root, `src/` (module
 *    paths such as `interval/vec.ts`) or `docs/`/`proofs/` (links written for those pages); so
 *    must a bare upper-case markdown name (the old `MATH` and `DESIGN` files outside the tree).
 * Placeholders (`<label>`, an upper-case segment such as `DIR/`, `*`, `{…}`) and URLs are skipped.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '.git', 'site', 'out', 'coverage']);

/** Every file under `dir` (repo-relative, posix) whose name passes `keep`. */
export function repoFiles(root: string, keep: (name: string) => boolean, dir = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir)).sort()) {
    if (SKIP_DIRS.has(e) || e.startsWith('.')) continue;
    const rel = dir ? `${dir}/${e}` : e;
    if (statSync(join(root, rel)).isDirectory()) out.push(...repoFiles(root, keep, rel));
    else if (keep(e)) out.push(rel);
  }
  return out;
}

/** Resolves `target` (a repo path, or relative to `fromDir`); undefined when it leaves the repository. */
function inside(root: string, fromDir: string, target: string): string | undefined {
  const abs = resolve(root, fromDir, target);
  const rel = relative(root, abs);
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel))) return rel.split(sep).join('/');
  return undefined;
}

function exportsOf(root: string, file: string): Set<string> {
  const s = new Set<string>();
  const re = /^\s*export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\s*\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;
  for (const m of readFileSync(join(root, file), 'utf8').matchAll(re)) s.add(m[1]!);
  return s;
}

/** Links of a markdown text: `[..](t)` / `![..](t)` targets and HTML href/src values (code spans and blocks excluded). */
export function markdownLinks(md: string): string[] {
  const text = md.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '').replace(/\$\$[\s\S]*?\$\$/g, '').replace(/\$[^$\n]+\$/g, '');
  const out: string[] = [];
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\s(?:href|src)="([^"]+)"/g)) out.push(m[1]!);
  return out;
}

/** Broken relative links of every markdown file of the repository ("file: link (why)"). */
export function checkMarkdownLinks(root: string): { broken: string[]; checked: number } {
  const broken: string[] = [];
  let checked = 0;
  for (const f of repoFiles(root, (n) => n.endsWith('.md'))) {
    for (const href of markdownLinks(readFileSync(join(root, f), 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#')) continue;
      checked++;
      const [pathPart, frag] = href.split('#', 2) as [string, string | undefined];
      const target = inside(root, dirname(f), decodeURI(pathPart));
      if (target === undefined) {
        broken.push(`${f}: ${href} (leaves the repository)`);
        continue;
      }
      if (!existsSync(join(root, target))) {
        broken.push(`${f}: ${href} (no such file ${target})`);
        continue;
      }
      if (frag && /\.(ts|js)$/.test(target)) {
        const line = /^L(\d+)$/.exec(frag);
        const ok = line ? Number(line[1]) <= readFileSync(join(root, target), 'utf8').split('\n').length : exportsOf(root, target).has(frag);
        if (!ok) broken.push(`${f}: ${href} (${target} has no ${line ? 'such line' : `export ${frag}`})`);
      }
    }
  }
  return { broken, checked };
}

const PATH_TOKEN = /(?<![\w/.@~-])((?:\.\.?\/)*[A-Za-z0-9_][\w.-]*(?:\/[\w.-]+)*\/[\w.-]*\.(?:md|ts|js|mjs|json|svg|py|sh|yml|yaml|txt)|[A-Z][A-Z0-9_-]*\.md)(?![\w/-])/g;

/** Path-like citations in a text (see the file header). */
export function pathCitations(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PATH_TOKEN)) {
    const t = m[1]!;
    const before = text.slice(Math.max(0, m.index! - 200), m.index!);
    if (/[a-z]+:\/\/\S*$/i.test(before)) continue; // inside a URL
    if (t.includes('/') && t.split('/').slice(0, -1).some((seg) => /^[A-Z]+$/.test(seg))) continue; // DIR/file: a placeholder
    out.push(t);
  }
  return out;
}

/** Citations of `text` (cited from `fromFile`, repo-relative) that do not resolve inside the repository. */
export function brokenCitations(root: string, fromFile: string, text: string): string[] {
  const bad: string[] = [];
  for (const t of pathCitations(text)) {
    const candidates = [dirname(fromFile), '', 'src', 'docs', 'proofs'].map((d) => inside(root, d, t));
    const ok = candidates.some((c) => c !== undefined && existsSync(join(root, c)));
    if (!ok) bad.push(`${fromFile}: ${t} (${candidates.every((c) => c === undefined) ? 'leaves the repository' : 'no such file'})`);
  }
  return bad;
}

/** The comments and string literals of a TypeScript text, scanned in order (a `//` inside a string is not a comment). */
export function commentsAndStrings(ts: string): { comments: string; strings: string } {
  const comments: string[] = [];
  const strings: string[] = [];
  for (const m of ts.matchAll(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g))
    (m[0].startsWith('/') ? comments : strings).push(m[0]);
  return { comments: comments.join('\n'), strings: strings.join('\n') };
}

/**
 * Broken path-like citations in the TypeScript sources (comments everywhere, strings in src/
 * outside tests) and in `extra` texts (name → text, e.g. every `--help`).
 */
export function checkCitations(root: string, extra: Record<string, string> = {}): { broken: string[]; files: number } {
  const files = ['src', 'scripts', 'proofs', 'bench', 'test-support', 'property-tests']
    .filter((d) => existsSync(join(root, d)))
    .flatMap((d) => repoFiles(root, (n) => /\.(ts|mjs|js)$/.test(n), d));
  const broken: string[] = [];
  for (const f of files) {
    const ts = readFileSync(join(root, f), 'utf8');
    const shown = f.startsWith('src/') && !/\.test\.ts$/.test(f); // strings a user sees; elsewhere strings are code paths and fixtures
    const { comments, strings } = commentsAndStrings(ts);
    const text = shown ? `${comments}\n${strings}` : comments;
    broken.push(...brokenCitations(root, f, text));
  }
  for (const [name, text] of Object.entries(extra)) broken.push(...brokenCitations(root, name, text));
  return { broken, files: files.length };
}

/** The `--help` text of the program and of every command (the CLI imported without running it). */
export async function helpTexts(): Promise<Record<string, string>> {
  (globalThis as { __uatEmbedded?: boolean }).__uatEmbedded = true;
  const { buildProgram } = await import('../src/cli/main.ts');
  const program = buildProgram();
  const out: Record<string, string> = { 'uat --help': program.helpInformation() };
  for (const c of program.commands) out[`uat ${c.name()} --help`] = c.helpInformation();
  return out;
}

/**
 * Where the shell examples of a markdown text write (`> F`, `--out F`, `--plot F`,
 * `--witness-out F`, `--certificate-out F`), from fenced sh blocks and inline `uat …` code.
 */
export function exampleWrites(md: string): string[] {
  const code = [...md.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]!);
  code.push(...[...md.matchAll(/`((?:npm run )?uat [^`]*)`/g)].map((m) => m[1]!));
  const out: string[] = [];
  for (const c of code) {
    const text = c.replace(/<<'?(\w+)'?\n[\s\S]*?\n\1/g, ''); // heredoc bodies are data
    for (const m of text.matchAll(/(?:--(?:out|plot|witness-out|certificate-out)\s+|(?<![<>2&])>\s*)([^\s|;&)]+)/g)) out.push(m[1]!);
  }
  return out;
}

/** Example writes of README.md and docs/ outside `out/` (gitignored) and `docs/figures` (what `uat report` regenerates). */
export function checkExampleWrites(root: string): string[] {
  const bad: string[] = [];
  for (const f of ['README.md', ...repoFiles(root, (n) => n.endsWith('.md'), 'docs')]) {
    for (const w of exampleWrites(readFileSync(join(root, f), 'utf8')))
      if (!/^(out\/|docs\/figures\/?$|\/dev\/null$|[A-Z]+\/?$|\$)/.test(w)) bad.push(`${f}: an example writes ${w} into the checkout (use out/)`);
  }
  return bad;
}
