/**
 * The one strict JSON reader (src/json.ts): it agrees with JSON.parse on every valid text, refuses
 * duplicate keys with their path, gives the line and column of a syntax error, enforces its size
 * and depth limits before parsing, and never echoes more than a few characters of the input.
 */
import { describe, it, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { parseJsonText, checkJsonText, lineColumn, MAX_JSON_DEPTH } from './json.ts';
import { UatInputError } from './errors.ts';

const err = (f: () => unknown): UatInputError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UatInputError);
    return e as UatInputError;
  }
  throw new Error('expected a UatInputError');
};

describe('strict JSON reader', () => {
  // @fast-check/vitest: a failing case is reported by vitest with its seed and path for replay
  test.prop([fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 3 })], { numRuns: 300, seed: 12 })(
    'agrees with JSON.parse on valid texts (any value, any indentation)',
    (v, indent) => {
      const text = JSON.stringify(v, null, indent);
      expect(parseJsonText(text, 'x')).toEqual(JSON.parse(text));
    },
  );

  it('refuses a duplicate key at any depth, naming its path, line and column', () => {
    const e = err(() => parseJsonText('{\n  "a": {"b": 1,\n        "b": 2}\n}', 'cfg.json'));
    expect(e.message).toBe('cfg.json: a.b: expected each key once (duplicate key "b"), found "\\"b\\": 2}\\n}" (JSON syntax error at line 3, column 9)');
    expect(() => parseJsonText('[{"k": 1, "k": 1}]', 's')).toThrow(/s: \[0\]\.k: expected each key once/);
    // keys equal after unescaping are the same key
    expect(() => parseJsonText('{"a": 1, "\\u0061": 2}', 's')).toThrow(/duplicate key "a"/);
    expect(parseJsonText('{"a": {"a": {"a": 1}}}', 's')).toEqual({ a: { a: { a: 1 } } });
  });

  it('syntax errors carry line and column and echo at most 12 characters', () => {
    const long = '{"x": [' + '1, '.repeat(50_000) + 'oops]}';
    const e = err(() => parseJsonText(long, 'big.json'));
    expect(e.message).toMatch(/big\.json: x\[50000\]: expected a JSON value, found "oops\]\}" \(JSON syntax error at line 1, column 150008\)/);
    expect(e.message.length).toBeLessThan(200);
    expect(() => parseJsonText("{'a': 1}", 's')).toThrow(/a "quoted" object key.*line 1, column 2/);
    expect(() => parseJsonText('[1,]', 's')).toThrow(/expected a JSON value.*column 4/);
    expect(() => parseJsonText('{"a": 1} x', 's')).toThrow(/the end of the JSON text/);
    expect(() => parseJsonText('[NaN]', 's')).toThrow(/expected a JSON value/);
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });

  it('enforces the size limit before scanning and the nesting limit', () => {
    expect(() => parseJsonText('[1, 2, 3]', 's', 8)).toThrow(/s: expected a JSON text of at most 8 characters, found 9 characters/);
    expect(parseJsonText('[1, 2, 3]', 's', 9)).toEqual([1, 2, 3]);
    const deep = (d: number) => '['.repeat(d) + ']'.repeat(d);
    expect(() => checkJsonText(deep(MAX_JSON_DEPTH + 1), 's')).not.toThrow();
    expect(() => checkJsonText(deep(MAX_JSON_DEPTH + 2), 's')).toThrow(/nesting depth at most 256/);
  });

  it('tolerates a byte order mark', () => {
    expect(parseJsonText('\ufeff{"a": 1}', 's')).toEqual({ a: 1 });
  });
});
