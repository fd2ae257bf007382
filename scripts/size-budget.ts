/**
 * The size budget of docs/design.md ("Boundaries"), checked by `npm run check:layers` and
 * src/layers.test.ts: a TypeScript file has at most MAX_FILE_LINES lines and a function at most
 * MAX_FUNCTION_LINES (from the line of its opening brace to its closing one; a nested function
 * counts in its parent too, as in eslint's max-lines-per-function; test files' describe blocks are
 * not counted as functions). The files and functions that
 * were larger when the budget came in are listed in scripts/size-exceptions.json with their size
 * then: such an entry may only shrink — growing is an error, and so is an entry that is no longer
 * needed or larger than its file now is (lower it, so the list ratchets down).
 *
 * Functions are found by a scanner, not a parser: comments, strings, template literals and
 * regular-expression literals are skipped, and a `{` opens a function body when the text before
 * it (back to the previous `;`, `{` or `}`) ends with `=>`, is a `function …(…)` head or a method
 * head `name(…)` (with optional modifiers and return type), and is not a control statement.
 * A function is named `file:name` (the declared, assigned or property name) or, when anonymous,
 * `file:outer/<anonymous>` after its nearest named enclosing function.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoFiles } from './links-lib.ts';

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 80;
export const BUDGET_DIRS = ['src', 'scripts', 'proofs', 'bench', 'property-tests', 'test-support'];

export interface FnSize { name: string; lines: number; start: number }

const CONTROL = /^(?:if|for|while|switch|catch|with|else|do|try|finally|return|typeof|new|in|of|case|default|await)$/;

/** Code with comments, strings and regex literals blanked (newlines kept), for brace matching. */
export function blank(ts: string): string {
  let out = '';
  let i = 0;
  const n = ts.length;
  const tpl: number[] = []; // brace depth at each open `${`
  let depth = 0;
  const keep = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < n) {
    const c = ts[i]!, d = ts[i + 1];
    if (c === '/' && d === '/') {
      const j = ts.indexOf('\n', i);
      const e = j < 0 ? n : j;
      out += keep(ts.slice(i, e));
      i = e;
    } else if (c === '/' && d === '*') {
      const j = ts.indexOf('*/', i + 2);
      const e = j < 0 ? n : j + 2;
      out += keep(ts.slice(i, e));
      i = e;
    } else if (c === "'" || c === '"' || c === '`' || (c === '}' && tpl.length && tpl[tpl.length - 1] === depth)) {
      // a string, or a template literal (or its continuation after `${…}`)
      const quote = c === '}' ? '`' : c;
      if (c === '}') tpl.pop();
      let j = i + 1;
      while (j < n && ts[j] !== quote) {
        if (ts[j] === '\\') j++;
        else if (quote === '`' && ts[j] === '$' && ts[j + 1] === '{') {
          tpl.push(depth);
          j += 1;
          break;
        }
        j++;
      }
      out += (c === '}' ? ' ' : quote) + keep(ts.slice(i + 1, j)) + (ts[j] === '{' ? '' : quote);
      if (ts[j] === '{') out += ' ';
      i = j + 1;
    } else if (c === '/' && /(?:[(,=:[&|?{};]|(?<![\w)\]])!)\s*$|\breturn\s*$/.test(out.slice(-20)) && d !== '/') {
      // (a `!` after a name or `)` is TypeScript's non-null assertion: `a! / b` is a division)
      // a regular-expression literal
      let j = i + 1, cls = false;
      while (j < n && ts[j] !== '\n' && (cls || ts[j] !== '/')) {
        if (ts[j] === '\\') j++;
        else if (ts[j] === '[') cls = true;
        else if (ts[j] === ']') cls = false;
        j++;
      }
      out += keep(ts.slice(i, j + 1));
      i = j + 1;
    } else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      out += c;
      i++;
    }
  }
  return out;
}

/** Functions of a TypeScript text with their length in lines (see the file header). */
export function functionSizes(ts: string): FnSize[] {
  const code = blank(ts);
  const lineAt: number[] = [];
  for (let i = 0, l = 1; i <= code.length; i++) {
    lineAt.push(l);
    if (code[i] === '\n') l++;
  }
  const stack: { fn?: { name: string; start: number } }[] = [];
  const out: FnSize[] = [];
  let boundary = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === ';') boundary = i + 1;
    else if (c === '{') {
      const pre = code.slice(boundary, i).replace(/\s+/g, ' ').trim().replace(/^[,)\s]+/, '');
      const head = /^(?:(?:export|default|public|private|protected|static|async|get|set|readonly|override|abstract)\s+)*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(/.exec(pre);
      const isFn = /=>\s*$/.test(pre) || /\bfunction\b\s*\*?\s*[\w$]*\s*(?:<[^>]*>)?\s*\(.*\)\s*(?::.*)?$/.test(pre) ||
        (!!head && !CONTROL.test(head[1]!) && /\)\s*(?::[^=]*)?$/.test(pre));
      let fn: { name: string; start: number } | undefined;
      if (isFn) {
        const named = /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(pre)?.[1] ??
          /([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*(?:async\s*)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>)/.exec(pre)?.[1] ??
          (/=>\s*$/.test(pre) ? /^([A-Za-z_$][\w$]*)\s*:\s*(?:async\s*)?\(/.exec(pre)?.[1] : head?.[1]);
        const outer = [...stack].reverse().find((s) => s.fn && !s.fn.name.includes('<anonymous>'))?.fn?.name;
        fn = { name: named ?? `${outer ?? '<top>'}/<anonymous>`, start: lineAt[i]! };
      }
      stack.push({ fn });
      boundary = i + 1;
    } else if (c === '}') {
      const top = stack.pop();
      if (top?.fn) out.push({ name: top.fn.name, start: top.fn.start, lines: lineAt[i]! - top.fn.start + 1 });
      boundary = i + 1;
    }
  }
  return out;
}

export type Exceptions = { files: Record<string, number>; functions: Record<string, number> };

/** Budget violations of the repository at `root` against `exceptions`. */
export function sizeViolations(root: string, exceptions: Exceptions): string[] {
  const bad: string[] = [];
  const seenFiles = new Set<string>(), seenFns = new Map<string, number>();
  for (const f of BUDGET_DIRS.filter((d) => existsSync(join(root, d))).flatMap((d) => repoFiles(root, (n) => n.endsWith('.ts'), d))) {
    const text = readFileSync(join(root, f), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    const allowed = exceptions.files[f];
    if (allowed !== undefined) seenFiles.add(f);
    if (lines > (allowed ?? MAX_FILE_LINES))
      bad.push(`${f}: ${lines} lines, over ${allowed ?? MAX_FILE_LINES}${allowed ? ' (its listed size: exceptions may only shrink)' : ''}`);
    else if (allowed !== undefined && lines < allowed)
      bad.push(`${f}: ${lines} lines${lines <= MAX_FILE_LINES ? ', within the budget: remove its exception' : `: lower its exception from ${allowed} to ${lines}`}`);
    if (/\.test\.ts$/.test(f)) continue; // a test file's describe block is a list of cases, not a function to split
    for (const fn of functionSizes(text)) {
      const key = `${f}:${fn.name}`;
      seenFns.set(key, Math.max(seenFns.get(key) ?? 0, fn.lines));
    }
  }
  for (const [key, lines] of seenFns) {
    const allowed = exceptions.functions[key];
    if (lines > (allowed ?? MAX_FUNCTION_LINES))
      bad.push(`${key}: ${lines} lines, over ${allowed ?? MAX_FUNCTION_LINES}${allowed ? ' (its listed size: exceptions may only shrink)' : ''}`);
    else if (allowed !== undefined && lines < allowed)
      bad.push(`${key}: ${lines} lines${lines <= MAX_FUNCTION_LINES ? ', within the budget: remove its exception' : `: lower its exception from ${allowed} to ${lines}`}`);
  }
  for (const f of Object.keys(exceptions.files)) if (!seenFiles.has(f)) bad.push(`${f}: listed in scripts/size-exceptions.json but gone: remove it`);
  for (const k of Object.keys(exceptions.functions)) if (!seenFns.has(k)) bad.push(`${k}: listed in scripts/size-exceptions.json but gone: remove it`);
  return bad;
}

/** The exceptions as committed. */
export function loadExceptions(root: string): Exceptions {
  return JSON.parse(readFileSync(join(root, 'scripts/size-exceptions.json'), 'utf8')) as Exceptions;
}
