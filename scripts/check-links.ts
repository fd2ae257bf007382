/**
 * `npm run check:links`: fails (exit 1) when a markdown link or a path-like citation (in the
 * sources' comments and messages, or in a `--help` text) leaves the repository or names a file
 * that does not exist (scripts/links-lib.ts).
 */
import { resolve } from 'node:path';
import { checkMarkdownLinks, checkCitations, helpTexts } from './links-lib.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const md = checkMarkdownLinks(ROOT);
const help = await helpTexts();
const cit = checkCitations(ROOT, help);
const broken = [...md.broken, ...cit.broken];
console.log(`links: ${md.checked} markdown links, citations in ${cit.files} source files and ${Object.keys(help).length} --help texts`);
for (const b of broken) console.error(`links: ${b}`);
process.exit(broken.length ? 1 : 0);
