/**
 * `npm run docs` — builds the static documentation site into `site/` (gitignored): the markdown of
 * docs/ and proofs/ with KaTeX rendered server-side (throwOnError), the SVG figures, and every
 * linked source file as a page with anchors; then checks every internal link and anchor.
 *   tsx scripts/docs.ts [--out DIR]
 * Exit 1 on a broken link, a missing link target, or a KaTeX error.
 */
import { resolve } from 'node:path';
import { buildSite, checkSite } from './docs-lib.ts';
import { codeBacklinks } from './blueprint-lib.ts';
import { BLUEPRINT } from '../proofs/blueprint.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const argv = process.argv.slice(2);
let out: string | undefined;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
  else {
    console.error(`docs: unknown argument '${argv[i]}' (expected --out DIR)`);
    process.exit(2);
  }
}
let res;
try {
  // each label's Coq theorem beside its prose Statement
  const formal = Object.fromEntries(Object.values(BLUEPRINT).flatMap((e) => (e.formal ? [[e.doc, e.formal]] : [])));
  res = buildSite({ root: ROOT, outDir: out, formal, backlinks: codeBacklinks(BLUEPRINT) });
} catch (e) {
  console.error(`docs: ${(e as Error).message}`);
  process.exit(1);
}
const chk = checkSite(res.outDir);
console.log(`docs: ${res.pages.length} pages, ${res.sources.length} source pages, ${res.assets.length} figures, ` +
  `${res.formulas.inline} inline + ${res.formulas.display} display formulas → ${res.outDir}`);
console.log(`docs: ${chk.links} internal links checked in ${chk.files} files`);
for (const w of res.katexWarnings) console.error(`docs: KaTeX warning: ${w}`);
for (const m of res.missing) console.error(`docs: missing link target: ${m}`);
for (const b of chk.broken) console.error(`docs: broken link: ${b}`);
process.exit(res.missing.length || chk.broken.length ? 1 : 0);
