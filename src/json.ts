/**
 * The one strict JSON reader of uat (a leaf: anyone may import it). Every JSON a user gives —
 * target specs, model configs, inputs X, certificates, the safetensors header and its config —
 * goes through `parseJsonText`:
 * - RFC 8259 grammar, checked here first, so that a syntax error carries its line and column
 *   (Node's `JSON.parse` messages do not reliably carry a position);
 * - duplicate object keys are refused (`JSON.parse` silently keeps the last one, other readers
 *   the first: an ambiguous file is an error, naming the key path);
 * - limits: at most `MAX_JSON_BYTES` characters (256 MiB, below V8's string limit) and nesting
 *   depth at most `MAX_JSON_DEPTH` (256), both before `JSON.parse` allocates anything;
 * - an error echoes at most 12 characters of the input at the error position (never the text).
 * The value itself is then produced by `JSON.parse`. A UTF-8 byte order mark is tolerated.
 */
import { UatInputError, described } from './errors.ts';

/** Longest JSON text accepted (characters), and deepest nesting of arrays and objects. */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;
export const MAX_JSON_DEPTH = 256;

/** 1-based line and column of a UTF-16 offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
    readonly path: string,
  ) {
    super(expected);
  }
}

/**
 * Scans `text` as strict JSON. Returns nothing when it is well-formed and has no duplicate keys;
 * otherwise throws a UatInputError naming `source`, the line, the column and what was expected.
 */
export function checkJsonText(text: string, source: string): void {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const fail = (expected: string, path: string): never => {
    throw new JsonSyntax(i, expected, path);
  };
  const str = (path: string): string => {
    // at '"'
    const start = ++i;
    let out = '';
    let chunk = start;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(chunk, i);
        i++;
        return out;
      }
      if (c < 32) fail('no raw control character inside a string (escape it)', path);
      if (c === 92) {
        out += text.slice(chunk, i);
        i++;
        const e = text[i];
        if (e === undefined) break;
        if ('"\\/bfnrt'.includes(e)) {
          out += e;
          i++;
        } else if (e === 'u') {
          const hex = text.slice(i + 1, i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('four hex digits after \\u', path);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 5;
        } else fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)', path);
        chunk = i;
        continue;
      }
      i++;
    }
    i = n;
    return fail('a closing " of the string', path);
  };
  const num = (path: string): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('a JSON value', path);
    i += m![0].length;
  };
  const value = (path: string, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) fail(`nesting depth at most ${MAX_JSON_DEPTH}`, path);
    ws();
    if (i >= n) fail('a JSON value', path);
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a "quoted" object key', path);
        const keyAt = i;
        const key = str(path);
        const sub = path === '' ? key : `${path}.${key}`;
        if (seen.has(key)) {
          i = keyAt;
          fail(`each key once (duplicate key "${key}")`, sub);
        }
        seen.add(key);
        ws();
        if (text[i] !== ':') fail("':' after the object key", sub);
        i++;
        value(sub, depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail("',' or '}' after an object member", path);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let k = 0; ; k++) {
        value(`${path}[${k}]`, depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail("',' or ']' after an array element", path);
      }
    }
    if (c === '"') {
      str(path);
      return;
    }
    if (text.startsWith('true', i)) {
      i += 4;
      return;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return;
    }
    num(path);
  };
  try {
    // A UTF-8 byte order mark is tolerated, as most editors may write one.
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value('', 0);
    ws();
    if (i < n) fail('the end of the JSON text', '');
  } catch (e) {
    if (!(e instanceof JsonSyntax)) throw e;
    const { line, column } = lineColumn(text, e.offset);
    // `describeFound` quotes strings; "nothing" stands for the end of the text.
    const found = e.offset >= n ? undefined : text.slice(e.offset, e.offset + 12);
    throw new UatInputError(
      e.path === '' ? source : `${source}: ${e.path}`,
      e.expected,
      found,
      `JSON syntax error at line ${line}, column ${column}`,
    );
  }
}

/**
 * `JSON.parse` after `checkJsonText`: errors carry a line and column; a text over `maxChars`
 * (default `MAX_JSON_BYTES`) is refused before it is scanned.
 */
export function parseJsonText(text: string, source: string, maxChars = MAX_JSON_BYTES): unknown {
  if (text.length > maxChars) throw new UatInputError(source, `a JSON text of at most ${maxChars} characters`, described(`${text.length} characters`));
  checkJsonText(text, source);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return JSON.parse(body) as unknown;
}
