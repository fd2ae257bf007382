/**
 * Tests of target spec parsing (`spec.ts`, `json.ts`): both domain forms, the canonical JSON,
 * every validation error with its field path, JSON syntax errors with line and column.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UatInputError } from '../errors.ts';
import { canonicalJson, loadTargetSpec, parseTargetSpec } from './spec.ts';

const base = (): Record<string, unknown> => ({
  name: 'pair',
  n: 2,
  dIn: 1,
  dOut: 1,
  domain: { lo: [-1], hi: [1] },
  f: [['sin(x1_1 - x2_1) * x1_1'], ['x2_1']],
});

/** The UatInputError thrown by `fn`. */
function inputError(fn: () => unknown): UatInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UatInputError) return e;
    throw e;
  }
  throw new Error('expected a UatInputError');
}

describe('parseTargetSpec', () => {
  it('normalises a per-feature domain to row-major n·dIn arrays', () => {
    const s = parseTargetSpec({ ...base(), dIn: 2, domain: { lo: [0, -2], hi: [1, 3] }, f: [['x1_2'], ['x2_1']] });
    expect(Array.from(s.lo)).toEqual([0, -2, 0, -2]);
    expect(Array.from(s.hi)).toEqual([1, 3, 1, 3]);
    expect(s.f).toEqual([['x1_2'], ['x2_1']]);
    expect(s.lipschitz).toBeUndefined();
  });

  it('accepts the [n][dIn] domain form and lipschitz', () => {
    const s = parseTargetSpec({ ...base(), domain: { lo: [[-1], [0]], hi: [[1], [2]] }, lipschitz: 2.5 });
    expect(Array.from(s.lo)).toEqual([-1, 0]);
    expect(Array.from(s.hi)).toEqual([1, 2]);
    expect(s.lipschitz).toBe(2.5);
  });

  it('canonical JSON: sorted keys, [n][dIn] domain, same for equivalent specs', () => {
    const a = parseTargetSpec(base());
    const reordered = { f: base().f, domain: { hi: [[1], [1]], lo: [[-1], [-1]] }, dOut: 1, dIn: 1, n: 2, name: 'pair' };
    const b = parseTargetSpec(reordered);
    expect(a.canonical).toBe(b.canonical);
    expect(a.canonical).toBe(
      '{"dIn":1,"dOut":1,"domain":{"hi":[[1],[1]],"lo":[[-1],[-1]]},"f":[["sin(x1_1 - x2_1) * x1_1"],["x2_1"]],"n":2,"name":"pair"}',
    );
    // The canonical text parses back to the same spec.
    expect(parseTargetSpec(a.canonical).canonical).toBe(a.canonical);
  });

  it('canonicalJson: independent of key insertion order, keys in code-unit order, a fixed point (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 6, selector: (t) => t[0] }), (kv) => {
        const fwd = Object.fromEntries(kv);
        const rev = Object.fromEntries([...kv].reverse());
        const text = canonicalJson({ z: fwd, a: [fwd] });
        expect(canonicalJson({ a: [rev], z: rev })).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const sorted = kv.map((t) => t[0]).sort();
        const inner = canonicalJson(fwd);
        expect(inner).toBe(`{${sorted.map((k) => `${JSON.stringify(k)}:${fwd[k]}`).join(',')}}`);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  const cases: [string, (s: Record<string, unknown>) => void, string, RegExp?][] = [
    ['not an object', () => {}, 'target'],
    ['unknown key', (s) => (s.lipshitz = 1), 'lipshitz', /unknown key/],
    ['name missing', (s) => delete s.name, 'name'],
    ['name empty', (s) => (s.name = ' '), 'name'],
    ['n not an integer', (s) => (s.n = 1.5), 'n', /integer ≥ 1, found 1\.5/],
    ['n zero', (s) => (s.n = 0), 'n'],
    ['dIn string', (s) => (s.dIn = '1'), 'dIn'],
    ['dOut negative', (s) => (s.dOut = -1), 'dOut'],
    ['f wrong row count', (s) => (s.f = [['x1_1']]), 'f', /n = 2 rows/],
    ['f row wrong length', (s) => (s.f = [['x1_1'], ['x1_1', 'x2_1']]), 'f[1]', /dOut = 1/],
    ['f entry not a string', (s) => (s.f = [['x1_1'], [3]]), 'f[1][0]', /expression string, found 3/],
    ['f entry invalid', (s) => (s.f = [['x1_1'], ['x3_1']]), 'f[1][0]', /column 1/],
    ['domain missing', (s) => delete s.domain, 'domain'],
    ['domain extra key', (s) => (s.domain = { lo: [0], hi: [1], mid: [0.5] }), 'domain.mid'],
    ['lo wrong length', (s) => (s.domain = { lo: [0, 1], hi: [1] }), 'domain.lo'],
    ['hi row wrong length', (s) => (s.domain = { lo: [0], hi: [[1], [1, 2]] }), 'domain.hi[1]'],
    ['hi wrong row count', (s) => (s.domain = { lo: [0], hi: [[1]] }), 'domain.hi', /n = 2 rows/],
    ['lo not finite', (s) => (s.domain = { lo: [NaN], hi: [1] }), 'domain.lo[0]', /finite number, found NaN/],
    ['lo entry string', (s) => (s.domain = { lo: [[0], ['0']], hi: [1] }), 'domain.lo[1][0]'],
    ['hi = lo', (s) => (s.domain = { lo: [1], hi: [1] }), 'domain.hi[0]', /> domain\.lo\[0\] = 1, found 1/],
    ['hi < lo per token', (s) => (s.domain = { lo: [[0], [3]], hi: [2] }), 'domain.hi[0]', /> domain\.lo\[1\]\[0\] = 3, found 2/],
    ['hi < lo both per token', (s) => (s.domain = { lo: [[0], [3]], hi: [[1], [2]] }), 'domain.hi[1][0]'],
    ['lipschitz zero', (s) => (s.lipschitz = 0), 'lipschitz', /> 0, found 0/],
    ['lipschitz infinite', (s) => (s.lipschitz = Infinity), 'lipschitz', /found Infinity/],
    ['lipschitz string', (s) => (s.lipschitz = '1'), 'lipschitz'],
  ];
  for (const [what, edit, field, re] of cases) {
    it(`refuses: ${what} (field ${field})`, () => {
      const s = base();
      edit(s);
      const e = inputError(() => parseTargetSpec(what === 'not an object' ? [s] : s));
      expect(e.field).toBe(field);
      expect(e.message.startsWith(`${field}: expected `)).toBe(true);
      if (re) expect(e.message).toMatch(re);
    });
  }

  it('guards n·dIn before allocating', () => {
    const e = inputError(() => parseTargetSpec({ ...base(), n: 2, dIn: 2 ** 20 }));
    expect(e.field).toBe('dIn');
  });
});

describe('JSON text', () => {
  it('reports syntax errors with line and column', () => {
    const text = '{\n  "name": "t",\n  "n": 1,,\n}';
    const e = inputError(() => parseTargetSpec(text, 'spec.json'));
    expect(e.message).toMatch(/line 3, column 10/);
    expect(e.field).toBe('spec.json');
  });

  it('reports an unterminated value at the end', () => {
    const e = inputError(() => parseTargetSpec('{"name": "t", "n": [1, 2', 'spec.json'));
    expect(e.message).toMatch(/line 1, column 25/);
    expect(e.found).toBe('nothing');
  });

  it('reports bad tokens, trailing text and raw control characters', () => {
    expect(inputError(() => parseTargetSpec('{"n": tru}')).message).toMatch(/line 1, column 7/);
    expect(inputError(() => parseTargetSpec('{} x')).message).toMatch(/line 1, column 4/);
    expect(inputError(() => parseTargetSpec('{"a\nb": 1}')).message).toMatch(/line 1, column 4/);
    expect(inputError(() => parseTargetSpec("{'n': 1}")).message).toMatch(/line 1, column 2/);
  });

  it('refuses duplicate keys, naming the key path', () => {
    const e = inputError(() => parseTargetSpec('{"domain": {"lo": [0], "lo": [1]}}', 'spec.json'));
    expect(e.field).toBe('spec.json: domain.lo');
    expect(e.message).toMatch(/duplicate key "lo"/);
    expect(e.message).toMatch(/line 1, column 24/);
  });

  it('agrees with JSON.parse on valid JSON (property)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), (text) => {
        let ok = true;
        try {
          parseTargetSpec(text);
        } catch (e) {
          // Valid JSON must only ever fail spec validation, never the syntax check.
          ok = !(e as Error).message.includes('JSON syntax error') || /duplicate key/.test((e as Error).message);
        }
        expect(ok).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('loadTargetSpec', () => {
  it('loads a file and reports a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'uat-target-'));
    try {
      const p = join(dir, 't.json');
      writeFileSync(p, JSON.stringify(base(), null, 2));
      const s = loadTargetSpec(p);
      expect(s.n).toBe(2);
      writeFileSync(p, '{\n "n": 2\n "dIn": 1}');
      const e = inputError(() => loadTargetSpec(p));
      expect(e.message).toMatch(/line 3, column 2/);
      expect(e.field).toBe(p);
      expect(inputError(() => loadTargetSpec(join(dir, 'missing.json'))).field).toBe('target');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
