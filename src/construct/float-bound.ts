/**
 * Rounding-error bookkeeping for the construction (the `float` term of the certificate).
 *
 * The construction computes its weights in float64 from real formulas (π, exp, cos, quotients),
 * and the forward pass evaluates the layer in float64. To make "observed error ≤ certificate
 * total" an honest claim, every such rounding is bounded a priori with the standard model of
 * floating-point arithmetic (Higham, *Accuracy and Stability of Numerical Algorithms*, §2–3):
 * `fl(a ∘ b) = (a ∘ b)(1 + δ)`, `|δ| ≤ u = 2⁻⁵³` for `∘ ∈ {+, −, ×, ÷}` (round to nearest; no
 * underflow in the ranges used here), and a sum of `k` products in any order is within
 * `γ_k Σ|terms|`, `γ_k = k·u/(1 − k·u)`. `Math.exp`, `Math.cos`, `Math.sin` are assumed within
 * `LIBM_ULPS` ulps (the same assumption as the scalar reference forward, self-tested by the
 * interval module), i.e. a relative error `≤ 2·LIBM_ULPS·u` (one ulp of `y` is at most `2u|y|`).
 *
 * `Re` is a *running error* value: a float `v` and a bound `e ≥ |v − v*|` on its distance to
 * the real quantity `v*` it stands for. The operations below propagate `e` to first order plus the
 * exact product of input errors (so they are rigorous up to the rounding of the bound's own
 * arithmetic, which is covered by the factor `FLOAT_SAFETY = 2` applied to the final `float`
 * term; every bound here is many orders of magnitude below the approximation terms).
 * @see proofs/thm-main.md
 */
import { U, MU_LIBM, gamma, up } from '../float.ts';
export { U, MU_LIBM, gamma, up };
/** Factor applied to the final float term: covers the dropped second-order terms and the
 * rounding of the bound computation itself (both relative O(u) of the bound). */
export const FLOAT_SAFETY = 2;


/** A float value with a bound on its distance to the real quantity it represents. */
export interface Re {
  readonly v: number;
  readonly e: number;
}

/** An exactly representable quantity. */
export const exact = (v: number): Re => ({ v, e: 0 });

/** π as `Math.PI`: |Math.PI − π| < 1.23e-16 ≤ u·π. */
export const PI_RE: Re = { v: Math.PI, e: U * Math.PI };

export function reAdd(a: Re, b: Re): Re {
  const v = a.v + b.v;
  return { v, e: a.e + b.e + U * Math.abs(v) };
}

export function reSub(a: Re, b: Re): Re {
  const v = a.v - b.v;
  return { v, e: a.e + b.e + U * Math.abs(v) };
}

export function reMul(a: Re, b: Re): Re {
  const v = a.v * b.v;
  return { v, e: Math.abs(a.v) * b.e + Math.abs(b.v) * a.e + a.e * b.e + U * Math.abs(v) };
}

/** a / b; requires |b.v| > b.e (b bounded away from 0). With exact values A, B:
 * A/B − â/b̂ = (A − â)/B + (â/b̂)(b̂ − B)/B and |B| ≥ |b̂| − e_b. */
export function reDiv(a: Re, b: Re): Re {
  const den = Math.abs(b.v) - b.e;
  if (!(den > 0)) throw new RangeError('reDiv: divisor not bounded away from 0');
  const v = a.v / b.v;
  return { v, e: (a.e + Math.abs(v) * b.e) / den + U * Math.abs(v) };
}

/** cos with the libm assumption: |cos(x̂) − cos(x*)| ≤ |x̂ − x*| (1-Lipschitz), plus libm error ≤ μ (|cos| ≤ 1). */
export function reCos(a: Re): Re {
  return { v: Math.cos(a.v), e: a.e + MU_LIBM };
}

/** sin, as cos. */
export function reSin(a: Re): Re {
  return { v: Math.sin(a.v), e: a.e + MU_LIBM };
}

/** exp: |e^{x̂} − e^{x*}| ≤ e^{x̂}(e^{e_x} − 1) ≤ e^{x̂}·e_x·e^{e_x}, plus libm error μ·|v|. */
export function reExp(a: Re): Re {
  const v = Math.exp(a.v);
  const ex = a.e === 0 ? 0 : a.e * Math.exp(a.e);
  return { v, e: Math.abs(v) * (ex + MU_LIBM) * (1 + MU_LIBM) };
}

/**
 * Relative error bound of the softmax weights computed by the tensor core for the routing
 * scores `s = (λ at one key, 0 elsewhere)` (which are exact in float: the query is `λ·1`, the
 * key a one-hot 0/1 entry and τ = 1): `α̂_j = α_j (1 + θ)`, `|θ| ≤ μ (exp) + γ_{n−1} (sum)
 * + 2u (reciprocal, product)` plus second order. See `softmaxRows` in src/tensor/ops.ts:
 * max-subtract (exact here: λ − λ = 0, 0 − λ = −λ), exp, sum, `inv = 1/sum`, `α = e·inv`.
 */
export function softmaxRelError(n: number): number {
  const t = MU_LIBM + gamma(Math.max(n - 1, 0)) + 2 * U;
  return t * (1 + 2 * t);
}

/**
 * Error bound of one routed value `ŷ_{h,c} = fl(Σ_j α̂_{hj} x_{jc})` against the exact
 * `Σ_j α_{hj} x_{jc}` (α exact softmax weights of the stored λ), given `|x_{jc}| ≤ xMax`:
 * `γ_n Σ|α̂ x| + Σ|α̂ − α||x| ≤ (γ_n(1+θ) + θ) xMax`. The remaining steps of the attention
 * (the value projection, `W_O`, the residual add) multiply by 1 and add exact zeros, so they are
 * exact (docs/math.md §2 token layout).
 */
export function routingValueError(n: number, xMax: number): number {
  const th = softmaxRelError(n);
  return (gamma(n) * (1 + th) + th) * xMax;
}
