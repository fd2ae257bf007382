/**
 * The built documentation site's link checker (`checkSite`): every internal href/src of every page
 * resolves to a file of the site, and every `#fragment` to an id of that page.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';

const toPosix = (p: string) => p.split('\\').join('/');

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
    // without a declared icon a browser asks the server for /favicon.ico, which the site does not have (a 404)
    if (!/<link rel="icon" /.test(html)) broken.push(`${f}: no <link rel="icon"> (the browser would request /favicon.ico)`);
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
