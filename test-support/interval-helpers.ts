/**
 * Test-only helpers for the interval tests (imported by the `*.test.ts` of src/interval, not by the
 * library): exact dyadic arithmetic on floats with BigInt, a mathjs BigNumber instance at
 * precision 50, comparisons of exact values with float bounds, and fast-check arbitraries for
 * floats of every magnitude (huge, tiny, subnormal, zero, negative) and intervals.
 */
import fc from 'fast-check';
import { all, create, type FactoryFunctionMap } from 'mathjs';
import { exactDecimal } from '../src/interval/selftest.ts';
import { binary64Parts } from '../src/float.ts';

// ---------------------------------------------------------------------------------------------
// Exact dyadic arithmetic. Every finite float is N·2^-SCALE with N a BigInt, SCALE = 2148,
// so that products of two floats (exponents ≥ −1074 each) are also integers at that scale.
// ---------------------------------------------------------------------------------------------

export const SCALE = 2148;

/** Mantissa and exponent: x = m·2^e exactly (m a BigInt, may be negative). */
export function decompose(x: number): { m: bigint; e: number } {
  if (!Number.isFinite(x)) throw new Error(`decompose: ${x}`);
  if (x === 0) return { m: 0n, e: 0 };
  return binary64Parts(x);
}

/** Exact x·2^SCALE. */
export function ex(x: number): bigint {
  const { m, e } = decompose(x);
  return m << BigInt(e + SCALE);
}

/** Exact a·b·2^SCALE. */
export function exMul(a: number, b: number): bigint {
  const A = decompose(a);
  const B = decompose(b);
  return (A.m * B.m) << BigInt(A.e + B.e + SCALE);
}

/** Is the float bound lo ≤ exact value N (at SCALE)? (−∞ always; NaN never.) */
export function loLe(lo: number, N: bigint): boolean {
  if (lo !== lo) return false;
  if (lo === -Infinity) return true;
  if (lo === Infinity) return false;
  return ex(lo) <= N;
}

/** Is the exact value N ≤ the float bound hi? */
export function leHi(N: bigint, hi: number): boolean {
  if (hi !== hi) return false;
  if (hi === Infinity) return true;
  if (hi === -Infinity) return false;
  return N <= ex(hi);
}

/** Is the exact value N in [lo, hi]? */
export function exIn(N: bigint, lo: number, hi: number): boolean {
  return loLe(lo, N) && leHi(N, hi);
}

// ---------------------------------------------------------------------------------------------
// BigNumber (decimal.js through mathjs), precision 50.
// ---------------------------------------------------------------------------------------------

export const M50 = create(all as FactoryFunctionMap, { number: 'BigNumber', precision: 50 });

/** The part of the decimal.js interface used by the tests. */
export interface Big {
  toString(): string;
  toNumber(): number;
  abs(): Big;
  neg(): Big;
  plus(v: Big | number): Big;
  minus(v: Big | number): Big;
  times(v: Big | number): Big;
  div(v: Big | number): Big;
  pow(v: Big | number): Big;
  sqrt(): Big;
  exp(): Big;
  ln(): Big;
  sin(): Big;
  cos(): Big;
  tan(): Big;
  tanh(): Big;
  lt(v: Big | number): boolean;
  lte(v: Big | number): boolean;
  gt(v: Big | number): boolean;
  gte(v: Big | number): boolean;
  eq(v: Big | number): boolean;
  isZero(): boolean;
  isFinite(): boolean;
  toSignificantDigits(sd: number): Big;
  toDecimalPlaces(dp: number): Big;
  acos(): Big;
}
type BigCtor = (new (v: string | number) => Big) & { clone(cfg: { precision: number }): BigCtor };
export const B50 = (M50 as unknown as { BigNumber: BigCtor }).BigNumber;

/** A decimal.js constructor with `p` significant digits (same class as B50, cloned). */
export function bigCtorWithPrecision(p: number): new (v: string | number) => Big {
  return B50.clone({ precision: p });
}

/** The float x exactly as a BigNumber (decimal.js keeps every digit of a constructor string). */
export function big(x: number): Big {
  return new B50(exactDecimal(x));
}

/**
 * The float x as a BigNumber for library-function references: exact for |x| ≥ 1e20 (trig
 * reduction needs every digit), otherwise rounded to 70 significant digits (a subnormal's exact
 * expansion has ~750 digits and makes decimal.js ~50× slower). The relative change of 1e-70
 * moves f(x) by cond·1e-70 — far below the ≥ 1-ulp gap every bound keeps from a transcendental
 * value; bounds that equal the exact value (0, 1) come from short inputs, unaffected.
 */
export function bigF(x: number): Big {
  const b = big(x);
  return Math.abs(x) < 1e20 ? b.toSignificantDigits(70) : b;
}

/** Is the BigNumber z in the float interval [lo, hi] (endpoints exact, may be infinite)? */
export function bigIn(z: Big, lo: number, hi: number): boolean {
  if (lo !== lo || hi !== hi) return false;
  const okLo = lo === -Infinity || (lo !== Infinity && big(lo).lte(z));
  const okHi = hi === Infinity || (hi !== -Infinity && z.lte(big(hi)));
  return okLo && okHi;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Special values always worth trying. */
export const SPECIALS = [
  0, -0, 5e-324, -5e-324, 1e-310, -1e-310, 2.2250738585072014e-308, 1e-300, -1e-300, 1e-20, 0.5, 1, -1, 2, 3, -3,
  Math.PI, -Math.PI, Math.PI / 2, 1e10, 1e300, -1e300, 1.7e308, -1.7e308,
];

/** A finite double of any magnitude (full-range fc.double, log-uniform magnitudes, specials). */
export function anyDouble(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -10, max: 10, noNaN: true }),
    fc
      .tuple(fc.integer({ min: -1074, max: 1023 }), fc.double({ min: 1, max: 2, maxExcluded: true, noNaN: true }), fc.boolean())
      .map(([e, m, s]) => {
        const v = e < -1022 ? 2 ** e : m * 2 ** e;
        return s ? -v : v;
      }),
    fc.constantFrom(...SPECIALS),
  );
}

/** A double in [−lim, lim] with a magnitude spread over many orders (for functions like exp). */
export function boundedDouble(lim: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.double({ min: -lim, max: lim, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.constantFrom(0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-10, -lim, lim),
  );
}

/** A finite interval [lo, hi] built from two doubles of the arbitrary (sorted; sometimes a point). */
export function intervalOf(d: fc.Arbitrary<number>): fc.Arbitrary<[number, number]> {
  return fc.oneof(
    fc.tuple(d, d).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a])),
    d.map((a): [number, number] => [a, a]),
    fc.tuple(d, fc.double({ min: 0, max: 1e-6, noNaN: true })).map(([a, w]): [number, number] => {
      const b = a + Math.abs(a) * w;
      return Number.isFinite(b) ? [a, b] : [a, a];
    }),
  );
}

/** Sample points of [lo, hi]: both endpoints and `ts` fractions in between (all in the interval). */
export function pointsIn(lo: number, hi: number, ts: readonly number[]): number[] {
  const pts = [lo, hi];
  for (const t of ts) {
    let x = lo === hi ? lo : (1 - t) * lo + t * hi;
    if (!Number.isFinite(x)) x = t < 0.5 ? lo : hi;
    if (x < lo) x = lo;
    if (x > hi) x = hi;
    pts.push(x);
  }
  return pts.filter((x) => Number.isFinite(x));
}

/** Distance in floats from a to b (b ≥ a), via the ordered bit representation. */
export function floatSteps(a: number, b: number): number {
  const key = (x: number): bigint => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, x);
    const u = dv.getBigUint64(0);
    return u >> 63n ? -(u & 0x7fffffffffffffffn) : u;
  };
  return Number(key(b) - key(a));
}
