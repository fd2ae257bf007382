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

/** The RFC 8259 grammar as a recursive scanner over `text` (position `i`), checking keys as it goes. */
class Scanner {
  i = 0;
  constructor(private readonly text: string) {}

  fail(expected: string, path: string): never {
    throw new JsonSyntax(this.i, expected, path);
  }

  ws(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  /** A string at `"`; returns its decoded value. */
  str(path: string): string {
    const t = this.text, n = t.length;
    let out = '';
    let chunk = ++this.i;
    while (this.i < n) {
      const c = t.charCodeAt(this.i);
      if (c === 34) {
        out += t.slice(chunk, this.i++);
        return out;
      }
      if (c < 32) this.fail('no raw control character inside a string (escape it)', path);
      if (c === 92) {
        out += t.slice(chunk, this.i++);
        const e = t[this.i];
        if (e === undefined) break;
        if ('"\\/bfnrt'.includes(e)) {
          out += e;
          this.i++;
        } else if (e === 'u') {
          const hex = t.slice(this.i + 1, this.i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('four hex digits after \\u', path);
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 5;
        } else this.fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)', path);
        chunk = this.i;
        continue;
      }
      this.i++;
    }
    this.i = n;
    return this.fail('a closing " of the string', path);
  }

  object(path: string, depth: number): void {
    const t = this.text;
    this.i++;
    const seen = new Set<string>();
    this.ws();
    if (t[this.i] === '}') return void this.i++;
    for (;;) {
      this.ws();
      if (t[this.i] !== '"') this.fail('a "quoted" object key', path);
      const keyAt = this.i;
      const key = this.str(path);
      const sub = path === '' ? key : `${path}.${key}`;
      if (seen.has(key)) {
        this.i = keyAt;
        this.fail(`each key once (duplicate key "${key}")`, sub);
      }
      seen.add(key);
      this.ws();
      if (t[this.i] !== ':') this.fail("':' after the object key", sub);
      this.i++;
      this.value(sub, depth + 1);
      this.ws();
      if (t[this.i] === ',') this.i++;
      else if (t[this.i] === '}') return void this.i++;
      else this.fail("',' or '}' after an object member", path);
    }
  }

  array(path: string, depth: number): void {
    const t = this.text;
    this.i++;
    this.ws();
    if (t[this.i] === ']') return void this.i++;
    for (let k = 0; ; k++) {
      this.value(`${path}[${k}]`, depth + 1);
      this.ws();
      if (t[this.i] === ',') this.i++;
      else if (t[this.i] === ']') return void this.i++;
      else this.fail("',' or ']' after an array element", path);
    }
  }

  value(path: string, depth: number): void {
    const t = this.text;
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting depth at most ${MAX_JSON_DEPTH}`, path);
    this.ws();
    if (this.i >= t.length) this.fail('a JSON value', path);
    const c = t[this.i];
    if (c === '{') return this.object(path, depth);
    if (c === '[') return this.array(path, depth);
    if (c === '"') return void this.str(path);
    for (const word of ['true', 'false', 'null'])
      if (t.startsWith(word, this.i)) return void (this.i += word.length);
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(t.slice(this.i, this.i + 400));
    if (!m || m[0] === '' || m[0] === '-') this.fail('a JSON value', path);
    this.i += m![0].length;
  }
}

/**
 * Scans `text` as strict JSON. Returns nothing when it is well-formed and has no duplicate keys;
 * otherwise throws a UatInputError naming `source`, the line, the column and what was expected.
 */
export function checkJsonText(text: string, source: string): void {
  const sc = new Scanner(text);
  const n = text.length;
  try {
    // A UTF-8 byte order mark is tolerated, as most editors may write one.
    if (text.charCodeAt(0) === 0xfeff) sc.i = 1;
    sc.value('', 0);
    sc.ws();
    if (sc.i < n) sc.fail('the end of the JSON text', '');
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
