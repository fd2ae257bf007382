/**
 * Tests of src/interval/scalar.ts: every operation encloses the exact value (mathjs BigNumber at
 * precision 50, or exact BigInt dyadics for + − × ÷) at sample points of random input intervals
 * of every magnitude (huge, tiny, subnormal, zero, negative, straddling 0 and poles); NAI only
 * where the operation is undefined at every sampled point; the documented special cases; and
 * tightness on point inputs (so that "return [−∞, ∞]" would fail).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIBM_WIDEN_ULPS, PI_LO } from './round.ts';
import * as I from './scalar.ts';
import type { Iv } from './scalar.ts';
import {
  B50,
  type Big,
  anyDouble,
  big,
  bigF,
  bigIn,
  boundedDouble,
  ex,
  exIn,
  exMul,
  floatSteps,
  intervalOf,
  pointsIn,
} from '../../test-support/interval-helpers.ts';

const SEED = 42;
const fractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 });

/** Reference value at x: a Big, or null where f is undefined at x. */
type Ref = (x: number) => Big | null;

/** Check that op(a) contains ref(x) for sampled x ∈ a; NAI only if ref is undefined at all. */
function checkUnary(op: (a: Iv) => Iv, ref: Ref, dom: fc.Arbitrary<[number, number]>, numRuns: number, extra?: (a: Iv, r: Iv, x: number) => void): void {
  fc.assert(
    fc.property(dom, fractions, (a, ts) => {
      const r = op(a);
      for (const x of pointsIn(a[0], a[1], ts)) {
        if (extra) {
          extra(a, r, x);
          continue;
        }
        const z = ref(x);
        if (z === null) continue;
        if (!bigIn(z, r[0], r[1])) throw new Error(`x = ${x} in [${a[0]}, ${a[1]}]: f(x) = ${z.toString()} not in [${r[0]}, ${r[1]}]`);
      }
      if (I.isNai(r)) {
        for (const x of pointsIn(a[0], a[1], ts)) expect(ref(x)).toBeNull();
      } else expect(r[0]).toBeLessThanOrEqual(r[1]);
    }),
    { seed: SEED, numRuns },
  );
}

const anyIv = intervalOf(anyDouble());
/** Intervals centred near k·π/2 (k up to ±10^6), with radii from 0 to ~π. */
const nearCritIv = fc
  .tuple(fc.oneof(fc.integer({ min: -8, max: 8 }), fc.integer({ min: -1e6, max: 1e6 })), fc.double({ min: 0, max: 4, noNaN: true }), fc.double({ min: 0, max: 4, noNaN: true }), fc.integer({ min: -60, max: 0 }))
  .map(([k, r1, r2, e]): [number, number] => {
    const c = (k * Math.PI) / 2;
    const s = 2 ** e;
    return [c - r1 * s, c + r2 * s];
  });

describe('exact-arithmetic ops: add, sub, mul, div, neg, abs, min, max, sqr', () => {
  const pairs = fc.tuple(anyIv, anyIv, fractions, fractions);
  it('add / sub / mul enclose the exact dyadic result', () => {
    fc.assert(
      fc.property(pairs, ([a, b, ta, tb]) => {
        const s = I.add(a, b);
        const d = I.sub(a, b);
        const p = I.mul(a, b);
        for (const x of pointsIn(a[0], a[1], ta))
          for (const y of pointsIn(b[0], b[1], tb)) {
            expect(exIn(ex(x) + ex(y), s[0], s[1])).toBe(true);
            expect(exIn(ex(x) - ex(y), d[0], d[1])).toBe(true);
            expect(exIn(exMul(x, y), p[0], p[1])).toBe(true);
          }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  const divisor = fc.oneof(anyIv, intervalOf(fc.double({ min: -1e-300, max: 1e-300, noNaN: true })), fc.constantFrom<[number, number]>([0, 0], [0, 1], [-1, 0], [-1, 1], [-5e-324, 5e-324], [0, 5e-324]));
  it('div encloses x/y (checked exactly by cross-multiplication) over y ≠ 0', () => {
    fc.assert(
      fc.property(anyIv, divisor, fractions, fractions, (a, b, ta, tb) => {
        const q = I.div(a, b);
        let defined = false;
        for (const x of pointsIn(a[0], a[1], ta))
          for (const y of pointsIn(b[0], b[1], tb)) {
            if (y === 0) continue;
            defined = true;
            expect(I.isNai(q)).toBe(false);
            // lo ≤ x/y ⇔ lo·y ≤ x (y > 0) or lo·y ≥ x (y < 0)
            const X = exMul(x, 1);
            const sg = y > 0 ? 1n : -1n;
            if (q[0] !== -Infinity) expect(Number.isFinite(q[0]) && sg * exMul(q[0], y) <= sg * X).toBe(true);
            if (q[1] !== Infinity) expect(Number.isFinite(q[1]) && sg * X <= sg * exMul(q[1], y)).toBe(true);
          }
        if (!defined && b[0] === 0 && b[1] === 0) expect(I.isNai(q)).toBe(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('neg, abs, sqr, min, max contain the exact values', () => {
    fc.assert(
      fc.property(anyIv, anyIv, fractions, (a, b, t) => {
        const n = I.neg(a);
        const ab = I.abs(a);
        const sq = I.sqr(a);
        const mn = I.min(a, b);
        const mx = I.max(a, b);
        for (const x of pointsIn(a[0], a[1], t)) {
          expect(I.contains(n, -x)).toBe(true);
          expect(I.contains(ab, Math.abs(x))).toBe(true);
          expect(exIn(exMul(x, x), sq[0], sq[1])).toBe(true);
          for (const y of pointsIn(b[0], b[1], t)) {
            expect(I.contains(mn, Math.min(x, y))).toBe(true);
            expect(I.contains(mx, Math.max(x, y))).toBe(true);
          }
        }
        expect(sq[0]).toBeGreaterThanOrEqual(0);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('library functions enclose the BigNumber (precision 50) value', () => {
  it('sqrt', () => checkUnary(I.sqrt, (x) => (x < 0 ? null : bigF(x).sqrt()), anyIv, 1500));

  it('exp (huge arguments: exp(x) > MAX needs hi = ∞, exp(x) < 4e-323 needs lo ≤ 0 < hi)', () => {
    const ref: Ref = (x) => bigF(x).exp();
    checkUnary(I.exp, ref, fc.oneof(intervalOf(boundedDouble(760)), anyIv), 1500, (_a, r, x) => {
      if (x > 710) expect(r[1]).toBe(Infinity);
      else if (x < -760) expect(r[0] <= 0 && r[1] > 0).toBe(true);
      else if (!bigIn(ref(x) as Big, r[0], r[1])) throw new Error(`exp(${x}) not in [${r[0]}, ${r[1]}]`);
    });
  });

  it('log (undefined for x ≤ 0)', () => checkUnary(I.log, (x) => (x <= 0 ? null : bigF(x).ln()), fc.oneof(anyIv, intervalOf(fc.double({ min: 0, max: 3, noNaN: true }))), 1500));

  it('tanh (|x| > 40: lo ≤ tanh(40), hi ≥ 1)', () => {
    const t40 = new B50(40).tanh();
    checkUnary(I.tanh, (x) => bigF(x).tanh(), fc.oneof(intervalOf(boundedDouble(25)), anyIv), 1500, (_a, r, x) => {
      if (x > 40) expect(bigIn(t40, r[0], 1) && r[1] >= 1).toBe(true);
      else if (x < -40) expect(bigIn(t40.neg(), -1, r[1]) && r[0] <= -1).toBe(true);
      else if (!bigIn(bigF(x).tanh(), r[0], r[1])) throw new Error(`tanh(${x}) not in [${r[0]}, ${r[1]}]`);
    });
  });

  const trigDom = fc.oneof(nearCritIv, intervalOf(boundedDouble(20)), anyIv);
  it('sin (near extrema k·π/2, huge, tiny, subnormal)', () => checkUnary(I.sin, (x) => bigF(x).sin(), trigDom, 800));
  it('cos', () => checkUnary(I.cos, (x) => bigF(x).cos(), trigDom, 800));
  it('tan (across and near poles)', () => checkUnary(I.tan, (x) => bigF(x).tan(), trigDom, 800));

  it('sin/cos include an extremum exactly when it may lie inside', () => {
    // the float nearest k·π/2 is a sample point; the value there is ±(1 − tiny)
    for (const k of [1, 3, -1, 5, 101, 100001, -999999]) {
      const c = (k * Math.PI) / 2;
      const r = I.sin([c - 1e-3, c + 1e-3]);
      const m = ((k % 4) + 4) % 4;
      if (m === 1) expect(r[1]).toBe(1);
      else expect(r[0]).toBe(-1);
      expect(I.cos([c - 1e-3, c + 1e-3])[1]).toBeLessThan(0.01); // no extremum of cos there
    }
    expect(I.sin([0.1, 0.2])[1]).toBeLessThan(0.2);
  });
});

describe('powers', () => {
  it('powInt for k in [−7, 7] encloses x^k (undefined at 0 for k < 0)', () => {
    fc.assert(
      fc.property(anyIv, fc.integer({ min: -7, max: 7 }), fractions, (a, k, t) => {
        const r = I.powInt(a, k);
        for (const x of pointsIn(a[0], a[1], t)) {
          if (x === 0 && k < 0) continue;
          const z = k === 0 ? new B50(1) : k === 1 ? big(x) : big(x).pow(k);
          if (!bigIn(z, r[0], r[1])) throw new Error(`${x}^${k} = ${z.toString()} not in [${r[0]}, ${r[1]}]`);
        }
      }),
      { seed: SEED, numRuns: 1500 },
    );
    expect(() => I.powInt([1, 2], 0.5)).toThrow();
  });

  it('pow(a, b) for a general b encloses x^y on x ≥ 0', () => {
    const base = fc.oneof(intervalOf(fc.double({ min: 0, max: 1e300, noNaN: true })), intervalOf(fc.double({ min: 0, max: 4, noNaN: true })), anyIv);
    const expo = fc.oneof(intervalOf(boundedDouble(8)), fc.integer({ min: -5, max: 5 }).map((k): [number, number] => [k, k]));
    fc.assert(
      fc.property(base, expo, fractions, (a, b, t) => {
        const r = I.pow(a, b);
        const pointInt = b[0] === b[1] && Number.isInteger(b[0]);
        for (const x of pointsIn(a[0], a[1], t))
          for (const y of pointsIn(b[0], b[1], t)) {
            let z: Big | null;
            if (pointInt) z = x === 0 && y < 0 ? null : y === 0 ? new B50(1) : y === 1 ? big(x) : big(x).pow(y);
            else if (x < 0) z = null;
            else if (x === 0) z = y > 0 ? new B50(0) : y === 0 ? new B50(1) : null;
            else z = bigF(x).pow(bigF(y));
            if (z === null) continue;
            if (!bigIn(z, r[0], r[1])) throw new Error(`${x}^${y} = ${z.toString()} not in [${r[0]}, ${r[1]}]`);
          }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});

describe('documented special cases', () => {
  it('partial domains, NAI, NaN, unbounded', () => {
    const l = I.log([0, 1]);
    expect(l[0]).toBe(-Infinity);
    expect(l[1]).toBeGreaterThanOrEqual(0);
    expect(l[1]).toBeLessThan(1e-300);
    expect(I.div([1, 1], [-1, 1])).toEqual([-Infinity, Infinity]);
    expect(I.isNai(I.log([-2, -1]))).toBe(true);
    expect(I.isNai(I.log([-1, 0]))).toBe(true);
    expect(I.isNai(I.sqrt([-2, -1]))).toBe(true);
    expect(I.sqrt([-1, 4])).toEqual([0, 2 + 2 ** -51]);
    expect(I.isNai(I.div([1, 2], [0, 0]))).toBe(true);
    expect(I.div([1, 2], [0, 4])).toEqual([0.25 - 2 ** -55, Infinity]);
    expect(I.div([-2, -1], [0, 4])[0]).toBe(-Infinity);
    expect(I.div([0, 0], [-1, 1])).toEqual([0, 0]);
    expect(I.tan([1, 2])).toEqual([-Infinity, Infinity]);
    expect(I.tan([PI_LO / 2, PI_LO / 2])).toEqual([-Infinity, Infinity]); // a pole may be there (conservative)
    expect(I.sin([0, 7])).toEqual([-1, 1]);
    expect(I.cos([-1e300, 1e300])).toEqual([-1, 1]);
    expect(I.powInt([-1, 1], -1)).toEqual([-Infinity, Infinity]);
    expect(I.powInt([-1, 1], -2)[0]).toBeGreaterThan(0.99);
    expect(I.powInt([-1, 1], -2)[1]).toBe(Infinity);
    for (const op of [I.exp, I.log, I.sin, I.cos, I.tan, I.tanh, I.sqrt, I.sqr, I.abs, I.neg] as ((a: Iv) => Iv)[]) {
      expect(I.isNai(op([NaN, 1]))).toBe(true);
      expect(I.isNai(op(I.NAI))).toBe(true);
    }
    for (const op of [I.add, I.sub, I.mul, I.div, I.min, I.max, I.pow]) expect(I.isNai(op([1, 2], [NaN, NaN]))).toBe(true);
    expect(I.isNai(I.iv(NaN))).toBe(true);
    expect(() => I.iv(2, 1)).toThrow();
    expect(I.hull(I.NAI, [1, 2])).toEqual([1, 2]);
    expect(I.mul([0, 0], [-Infinity, Infinity])).toEqual([0, 0]);
    expect(I.mul([0, 1], [1, Infinity])).toEqual([0, Infinity]);
    expect(I.exp([-Infinity, 0])).toEqual([0, 1]);
    expect(I.width([1, 1])).toBe(0);
    expect(I.width([1, 2])).toBeGreaterThanOrEqual(1);
  });

  it('point inputs give tight results (a few ulps)', () => {
    const L = 5 * LIBM_WIDEN_ULPS + 4; // ≤ 2·(2·LIBM_WIDEN_ULPS + 2) floats: see round.test.ts
    fc.assert(
      fc.property(fc.oneof(boundedDouble(700), fc.double({ min: 1e-300, max: 1e300, noNaN: true })), (x) => {
        const checks: [string, Iv, number][] = [
          ['add', I.add([x, x], [x, x]), 4],
          ['mul', I.mul([x, x], [3, 3]), 4],
          ['exp', I.exp([x, x]), L],
          ['tanh', I.tanh([x, x]), L],
          ['sqrt', I.sqrt([Math.abs(x), Math.abs(x)]), 4],
        ];
        if (x > 0) checks.push(['log', I.log([x, x]), L]);
        if (Math.abs(x) < 1e6) checks.push(['sin', I.sin([x, x]), L], ['cos', I.cos([x, x]), L]);
        for (const [name, r, maxSteps] of checks) {
          if (!Number.isFinite(r[0]) || !Number.isFinite(r[1])) continue;
          // sin/cos near an extremum are (soundly) pushed to ±1; skip those.
          if ((name === 'sin' || name === 'cos') && (r[1] === 1 || r[0] === -1)) continue;
          const s = floatSteps(r[0], r[1]);
          if (s > maxSteps) throw new Error(`${name}(${x}) = [${r[0]}, ${r[1]}]: ${s} floats wide`);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
