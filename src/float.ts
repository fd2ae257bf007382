/**
 * The float64 constants of every rounding-error argument in uat, in one place (a leaf: anyone
 * may import it, it imports nothing). Round to nearest, no underflow unless a bound says so.
 *  - `U = 2⁻⁵³`, the unit roundoff: fl(a ∘ b) = (a ∘ b)(1 + δ), |δ| ≤ u, for + − × ÷ √.
 *  - `gamma(k) = k·u/(1 − k·u)` (Higham, Accuracy and Stability, (3.8)): |Π(1 + δ_i)^{±1} − 1| ≤ γ_k
 *    for k factors; a k-term dot product in any order has error ≤ γ_k Σ|a_i b_i|.
 *  - `LIBM_ULPS`: `Math.exp`, `Math.sin`, … are not correctly rounded in ECMAScript; uat assumes
 *    they are within this many ulps, and `src/interval/selftest.ts` checks the assumption against
 *    a high-precision reference at start-up. `MU_LIBM` is the relative error that implies.
 *  - `PHI`, `ETA`: Rump et al. 2009 directed rounding, `succ(c) = c + (|c|·φ + η)`.
 */

/** Unit roundoff of float64 (round to nearest). */
export const U = 2 ** -53;
/** φ = 2⁻⁵³·(1 + 2⁻⁵²) (Rump et al. 2009). */
export const PHI = 2 ** -53 * (1 + 2 ** -52);
/** η = 2⁻¹⁰⁷⁴, the smallest positive subnormal. */
export const ETA = 2 ** -1074;
/** Assumed accuracy of the platform's `Math.exp/sin/cos/…`, in ulps (checked by the interval self-test). */
export const LIBM_ULPS = 4;
/** Relative error bound of a libm result: LIBM_ULPS ulps ≤ 2·LIBM_ULPS·u relative. */
export const MU_LIBM = 2 * LIBM_ULPS * U;

/** γ_k = k·u/(1 − k·u); throws a RangeError when k·u ≥ 1/2 (the error model breaks down there). */
export function gamma(k: number): number {
  const ku = k * U;
  if (!(ku < 0.5)) throw new RangeError(`gamma(${k}): k·u must be < 1/2`);
  return ku / (1 - ku);
}

/** Rounds a non-negative bound up by a relative 2⁻⁵⁰ (a bound computed with a few float ops is then safe). */
export function up(x: number): number {
  return x + Math.abs(x) * 2 ** -50 + 2 ** -1070;
}

/**
 * The exact value of a finite float64 as `m·2^e` (m a BigInt with |m| < 2^53, the sign on m;
 * e = −1074 for subnormals, else the biased exponent − 1075; not normalised: m may be even).
 * The one decoding of the binary64 layout that exact arithmetic (certificate.v, the interval
 * self-test, the spec's exact-literal check, the test oracles) builds on.
 */
export function binary64Parts(x: number): { m: bigint; e: number } {
  if (!Number.isFinite(x)) throw new RangeError(`binary64Parts: ${x} is not finite`);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(dv.getUint32(4));
  if (bexp !== 0) m |= 1n << 52n;
  return { m: hi >>> 31 ? -m : m, e: bexp === 0 ? -1074 : bexp - 1075 };
}
