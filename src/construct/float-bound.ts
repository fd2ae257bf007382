/**
 * Rigorous rounding-error arithmetic for the construction (the `float` term of the certificate).
 *
 * The model of floating-point arithmetic (Higham, *Accuracy and Stability of Numerical Algorithms*,
 * §2–3): IEEE-754 binary64, round to nearest, no overflow, no underflow in the ranges used (the few
 * places where a subnormal could occur add `2⁻¹⁰⁷⁰` absolutely through `up`). For `∘ ∈ {+, −, ×, ÷}`
 * `fl(a ∘ b) = (a ∘ b)(1 + δ)` and also `|fl(x) − x| ≤ u·|fl(x)|` (`u = 2⁻⁵³`: the error is at most
 * half an ulp of the binade of x, and |fl(x)| is at least that binade's lower end); a sum of `k` terms
 * in any order is within `γ_{k−1} Σ|terms|`, a dot product of length k within `γ_k Σ|a_i b_i|`,
 * `γ_k = k·u/(1 − k·u)` (src/float.ts). `Math.exp/cos/sin` are assumed within `LIBM_ULPS` ulps
 * (self-tested by src/interval), i.e. a relative error `≤ MU_LIBM = 2·LIBM_ULPS·u`.
 *
 * Two tools live here:
 *  - `Re`, a running-error value: a float `v` and a bound `e ≥ |v − v*|` on its distance to the real
 *    quantity `v*` it stands for. Every operation propagates `e` *exactly* (no first-order
 *    truncation: products of error terms are kept) and adds its own rounding `u·|fl(result)|`; the
 *    bound expression itself is evaluated in float and rounded up by `up` (a relative 2⁻⁵⁰ ≥ 8u
 *    covers the ≤ 7 roundings of each bound expression; longer float sums of bounds use `upSum`).
 *  - double-word ("dd") values `hi + lo`, `|lo| ≤ u|hi|`, for the few quantities that must be known
 *    to far better than u (the node values of the stored ridge functions, the offsets β*). Error
 *    bounds: TwoSum and Dekker's TwoProduct are exact (no FMA needed; no overflow); the double-word
 *    sum `ddAdd` (Joldes–Muller–Popescu 2017, AccurateDWPlusDW) has relative error ≤ 3u²/(1 − 4u)
 *    and `ddMul` (DWTimesDW1) ≤ 7u²; the callers charge `DD_REL = 8u²` per operation, relative to
 *    the magnitude of the result plus the operands (so cancellation is covered).
 * @see proofs/lem-float.md
 */
import { U, MU_LIBM, gamma, up } from '../float.ts';
export { U, MU_LIBM, gamma, up };

/** Upper bound of a float sum of `count` non-negative bound values `s` (its own rounding, γ_count). */
export function upSum(s: number, count: number): number {
  return up(s * (1 + gamma(Math.max(count, 1) + 1)));
}

/** A float value with a bound on its distance to the real quantity it represents. */
export interface Re {
  readonly v: number;
  readonly e: number;
}

/** An exactly representable quantity. */
export const exact = (v: number): Re => ({ v, e: 0 });

/** π as `Math.PI`: |Math.PI − π| < 1.23e-16 ≤ u·π. */
export const PI_RE: Re = { v: Math.PI, e: U * Math.PI };

/** a + b: |fl(â + b̂) − (a + b)| ≤ e_a + e_b + u|fl(â + b̂)|. */
export function reAdd(a: Re, b: Re): Re {
  const v = a.v + b.v;
  return { v, e: up(a.e + b.e + U * Math.abs(v)) };
}

export function reSub(a: Re, b: Re): Re {
  const v = a.v - b.v;
  return { v, e: up(a.e + b.e + U * Math.abs(v)) };
}

/** a·b: |âb̂ − ab| ≤ |â|e_b + |b̂|e_a + e_a e_b (exact identity ab − âb̂ = â(b − b̂) + b̂(a − â) + (a − â)(b − b̂)). */
export function reMul(a: Re, b: Re): Re {
  const v = a.v * b.v;
  return { v, e: up(Math.abs(a.v) * b.e + Math.abs(b.v) * a.e + a.e * b.e + U * Math.abs(v)) };
}

/**
 * a / b; requires |b̂| > e_b. With exact A, B: `A/B − â/b̂ = (A − â)/B + (â/b̂)(b̂ − B)/B`,
 * |B| ≥ |b̂| − e_b and |â/b̂| ≤ |fl(â/b̂)|(1 + u).
 */
export function reDiv(a: Re, b: Re): Re {
  const den = Math.abs(b.v) - b.e;
  if (!(den > 0)) throw new RangeError('reDiv: divisor not bounded away from 0');
  const v = a.v / b.v;
  return { v, e: up((a.e + Math.abs(v) * (1 + U) * b.e) / (den * (1 - U)) + U * Math.abs(v)) };
}

/** cos: 1-Lipschitz, plus the libm error μ|cos| ≤ μ. */
export function reCos(a: Re): Re {
  return { v: Math.cos(a.v), e: up(a.e + MU_LIBM) };
}

/** sin, as cos. */
export function reSin(a: Re): Re {
  return { v: Math.sin(a.v), e: up(a.e + MU_LIBM) };
}

/** exp: |e^{x̂} − e^{x*}| ≤ e^{x̂}(e^{e_x} − 1) ≤ e^{x̂}·e_x·e^{e_x}; libm: |fl − e^{x̂}| ≤ μ e^{x̂}, e^{x̂} ≤ v/(1 − μ). */
export function reExp(a: Re): Re {
  const v = Math.exp(a.v);
  const ex = a.e === 0 ? 0 : a.e * Math.exp(a.e);
  return { v, e: up((Math.abs(v) / (1 - MU_LIBM)) * (ex + MU_LIBM)) };
}

// ---------------------------------------------------------------------------------------------
// Double-word arithmetic (values hi + lo). Results are written into a scratch pair to avoid
// allocation in the per-neuron loops.
// ---------------------------------------------------------------------------------------------

/** Relative error charged per double-word operation (see the file comment). */
export const DD_REL = 8 * U * U;

/** A mutable double-word value. */
export interface Dd {
  hi: number;
  lo: number;
}

export const dd = (hi = 0, lo = 0): Dd => ({ hi, lo });

const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)

/** out = a + b exactly (TwoSum, Knuth). */
export function twoSum(a: number, b: number, out: Dd): Dd {
  const s = a + b;
  const bb = s - a;
  out.hi = s;
  out.lo = a - (s - bb) + (b - bb);
  return out;
}

/** out = a·b exactly (Dekker's TwoProduct with Veltkamp splitting; |a|,|b| < 2^996). */
export function twoProd(a: number, b: number, out: Dd): Dd {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  out.hi = p;
  out.lo = ah * bh - p + ah * bl + al * bh + al * bl;
  return out;
}

const T1: Dd = dd(), T2: Dd = dd();

/** out = a + b (AccurateDWPlusDW). */
export function ddAdd(a: Dd, b: Dd, out: Dd): Dd {
  twoSum(a.hi, b.hi, T1);
  twoSum(a.lo, b.lo, T2);
  let s = T1.hi, e = T1.lo + T2.hi;
  let h = s + e;
  e = e - (h - s);
  s = h;
  e += T2.lo;
  h = s + e;
  out.lo = e - (h - s);
  out.hi = h;
  return out;
}

/** out = a + x for a double x. */
export function ddAddF(a: Dd, x: number, out: Dd): Dd {
  twoSum(a.hi, x, T1);
  const e = T1.lo + a.lo;
  const h = T1.hi + e;
  out.lo = e - (h - T1.hi);
  out.hi = h;
  return out;
}

/** out = a·b (DWTimesDW1). */
export function ddMul(a: Dd, b: Dd, out: Dd): Dd {
  twoProd(a.hi, b.hi, T1);
  const t = a.hi * b.lo + a.lo * b.hi;
  const e = T1.lo + t;
  const h = T1.hi + e;
  out.lo = e - (h - T1.hi);
  out.hi = h;
  return out;
}

/** out = a / b (one Newton correction of hi/hi: relative error ≤ 4u², charged as 4·DD_REL by callers). */
export function ddDiv(a: Dd, b: Dd, out: Dd): Dd {
  const q1 = a.hi / b.hi;
  const T = twoProd(q1, b.hi, dd());
  // r = a − q1·b (the terms are exact or of order u²)
  const r = a.hi - T.hi - T.lo + a.lo - q1 * b.lo;
  const q2 = r / b.hi;
  const h = q1 + q2;
  out.lo = q2 - (h - q1);
  out.hi = h;
  return out;
}

/** 1/k! in double words, k = 0..33 (each within a few u² relative: a chain of double-word divisions). */
const INV_FACT: Dd[] = (() => {
  const t: Dd[] = [dd(1, 0)];
  for (let k = 1; k <= 33; k++) t.push(ddDiv(t[k - 1]!, dd(k, 0), dd()));
  return t;
})();

/**
 * sin and cos of a double word |y| ≤ π/4 by their Taylor polynomials of degree 33/32 in Horner form, in
 * double words (the omitted terms are below 0.79^34/34! < 1e-38; 34 double-word operations on values ≤ 1).
 */
function sinCosTaylor(y: Dd): { sin: Dd; cos: Dd } {
  const y2 = ddMul(y, y, dd());
  const s = dd(0, 0), c = dd(0, 0), t = dd();
  // sin: Σ_{k=0}^{16} (−1)^k y^{2k+1}/(2k+1)!, cos: Σ_{k=0}^{16} (−1)^k y^{2k}/(2k)!
  for (let k = 16; k >= 0; k--) {
    ddMul(s, y2, t);
    const fs = INV_FACT[2 * k + 1]!, fc = INV_FACT[2 * k]!;
    ddAdd(t, k % 2 === 0 ? fs : dd(-fs.hi, -fs.lo), s);
    ddMul(c, y2, t);
    ddAdd(t, k % 2 === 0 ? fc : dd(-fc.hi, -fc.lo), c);
  }
  return { sin: ddMul(s, y, dd()), cos: c };
}

/** (sin, cos) of x + quad·π/2 from (sin x, cos x). */
function quadrant(sc: { sin: Dd; cos: Dd }, quad: number): { sin: Dd; cos: Dd } {
  const neg = (a: Dd) => dd(-a.hi, -a.lo);
  const q = ((quad % 4) + 4) % 4;
  if (q === 1) return { sin: sc.cos, cos: neg(sc.sin) };
  if (q === 2) return { sin: neg(sc.sin), cos: neg(sc.cos) };
  if (q === 3) return { sin: neg(sc.cos), cos: sc.sin };
  return sc;
}

/**
 * sin(πp/q) and cos(πp/q) in double words for integers p ≥ 0, q ≥ 1 (< 2^50), with an absolute error
 * bound: the angle is reduced exactly with integers to y = π·r/(2q) ∈ [0, π/4] (quadrant and
 * complement symmetries), then Taylor series in double words (the remainder of an alternating series is
 * below its first omitted term). Errors: π as PI_DD (1e-31 relative), DD_REL per double-word operation
 * (about 40 of them, on values ≤ 1): below 1e-29.
 */
export function ddSinCosPi(p: number, q: number): { sin: Dd; cos: Dd; err: number } {
  // θ = πp/q; with P = (2p) mod (4q): θ mod 2π = π·P/(2q); quadrant = floor(P/q), x = π·(P mod q)/(2q) ∈ [0, π/2)
  const P = (2 * p) % (4 * q);
  let r = P % q;
  let swap = false;
  if (2 * r > q) {
    r = q - r; // π/2 − x
    swap = true;
  }
  const y = ddMul(PI_DD, ddDiv(dd(r, 0), dd(2 * q, 0), dd()), dd());
  const sc = sinCosTaylor(y);
  const base = swap ? { sin: sc.cos, cos: sc.sin } : sc;
  return { ...quadrant(base, Math.floor(P / q)), err: 1e-29 };
}

/**
 * cos(a) for a double word a (|a| < 2^40), in double words with an absolute error bound: a − k·π/2,
 * k = round(a/(π/2)), in double words (error ≤ |k|·PI_DD_ERR/2 + DD_REL·|a|·4), then `sinCosTaylor`.
 */
export function ddCosAccurate(a: Dd): { c: Dd; err: number } {
  const k = Math.round(a.hi / (Math.PI / 2));
  const halfPi = dd(PI_DD.hi / 2, PI_DD.lo / 2);
  const kp = ddMul(dd(k, 0), halfPi, dd());
  const r = ddAdd(a, dd(-kp.hi, -kp.lo), dd());
  const sc = quadrant(sinCosTaylor(r), k);
  return { c: sc.cos, err: up(1e-29 + Math.abs(k) * PI_DD_ERR + 8 * DD_REL * (Math.abs(a.hi) + 1)) };
}

/** |a| as a double, rounded up (|hi| + |lo| with the sum's rounding). */
export const ddAbsUp = (a: Dd): number => up(Math.abs(a.hi) + Math.abs(a.lo));

/** π as a double word: π = PI_DD.hi + PI_DD.lo within 1e-32. */
export const PI_DD: Readonly<Dd> = { hi: Math.PI, lo: 1.2246467991473532e-16 };
/** |π − (PI_DD.hi + PI_DD.lo)| ≤ PI_DD_ERR. */
export const PI_DD_ERR = 1e-31;

/**
 * cos(a) for a double-word argument, with a bound on its error: `cos(hi + lo) = cos(hi)cos(lo) −
 * sin(hi)sin(lo)` and `|cos(lo) − 1| ≤ lo²/2`, `|sin(lo) − lo| ≤ |lo|³/6`, so `cos(hi) − sin(hi)·lo` is
 * within `lo²` of it; libm adds ≤ μ to cos(hi) and μ|lo| to the product, the two float operations u·2
 * each (|value| ≤ 1 + |lo|).
 */
export function ddCos(a: Dd): { v: number; e: number } {
  const c = Math.cos(a.hi), s = Math.sin(a.hi);
  const v = c - s * a.lo;
  const l = Math.abs(a.lo);
  return { v, e: up(MU_LIBM * (1 + l) + l * l + 4 * U * (1 + l)) };
}

// ---------------------------------------------------------------------------------------------
// Routing (the only non-trivial float operations before the FFN)
// ---------------------------------------------------------------------------------------------

/**
 * Relative error bound θ of the softmax weights computed by the tensor core for the routing scores
 * `s = (λ at one key, 0 elsewhere)`, exact in float (query `λ·1`, key a 0/1 entry, τ = 1). See
 * `softmaxRows` in src/tensor/ops.ts: max-subtract (exact: λ − λ = 0, 0 − λ = −λ), `ê_j = exp(·)`
 * (`exp(0) = 1` exactly by ECMAScript; libm otherwise), `sum` sequential (γ_{n−1}), `inv = fl(1/sum)`,
 * `α̂_j = fl(ê_j·inv)`. Exactly: `α̂_j = α_j(1+ε_j)(1+δ₁)(1+δ₂)/((1+ε̄)(1+ζ))` with |ε_j|, |ε̄| ≤ μ,
 * |ζ| ≤ γ_{n−1}, |δ| ≤ u, so `|α̂_j/α_j − 1| ≤ (1+μ)(1+u)²/((1−μ)(1−γ_{n−1})) − 1`.
 */
export function softmaxRelError(n: number): number {
  const g = gamma(Math.max(n - 1, 0));
  return up(((1 + MU_LIBM) * (1 + U) * (1 + U)) / ((1 - MU_LIBM) * (1 - g)) - 1);
}

/**
 * Error bound of one routed value `ŷ_{h,c} = fl(Σ_j α̂_{hj} x̂'_{jc})` (sequential over j, as
 * `mhaSublayer` sums) against the exact `y = Σ_j α_{hj} x'_{jc}` (α the exact softmax weights of the
 * stored λ, x' = x − center the exact centred input), given `|x'_{jc}| ≤ xMax`, where `x̂' = fl(x −
 * center)` has `|x̂' − x'| ≤ u|x'|` (`centred = true`; exact, e.g. by Sterbenz, for offset domains):
 * `|ŷ − Σα̂x̂'| ≤ γ_n Σ|α̂x̂'|`, `|Σα̂x̂' − Σαx'| ≤ θΣα|x̂'| + Σα|x̂' − x'|`, and Σα = 1. Every other
 * pre-FFN operation multiplies by 0 or 1 or adds exact zeros (docs/construction.md token layout).
 */
export function routingValueError(n: number, xMax: number, centred = false): number {
  const th = softmaxRelError(n);
  const xr = xMax * (centred ? 1 + U : 1);
  return up(gamma(n) * (1 + th) * xr + th * xr + (centred ? U * xMax : 0));
}
