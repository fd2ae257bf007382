/**
 * Directed rounding without rounding modes (docs/math.md §4; Rump, Zimmermann, Boldo, Melquiond,
 * "Computing predecessor and successor in rounding to nearest", BIT 49, 2009).
 *
 * JavaScript only has round-to-nearest. For a float `c`, `succ(c) = c + (|c|·φ + η)` with
 * `φ = 2^-53·(1 + 2^-52)` and `η = 2^-1074`, evaluated in round-to-nearest, is a float strictly
 * greater than `c` (it is the next float, or the one after it near a power of two); `pred` is the
 * mirror image. If `r = fl(a ∘ b)` for `∘ ∈ {+, −, ×, ÷, √}` (correctly rounded by IEEE 754),
 * the exact result lies in `[r⁻, r⁺]` (the floats adjacent to `r`), hence in
 * `[pred(r), succ(r)]`. That is all the helpers below use.
 *
 * Infinities: `succ(+∞) = +∞`, `pred(−∞) = −∞` (the formula gives them), and we define
 * `succ(−∞) = −MAX_VALUE`, `pred(+∞) = +MAX_VALUE`: an overflowed result `fl(x) = +∞` means the
 * exact `x ≥ MAX_VALUE`, so `MAX_VALUE` is a valid lower bound (and −∞ is not a valid upper
 * bound for a finite quantity). NaN propagates.
 *
 * Also here: the widening applied to library functions (`Math.exp`, `Math.log`, …), which
 * ECMAScript does not require to be correctly rounded; see `libmUp`/`libmDown` and
 * `src/interval/README.md` for the argument and what `selftest.ts` measured.
 */

import * as F from '../float.ts';
// Module-local copies: under the tsx loader a read of an imported binding is a getter call, and
// succ/pred run in every hot loop of the verifier (measured: 17% of a box evaluation).
export const PHI = F.PHI;
export const ETA = F.ETA;
export const U = F.U;

/** A float strictly greater than `c` (for finite `c < MAX_VALUE`); at most two floats above. */
export function succ(c: number): number {
  if (c === -Infinity) return -Number.MAX_VALUE;
  return c + (Math.abs(c) * PHI + ETA);
}

/** A float strictly less than `c` (for finite `c > −MAX_VALUE`); at most two floats below. */
export function pred(c: number): number {
  if (c === Infinity) return Number.MAX_VALUE;
  return c - (Math.abs(c) * PHI + ETA);
}

/** Lower bound of the exact `a + b`. */
export function addDown(a: number, b: number): number {
  return pred(a + b);
}
/** Upper bound of the exact `a + b`. */
export function addUp(a: number, b: number): number {
  return succ(a + b);
}
/** Lower bound of the exact `a − b`. */
export function subDown(a: number, b: number): number {
  return pred(a - b);
}
/** Upper bound of the exact `a − b`. */
export function subUp(a: number, b: number): number {
  return succ(a - b);
}
/** Lower bound of the exact `a · b`. */
export function mulDown(a: number, b: number): number {
  return pred(a * b);
}
/** Upper bound of the exact `a · b`. */
export function mulUp(a: number, b: number): number {
  return succ(a * b);
}
/** Lower bound of the exact `a / b`. */
export function divDown(a: number, b: number): number {
  return pred(a / b);
}
/** Upper bound of the exact `a / b`. */
export function divUp(a: number, b: number): number {
  return succ(a / b);
}
/** Lower bound of the exact `√a` (`Math.sqrt` is correctly rounded; never below 0). */
export function sqrtDown(a: number): number {
  const r = pred(Math.sqrt(a));
  return r < 0 ? 0 : r;
}
/** Upper bound of the exact `√a`. */
export function sqrtUp(a: number): number {
  return succ(Math.sqrt(a));
}

// ---------------------------------------------------------------------------------------------
// Library-function widening.
//
// Assumption (checked by selftest.ts, see README.md): for f ∈ {exp, log, sin, cos, tan, tanh}
// and every float x where f(x) is finite, |Math.f(x) − f(x)| ≤ 7·ulp(f(x)), where ulp(z) is the
// spacing of floats in the binade of z (2^(e−52) for 2^e ≤ |z| < 2^(e+1), and η for subnormals).
// (Measured on V8: < 1 ulp for exp/log/sin/cos/tan, up to about 2 ulps for tanh; README.md.)
//
// Widening: with y = Math.f(x), up(y) = succ(y + (|y|·2^-49 + 8η)) and down(y) mirrored.
// Why it is enough: if f is normal, ulp(f) ≤ 2^-52·|f|, so |y − f| ≤ 7·2^-52·|f|
// ≤ 7·2^-52·(|y| + |y − f|), giving |y − f| ≤ 7·2^-52·|y|/(1 − 7·2^-52) < 2^-49·|y|. If f is
// subnormal, |y − f| ≤ 7η < 8η. Either way f < y + |y|·2^-49 + 8η (exactly). The float
// evaluation: |y|·2^-49 is a power-of-two scaling (exact unless it underflows, error ≤ η/2);
// adding 8η and then y each round by at most half an ulp of the result; the final `succ` steps at
// least one full ulp of s = fl(y + t) upwards, which dominates those roundings (the one-ulp slack
// between the assumed 7 and the implemented 8 ulps absorbs the rest). We call this a widening of
// LIBM_WIDEN_ULPS = 8 ulps. The self-test demands a measured error below LIBM_WIDEN_ULPS / 2.
// ---------------------------------------------------------------------------------------------

/** Ulps by which library-function results are widened (each side). */
export const LIBM_WIDEN_ULPS = 8;
/** Relative widening 8·2^-52 = 2^-49. */
export const LIBM_REL = LIBM_WIDEN_ULPS * 2 ** -52;
/** Absolute widening for subnormal results, 8η. */
export const LIBM_ABS = LIBM_WIDEN_ULPS * ETA;

/**
 * Upper bound of f(x) given y = Math.f(x) (under the libm assumption above). `y = −∞` (an
 * overflow to −∞) is treated as −MAX_VALUE; `+∞` stays `+∞`.
 */
export function libmUp(y: number): number {
  if (y === -Infinity) y = -Number.MAX_VALUE;
  return succ(y + (Math.abs(y) * LIBM_REL + LIBM_ABS));
}

/** Lower bound of f(x) given y = Math.f(x); `+∞` is treated as `+MAX_VALUE`, `−∞` stays. */
export function libmDown(y: number): number {
  if (y === Infinity) y = Number.MAX_VALUE;
  return pred(y - (Math.abs(y) * LIBM_REL + LIBM_ABS));
}

/** π lies strictly between these two floats: PI_LO = Math.PI < π < PI_HI = succ(Math.PI). */
export const PI_LO = Math.PI;
export const PI_HI = succ(Math.PI);
