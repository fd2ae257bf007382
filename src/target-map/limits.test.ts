/**
 * The expression limits of src/target-map/README.md ("Limits"): a flat chain `a + b + …` or
 * `a * b * …` is one nesting level (a 250-term sum is accepted, the bug was "nesting depth >
 * 200"), up to MAX_TREE_DEPTH terms; nesting stays limited to MAX_EXPR_DEPTH; every error echoes
 * at most ECHO_CHARS characters of the input; and long chains get correct derivatives (the
 * iterative chain rules of deriv.ts) with sound enclosures, in well under a second per target.
 */
import { describe, it, expect } from 'vitest';
import { targetFromJson } from './target.ts';
import { supBound, lipschitzBound } from './bounds.ts';
import { MAX_EXPR_DEPTH, MAX_TREE_DEPTH, ECHO_CHARS } from './expr.ts';
import { UatInputError } from '../errors.ts';

const spec = (f: string, n = 1, lo = 0, hi = 1) => ({
  name: 'limits', n, dIn: 1, dOut: 1, domain: { lo: [lo], hi: [hi] }, f: Array.from({ length: n }, (_, i) => [i === 0 ? f : 'x1_1']),
});
const build = (f: string, n = 1, lo = 0, hi = 1) => targetFromJson(spec(f, n, lo, hi), 't.json');
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UatInputError);
    return (e as Error).message;
  }
  throw new Error('expected a UatInputError');
};
const chain = (term: string, op: string, k: number) => Array(k).fill(term).join(op);

describe('target expression limits', () => {
  it('a 250-term flat sum is one nesting level, not 250 (sup 250 and Lipschitz 250 exactly enclosed)', () => {
    const t = build(chain('x1_1', '+', 250));
    const out = new Float64Array(1);
    t.evalAt(Float64Array.from([0.5]), out);
    expect(out[0]).toBe(125);
    const s = supBound(t), l = lipschitzBound(t);
    expect(s.max).toBeGreaterThanOrEqual(250);
    expect(s.max).toBeLessThanOrEqual(250 * (1 + 1e-12));
    expect(l.max).toBeGreaterThanOrEqual(250);
    expect(l.max).toBeLessThanOrEqual(250 * (1 + 1e-12));
  });

  it(`chains up to ${MAX_TREE_DEPTH} terms: sums, products and mixed; derivatives by the chain rules are right and their enclosures sound`, () => {
    // f = Π_{j<K} (1 + x/1000) = (1 + x/1000)^K on [0, 1]: sup (1.001)^K, Lipschitz K/1000·(1.001)^(K−1)
    const K = 500;
    const t = build(chain('(1 + x1_1/1000)', '*', K));
    const s = supBound(t), l = lipschitzBound(t);
    const sup = 1.001 ** K, lip = (K / 1000) * 1.001 ** (K - 1);
    expect(s.max).toBeGreaterThanOrEqual(sup * (1 - 1e-12));
    expect(s.max / sup).toBeLessThan(1.001);
    expect(l.max).toBeGreaterThanOrEqual(lip * (1 - 1e-12));
    expect(l.max / lip).toBeLessThan(1.01);
    // the longest accepted chain of each kind, and a mixed one, against central differences
    for (const f of [chain('x1_1', '+', MAX_TREE_DEPTH), chain('x1_1', '*', MAX_TREE_DEPTH - 1), `${chain('sin(x1_1)', '+', 300)} - ${chain('x1_1', '*', 60)} / ${chain('(2 + x1_1)', '*', 60)}`]) {
      const u = build(f, 1, 0.5, 1);
      const g = new Float64Array(1), lo = new Float64Array(1), hi = new Float64Array(1);
      for (const x of [0.55, 0.7, 0.9]) {
        u.gradEntry(0, Float64Array.from([x]), g);
        const h = 1e-6;
        const fd = (u.evalEntry(0, Float64Array.from([x + h])) - u.evalEntry(0, Float64Array.from([x - h]))) / (2 * h);
        expect(Math.abs(g[0]! - fd)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(fd)));
        u.gradEnclose(0, [x - 1e-3], [x + 1e-3], lo, hi);
        expect(lo[0]!).toBeLessThanOrEqual(g[0]!);
        expect(hi[0]!).toBeGreaterThanOrEqual(g[0]!);
      }
    }
  });

  it('a chain one term too long, or nesting one level too deep, is refused with a short message', () => {
    const long = message(() => build(chain('x1_1', '+', MAX_TREE_DEPTH + 1)));
    expect(long).toMatch(/f\[0\]\[0\]: expected an expression tree of depth at most 1000/);
    const deep = `${'('.repeat(MAX_EXPR_DEPTH - 1)}x1_1${')'.repeat(MAX_EXPR_DEPTH - 1)}`; // the leaf is a level too
    expect(() => build(deep)).not.toThrow();
    const tooDeep = `${'sin('.repeat(MAX_EXPR_DEPTH + 1)}x1_1${')'.repeat(MAX_EXPR_DEPTH + 1)}`;
    expect(message(() => build(tooDeep))).toMatch(/nesting depth at most 200/);
    for (const m of [long, message(() => build(tooDeep))]) expect(m.length).toBeLessThan(ECHO_CHARS + 250);
  });

  it('errors in a 100 KB expression echo at most a window of it, around the offending column', () => {
    // 20 sines of 900-term sums (tree depth about 920), an unknown symbol in the middle: 90 KB
    const block = `sin(${chain('x1_1', '+', 900)})`;
    const f = `${chain(block, ' + ', 10)} + foo + ${chain(block, ' + ', 10)}`;
    expect(f.length).toBeGreaterThan(90_000);
    const m = message(() => build(f));
    expect(m).toMatch(/unknown symbol/);
    expect(m).toMatch(new RegExp(`at column ${f.indexOf('foo') + 1} of …".*foo.*"… \\(${f.length} characters\\)`));
    expect(m.length).toBeLessThan(ECHO_CHARS + 250);
    // the expression-length limit itself, and a JSON spec that is one huge line
    const huge = message(() => build('x1_1+'.repeat(20_001) + 'x1_1'));
    expect(huge.length).toBeLessThan(300);
  });
});
