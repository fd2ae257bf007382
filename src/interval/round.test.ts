/**
 * Tests of src/interval/round.ts: succ/pred are strictly outward and at most two floats away;
 * the directed operations enclose the exact result (checked with exact BigInt dyadic arithmetic);
 * the libm widening moves at least LIBM_WIDEN_ULPS − 1 floats.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ETA,
  LIBM_WIDEN_ULPS,
  PI_HI,
  PI_LO,
  addDown,
  addUp,
  divDown,
  divUp,
  libmDown,
  libmUp,
  mulDown,
  mulUp,
  pred,
  sqrtDown,
  sqrtUp,
  subDown,
  subUp,
  succ,
} from './round.ts';
import { B50, anyDouble, big, decompose, ex, exMul, floatSteps } from '../../test-support/interval-helpers.ts';

const RUNS = { seed: 42, numRuns: 3000 };

describe('succ / pred', () => {
  it('are strictly outward and at most 2 floats away (finite inputs)', () => {
    fc.assert(
      fc.property(anyDouble(), (c) => {
        const s = succ(c);
        const p = pred(c);
        if (c < Number.MAX_VALUE) {
          expect(s).toBeGreaterThan(c);
          const k = floatSteps(c, s);
          expect(k).toBeGreaterThanOrEqual(1);
          expect(k).toBeLessThanOrEqual(2);
        } else expect(s).toBe(Infinity);
        if (c > -Number.MAX_VALUE) {
          expect(p).toBeLessThan(c);
          const k = floatSteps(p, c);
          expect(k).toBeGreaterThanOrEqual(1);
          expect(k).toBeLessThanOrEqual(2);
        } else expect(p).toBe(-Infinity);
      }),
      RUNS,
    );
  });

  it('handle zero, subnormals, infinities and NaN', () => {
    expect(succ(0)).toBe(ETA);
    expect(pred(0)).toBe(-ETA);
    expect(succ(-0)).toBe(ETA);
    expect(succ(ETA)).toBe(2 * ETA);
    expect(pred(ETA)).toBe(0);
    expect(succ(Infinity)).toBe(Infinity);
    expect(pred(-Infinity)).toBe(-Infinity);
    expect(succ(-Infinity)).toBe(-Number.MAX_VALUE);
    expect(pred(Infinity)).toBe(Number.MAX_VALUE);
    expect(succ(NaN)).toBeNaN();
    expect(pred(NaN)).toBeNaN();
    expect(succ(1)).toBe(1 + 2 ** -52);
    expect(pred(1)).toBe(1 - 2 ** -53);
  });

  it('π lies strictly inside (PI_LO, PI_HI)', () => {
    const pi = new B50('3.14159265358979323846264338327950288419716939937510');
    expect(big(PI_LO).lt(pi)).toBe(true);
    expect(big(PI_HI).gt(pi)).toBe(true);
    expect(floatSteps(PI_LO, PI_HI)).toBe(1);
  });
});

describe('directed + − × ÷ √ enclose the exact result', () => {
  it('add, sub', () => {
    fc.assert(
      fc.property(anyDouble(), anyDouble(), (a, b) => {
        const s = ex(a) + ex(b);
        const lo = addDown(a, b);
        const hi = addUp(a, b);
        if (lo !== Infinity) expect(lo === -Infinity || ex(lo) <= s).toBe(true);
        if (hi !== -Infinity) expect(hi === Infinity || s <= ex(hi)).toBe(true);
        expect(lo).toBeLessThan(hi);
        const d = ex(a) - ex(b);
        const dl = subDown(a, b);
        const dh = subUp(a, b);
        expect(dl === -Infinity || ex(dl) <= d).toBe(true);
        expect(dh === Infinity || d <= ex(dh)).toBe(true);
      }),
      RUNS,
    );
  });

  it('mul', () => {
    fc.assert(
      fc.property(anyDouble(), anyDouble(), (a, b) => {
        const p = exMul(a, b);
        const lo = mulDown(a, b);
        const hi = mulUp(a, b);
        expect(lo === -Infinity || ex(lo) <= p).toBe(true);
        expect(hi === Infinity || p <= ex(hi)).toBe(true);
      }),
      RUNS,
    );
  });

  it('div (checked as lo·b ≤ a ≤ hi·b for b > 0, reversed for b < 0)', () => {
    fc.assert(
      fc.property(anyDouble(), anyDouble(), (a, b) => {
        fc.pre(b !== 0);
        const lo = divDown(a, b);
        const hi = divUp(a, b);
        const A = exMul(a, 1);
        const sgn = b > 0 ? 1n : -1n;
        if (Number.isFinite(lo)) expect(sgn * exMul(lo, b) <= sgn * A).toBe(true);
        else expect(lo).toBe(-Infinity);
        if (Number.isFinite(hi)) expect(sgn * A <= sgn * exMul(hi, b)).toBe(true);
        else expect(hi).toBe(Infinity);
      }),
      RUNS,
    );
  });

  it('sqrt (checked as lo² ≤ a ≤ hi²)', () => {
    fc.assert(
      fc.property(anyDouble(), (x) => {
        const a = Math.abs(x);
        const lo = sqrtDown(a);
        const hi = sqrtUp(a);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(exMul(lo, lo) <= exMul(a, 1)).toBe(true);
        expect(exMul(a, 1) <= exMul(hi, hi)).toBe(true);
      }),
      RUNS,
    );
  });

  it('overflowed results keep a valid finite bound on the other side', () => {
    expect(addUp(Number.MAX_VALUE, Number.MAX_VALUE)).toBe(Infinity);
    expect(addDown(Number.MAX_VALUE, Number.MAX_VALUE)).toBe(Number.MAX_VALUE);
    expect(mulDown(-1e300, 1e300)).toBe(-Infinity);
    expect(mulUp(-1e300, 1e300)).toBe(-Number.MAX_VALUE);
    expect(decompose(mulUp(ETA, 0.5)).m).toBeGreaterThan(0n); // underflow: still above η/2
  });
});

describe('libm widening', () => {
  it(`moves at least ${LIBM_WIDEN_ULPS - 1} floats outward, and not absurdly far`, () => {
    fc.assert(
      fc.property(anyDouble(), (y) => {
        const up = libmUp(y);
        const dn = libmDown(y);
        if (Math.abs(y) < 1e307) {
          expect(floatSteps(y, up)).toBeGreaterThanOrEqual(LIBM_WIDEN_ULPS - 1);
          expect(floatSteps(dn, y)).toBeGreaterThanOrEqual(LIBM_WIDEN_ULPS - 1);
          expect(floatSteps(y, up)).toBeLessThanOrEqual(3 * LIBM_WIDEN_ULPS);
          expect(floatSteps(dn, y)).toBeLessThanOrEqual(3 * LIBM_WIDEN_ULPS);
        }
      }),
      RUNS,
    );
    expect(libmUp(Infinity)).toBe(Infinity);
    expect(libmDown(-Infinity)).toBe(-Infinity);
    expect(Number.isFinite(libmDown(Infinity))).toBe(true);
    expect(Number.isFinite(libmUp(-Infinity))).toBe(true);
  });
});
