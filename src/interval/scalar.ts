/**
 * Scalar interval arithmetic on float64: `Iv = readonly [lo, hi]`, every operation returns an
 * outward-rounded enclosure of the exact real range of the operation over the input box
 * (docs/math.md §4: directed rounding via `succ`/`pred`, Rump et al. 2009; library functions widened
 * by LIBM_WIDEN_ULPS, justified in README.md and checked by selftest.ts).
 *
 * Conventions.
 * - `[-Infinity, Infinity]` is the unbounded interval; endpoints may be infinite.
 * - Where an operation is undefined on part of the input (log/sqrt reaching ≤ 0, division by an
 *   interval containing 0, tan across a pole), the result encloses the range over the defined
 *   part, with ±Infinity endpoints where that range is unbounded. Where it is undefined on the
 *   WHOLE input the result is `NAI = [NaN, NaN]` ("not an interval"). Any NaN input gives NAI.
 * - In products an endpoint product 0·(±∞) is taken as 0 (the limit of x·y over the box).
 * - `hull` treats NAI as the empty set (the union of "defined parts").
 * - `pow(a, b)` with `b` not a point integer is the real power `exp(b·ln a)`, defined for
 *   a ≥ 0 only (a negative base with a non-integer or interval exponent is treated as undefined);
 *   with `b` a point integer it is `powInt`.
 */
import { UatInputError } from '../errors.ts';
import {
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
  succ,
} from './round.ts';

/** A closed interval `[lo, hi]`, `lo <= hi`; `[-Infinity, Infinity]` is unbounded. */
export type Iv = readonly [number, number];

/** "Not an interval": the result where the operation is undefined on the whole input. */
export const NAI: Iv = Object.freeze([NaN, NaN] as const);
/** The whole real line. */
export const ENTIRE: Iv = Object.freeze([-Infinity, Infinity] as const);
/** An enclosure of π: Math.PI < π < succ(Math.PI). */
export const PI: Iv = Object.freeze([PI_LO, PI_HI] as const);

const ZERO: Iv = Object.freeze([0, 0] as const);
const ONE: Iv = Object.freeze([1, 1] as const);
const UNIT: Iv = Object.freeze([-1, 1] as const);

/** The interval `[lo, hi]` (`hi` defaults to `lo`). NaN gives NAI; `lo > hi` throws. */
export function iv(lo: number, hi: number = lo): Iv {
  if (Number.isNaN(lo) || Number.isNaN(hi)) return NAI;
  if (lo > hi) throw new UatInputError('iv', 'lo <= hi', `[${lo}, ${hi}]`);
  return [lo, hi];
}

/** True for NAI (either endpoint NaN). */
export function isNai(a: Iv): boolean {
  return a[0] !== a[0] || a[1] !== a[1];
}

function mk(lo: number, hi: number): Iv {
  if (lo !== lo || hi !== hi) return NAI;
  return [lo, hi];
}

/** Smallest interval containing both; NAI counts as empty. */
export function hull(a: Iv, b: Iv): Iv {
  if (isNai(a)) return b;
  if (isNai(b)) return a;
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

/** Intersection; NAI when empty or when either is NAI. */
export function intersect(a: Iv, b: Iv): Iv {
  if (isNai(a) || isNai(b)) return NAI;
  const lo = Math.max(a[0], b[0]);
  const hi = Math.min(a[1], b[1]);
  return lo <= hi ? [lo, hi] : NAI;
}

/** `x ∈ a` (false for NAI or NaN x). */
export function contains(a: Iv, x: number): boolean {
  return a[0] <= x && x <= a[1];
}

/** `a ⊆ b`. */
export function subset(a: Iv, b: Iv): boolean {
  return b[0] <= a[0] && a[1] <= b[1];
}

/** An upper bound of `hi − lo` (0 for a point; NaN for NAI). */
export function width(a: Iv): number {
  if (isNai(a)) return NaN;
  if (a[0] === a[1]) return 0;
  return succ(a[1] - a[0]);
}

/** A float in the interval (the midpoint, up to rounding; finite when possible). */
export function mid(a: Iv): number {
  const [lo, hi] = a;
  if (lo === -Infinity && hi === Infinity) return 0;
  if (lo === -Infinity) return -Number.MAX_VALUE;
  if (hi === Infinity) return Number.MAX_VALUE;
  const m = 0.5 * lo + 0.5 * hi; // no overflow; lands in [lo, hi] in round-to-nearest
  return m < lo ? lo : m > hi ? hi : m;
}

// ---------------------------------------------------------------------------------------------
// + − × ÷
// ---------------------------------------------------------------------------------------------

export function neg(a: Iv): Iv {
  if (isNai(a)) return NAI;
  return [-a[1], -a[0]];
}

export function add(a: Iv, b: Iv): Iv {
  if (isNai(a) || isNai(b)) return NAI;
  return mk(addDown(a[0], b[0]), addUp(a[1], b[1]));
}

export function sub(a: Iv, b: Iv): Iv {
  if (isNai(a) || isNai(b)) return NAI;
  return mk(addDown(a[0], -b[1]), addUp(a[1], -b[0]));
}

/** Lower bound of x·y with 0·∞ = 0. */
function pmDown(x: number, y: number): number {
  return x === 0 || y === 0 ? 0 : mulDown(x, y);
}
/** Upper bound of x·y with 0·∞ = 0. */
function pmUp(x: number, y: number): number {
  return x === 0 || y === 0 ? 0 : mulUp(x, y);
}

export function mul(a: Iv, b: Iv): Iv {
  if (isNai(a) || isNai(b)) return NAI;
  const [a0, a1] = a;
  const [b0, b1] = b;
  // x·y is bilinear: its extremes over the box are at corners.
  if (a0 >= 0 && b0 >= 0) return [pmDown(a0, b0), pmUp(a1, b1)];
  const lo = Math.min(pmDown(a0, b0), pmDown(a0, b1), pmDown(a1, b0), pmDown(a1, b1));
  const hi = Math.max(pmUp(a0, b0), pmUp(a0, b1), pmUp(a1, b0), pmUp(a1, b1));
  return mk(lo, hi);
}

/** Quotient bounds at one corner (y ≠ 0); an ∞/∞ corner contributes 0 and ±∞ (its limit set). */
function qDown(x: number, y: number): number {
  const xi = x === Infinity || x === -Infinity;
  const yi = y === Infinity || y === -Infinity;
  if (yi) return xi ? (x > 0 === y > 0 ? 0 : -Infinity) : 0;
  return divDown(x, y);
}
function qUp(x: number, y: number): number {
  const xi = x === Infinity || x === -Infinity;
  const yi = y === Infinity || y === -Infinity;
  if (yi) return xi ? (x > 0 === y > 0 ? Infinity : 0) : 0;
  return divUp(x, y);
}

export function div(a: Iv, b: Iv): Iv {
  if (isNai(a) || isNai(b)) return NAI;
  const [a0, a1] = a;
  const [b0, b1] = b;
  if (b0 === 0 && b1 === 0) return NAI;
  if (a0 === 0 && a1 === 0) return ZERO;
  if (b0 > 0 || b1 < 0) {
    // x/y is monotone in each variable on the box: extremes at corners.
    const lo = Math.min(qDown(a0, b0), qDown(a0, b1), qDown(a1, b0), qDown(a1, b1));
    const hi = Math.max(qUp(a0, b0), qUp(a0, b1), qUp(a1, b0), qUp(a1, b1));
    return mk(lo, hi);
  }
  if (b0 < 0 && b1 > 0) return ENTIRE;
  if (b1 === 0) return div(neg(a), neg(b)); // b = [b0, 0]: a/b = (−a)/(−b)
  // b = [0, b1], b1 > 0: the defined part is y ∈ (0, b1].
  if (a1 < 0) return [-Infinity, divUp(a1, b1)];
  if (a0 > 0) return [divDown(a0, b1), Infinity];
  if (a0 === 0) return [0, Infinity];
  if (a1 === 0) return [-Infinity, 0];
  return ENTIRE;
}

/** Product with a float `c` (exact scalar). */
export function scale(a: Iv, c: number): Iv {
  return mul(a, [c, c]);
}

// ---------------------------------------------------------------------------------------------
// Powers and roots
// ---------------------------------------------------------------------------------------------

export function sqr(a: Iv): Iv {
  if (isNai(a)) return NAI;
  const [a0, a1] = a;
  if (a0 >= 0) return [Math.max(0, mulDown(a0, a0)), mulUp(a1, a1)];
  if (a1 <= 0) return [Math.max(0, mulDown(a1, a1)), mulUp(a0, a0)];
  const m = Math.max(-a0, a1);
  return [0, mulUp(m, m)];
}

export function sqrt(a: Iv): Iv {
  if (isNai(a)) return NAI;
  const [a0, a1] = a;
  if (a1 < 0) return NAI;
  return [a0 <= 0 ? 0 : sqrtDown(a0), sqrtUp(a1)];
}

/** Bound of x^k for x ≥ 0, k ≥ 1 integer, by binary powering with directed products. */
function powNonneg(x: number, k: number, up: boolean): number {
  if (x === 0) return 0;
  if (x === 1) return 1;
  let result = NaN; // "not yet set"
  let base = x;
  let n = k;
  for (;;) {
    if (n % 2 === 1) {
      if (result !== result) result = base;
      else result = up ? mulUp(result, base) : Math.max(0, mulDown(result, base));
    }
    n = Math.floor(n / 2);
    if (n === 0) break;
    base = up ? mulUp(base, base) : Math.max(0, mulDown(base, base));
  }
  return result;
}

/** `a^k` for an integer `k` (negative `k`: `1 / a^|k|` with the division conventions). */
export function powInt(a: Iv, k: number): Iv {
  if (!Number.isInteger(k)) throw new UatInputError('powInt: k', 'an integer', k);
  if (isNai(a)) return NAI;
  if (k === 0) return ONE; // x^0 = 1 for every x (0^0 = 1 by convention)
  if (k === 1) return a;
  if (k < 0) return div(ONE, powInt(a, -k));
  if (k === 2) return sqr(a);
  const [a0, a1] = a;
  if (k % 2 === 0) {
    // even: x^k = |x|^k, increasing in |x|
    const m0 = a0 >= 0 ? a0 : a1 <= 0 ? -a1 : 0;
    const m1 = Math.max(-a0, a1);
    return [powNonneg(m0, k, false), powNonneg(m1, k, true)];
  }
  // odd: increasing; x^k = −(|x|^k) for x < 0
  const lo = a0 >= 0 ? powNonneg(a0, k, false) : -powNonneg(-a0, k, true);
  const hi = a1 >= 0 ? powNonneg(a1, k, true) : -powNonneg(-a1, k, false);
  return [lo, hi];
}

/**
 * General power: `powInt` when `b` is a point integer; otherwise `exp(b·log a)` on
 * `a ∩ [0, ∞)` (with 0^y = 0 for y > 0 and 0^0 = 1).
 */
export function pow(a: Iv, b: Iv): Iv {
  if (isNai(a) || isNai(b)) return NAI;
  if (b[0] === b[1] && Number.isInteger(b[0])) return powInt(a, b[0]);
  const [a0, a1] = a;
  if (a1 < 0) return NAI;
  if (a1 === 0) {
    // a ∩ [0,∞) = {0}: 0^y = 0 (y > 0), 1 (y = 0), undefined (y < 0).
    let r: Iv = NAI;
    if (b[1] > 0) r = hull(r, ZERO);
    if (b[0] <= 0 && b[1] >= 0) r = hull(r, ONE);
    return r;
  }
  // log gives −∞ at the lower end when a0 ≤ 0, and exp(−∞) = 0 gives 0^y = 0 for y > 0.
  const r = exp(mul(b, log([Math.max(a0, 0), a1])));
  if (a0 <= 0 && b[0] <= 0 && b[1] >= 0) return hull(r, ONE);
  return r;
}

// ---------------------------------------------------------------------------------------------
// exp, log, tanh (monotone; libm results widened by LIBM_WIDEN_ULPS, see round.ts)
// ---------------------------------------------------------------------------------------------

export function exp(a: Iv): Iv {
  if (isNai(a)) return NAI;
  const [a0, a1] = a;
  let lo = a0 === -Infinity ? 0 : Math.max(0, libmDown(Math.exp(a0)));
  let hi = a1 === -Infinity ? 0 : libmUp(Math.exp(a1));
  if (a0 >= 0 && lo < 1) lo = 1; // exp(x) ≥ 1 for x ≥ 0
  if (a1 <= 0 && hi > 1) hi = 1; // exp(x) ≤ 1 for x ≤ 0
  return [lo, hi];
}

export function log(a: Iv): Iv {
  if (isNai(a)) return NAI;
  const [a0, a1] = a;
  if (a1 <= 0) return NAI;
  let lo = a0 <= 0 ? -Infinity : libmDown(Math.log(a0));
  let hi = libmUp(Math.log(a1));
  if (a0 >= 1 && lo < 0) lo = 0; // log x ≥ 0 for x ≥ 1
  if (a1 <= 1 && hi > 0) hi = 0; // log x ≤ 0 for x ≤ 1
  return [lo, hi];
}

export function tanh(a: Iv): Iv {
  if (isNai(a)) return NAI;
  const [a0, a1] = a;
  let lo = Math.max(-1, libmDown(Math.tanh(a0)));
  let hi = Math.min(1, libmUp(Math.tanh(a1)));
  if (a0 >= 0 && lo < 0) lo = 0; // sign-preserving
  if (a1 <= 0 && hi > 0) hi = 0;
  return [lo, hi];
}

// ---------------------------------------------------------------------------------------------
// sin, cos, tan. Critical points are k·π/2. We cannot reduce arguments exactly, so we enclose
// k·π/2 in [k·PI_LO/2, k·PI_HI/2] (directed products; π ∈ (PI_LO, PI_HI)) and treat a critical
// point as inside [a0, a1] whenever its enclosure meets [a0, a1] (conservative). The values at
// the endpoints come from Math.sin/cos/tan widened by LIBM_WIDEN_ULPS.
// ---------------------------------------------------------------------------------------------

const H_LO = PI_LO / 2; // exact scaling
const H_HI = PI_HI / 2;
const TRIG_MAX_ARG = 2 ** 50; // beyond this, k·π/2 enclosures are too coarse to be useful
const TRIG_MAX_K = 16;

/**
 * The integers k with k·π/2 possibly in [a0, a1] (finite, |a| ≤ 2^50), as a range [kLo, kHi]
 * that is a superset; or null if the range is too long to enumerate.
 */
function critRange(a0: number, a1: number): [number, number] | null {
  // k·π/2 ≥ a0 ⇒ k ≥ a0/(π/2) ≥ min(a0/H_LO, a0/H_HI) exactly; the float divisions err by
  // < 2^-53·2^52 = 1/2 for |a0/h| < 2^52, which the extra −1 (and +1 above) absorbs.
  const kLo = Math.floor(Math.min(a0 / H_LO, a0 / H_HI)) - 1;
  const kHi = Math.ceil(Math.max(a1 / H_LO, a1 / H_HI)) + 1;
  if (kHi - kLo > TRIG_MAX_K) return null;
  return [kLo, kHi];
}

/** Does k·π/2 possibly lie in [a0, a1]? */
function critMeets(k: number, a0: number, a1: number): boolean {
  const lo = k >= 0 ? mulDown(k, H_LO) : mulDown(k, H_HI);
  const hi = k >= 0 ? mulUp(k, H_HI) : mulUp(k, H_LO);
  return hi >= a0 && lo <= a1;
}

function mod4(k: number): number {
  return ((k % 4) + 4) % 4;
}

function sinCos(a: Iv, isCos: boolean): Iv {
  if (isNai(a)) return NAI;
  const [a0, a1] = a;
  if (!(Math.abs(a0) <= TRIG_MAX_ARG && Math.abs(a1) <= TRIG_MAX_ARG)) return UNIT;
  if (a1 - a0 >= 2 * PI_LO) return UNIT; // contains a full period (an optimisation only)
  const r = critRange(a0, a1);
  if (r === null) return UNIT;
  const f = isCos ? Math.cos : Math.sin;
  const y0 = f(a0);
  const y1 = f(a1);
  let lo = libmDown(Math.min(y0, y1));
  let hi = libmUp(Math.max(y0, y1));
  for (let k = r[0]; k <= r[1]; k++) {
    // sin: extrema at odd k (k ≡ 1 mod 4: +1, ≡ 3: −1); cos: at even k (≡ 0: +1, ≡ 2: −1).
    const m = mod4(k);
    let v: number;
    if (isCos) {
      if (m === 1 || m === 3) continue;
      v = m === 0 ? 1 : -1;
    } else {
      if (m === 0 || m === 2) continue;
      v = m === 1 ? 1 : -1;
    }
    if (!critMeets(k, a0, a1)) continue;
    if (v > 0) hi = 1;
    else lo = -1;
  }
  return [Math.max(-1, lo), Math.min(1, hi)];
}

export function sin(a: Iv): Iv {
  return sinCos(a, false);
}

export function cos(a: Iv): Iv {
  return sinCos(a, true);
}

export function tan(a: Iv): Iv {
  if (isNai(a)) return NAI;
  const [a0, a1] = a;
  if (!(Math.abs(a0) <= TRIG_MAX_ARG && Math.abs(a1) <= TRIG_MAX_ARG)) return ENTIRE;
  if (a1 - a0 >= PI_LO) return ENTIRE; // contains a pole
  const r = critRange(a0, a1);
  if (r === null) return ENTIRE;
  for (let k = r[0]; k <= r[1]; k++) {
    // poles at odd multiples of π/2; tan(a) over a pole-free interval is increasing.
    if (k % 2 !== 0 && critMeets(k, a0, a1)) return ENTIRE;
  }
  const lo = libmDown(Math.tan(a0));
  const hi = libmUp(Math.tan(a1));
  return [lo, hi];
}

// ---------------------------------------------------------------------------------------------
// abs, min, max (exact: no rounding)
// ---------------------------------------------------------------------------------------------

export function abs(a: Iv): Iv {
  if (isNai(a)) return NAI;
  const [a0, a1] = a;
  if (a0 >= 0) return a;
  if (a1 <= 0) return [-a1, -a0];
  return [0, Math.max(-a0, a1)];
}

export function min(a: Iv, b: Iv): Iv {
  if (isNai(a) || isNai(b)) return NAI;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
}

export function max(a: Iv, b: Iv): Iv {
  if (isNai(a) || isNai(b)) return NAI;
  return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
}

// Re-exported so that users of scalar intervals need one import only.
export { addDown, addUp, divDown, divUp, mulDown, mulUp, pred, succ };
