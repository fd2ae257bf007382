/**
 * [lem:ridge-pl] Ridge realisation of `cos(π ν·x̃)` by one-hidden-layer ReLU neurons (docs/math.md §2,
 * "Ridge realisation").
 *
 * For ν ∈ Λ⁺, `t = π ν·x̃ ∈ [t_lo, t_hi]`, `t_lo = π Σ min(ν_k, 0)`, `t_hi = π Σ max(ν_k, 0)`.
 * Knots `t_j = t_lo + j·(t_hi − t_lo)/K`, `K = ⌈(t_hi − t_lo)/h⌉` (step ≤ h), slopes
 * `s_j = (cos t_{j+1} − cos t_j)/(t_{j+1} − t_j)`, and
 *   `ℓ(t) = cos t_0 + s_0·ReLU(t − t_0) + Σ_{j=1}^{K−1} (s_j − s_{j−1})·ReLU(t − t_j)`,
 * the piecewise-linear interpolant of cos: `|ℓ − cos| ≤ h²/8` on [t_lo, t_hi] (the interpolation
 * remainder `|cos''|·(t − t_j)(t_{j+1} − t)/2 ≤ h²/8`). Below t_0 the sum is the constant cos t_0,
 * above t_K it continues with slope s_{K−1}; every slope is a chord slope of cos, so ℓ is
 * 1-Lipschitz on all of ℝ (used by the `leak` routing bound).
 *
 * Since t_lo/π and t_hi/π are integers (`kLo = Σ min(ν_k,0)`, `kHi = Σ max(ν_k,0)`), the knots
 * are `t_j = π·(kLo·K + j·s)/K` with `s = |ν|_1 = kHi − kLo`; they are computed from that integer
 * numerator (exact) with two roundings, and `cos t_0 = (−1)^{kLo}`, `cos t_K = (−1)^{kHi}` exactly.
 * @see proofs/lem-ridge-pl.md
 */
import { U, MU_LIBM, gamma, up } from './float-bound.ts';
import { type CertificateTerm, makeTerm, toEntryRows } from '../certificate/index.ts';

/** Knots per ν: `K = max(1, ⌈π s/h⌉)` for `s = |ν|_1` (the one formula used for width and build). */
export function ridgePlKnotCount(s: number, h: number): number {
  return Math.max(1, Math.ceil((Math.PI * s) / h));
}

/**
 * Width of the construction, `n·(1 + Σ_{ν∈Λ⁺} K_ν)`, from the |ν|_1 histogram of Λ⁺
 * (`fkTrigL1Histogram`), without enumerating or allocating anything.
 */
export function ridgePlWidth(n: number, l1Hist: Float64Array, h: number): number {
  let s = 0;
  for (let l1 = 1; l1 < l1Hist.length; l1++) {
    const c = l1Hist[l1]!;
    if (c) s += c * ridgePlKnotCount(l1, h);
  }
  return n * (1 + s);
}

/** The PL pieces of one ν (all values float64, with running-error bounds against the exact ones). */
export interface RidgePl {
  kLo: number;
  kHi: number;
  /** |ν|_1 */
  s: number;
  K: number;
  /** knots t̂_0..t̂_K (K+1) and bounds |t̂_j − t_j| */
  knots: Float64Array;
  knotErr: Float64Array;
  /** the largest knot step, rounded up (the h of the bound) */
  hMax: number;
  /** cos t_0 = (−1)^{kLo} (exact) */
  cos0: number;
  /** slopes ŝ_0..ŝ_{K−1} and bounds |ŝ_j − s_j| */
  slopes: Float64Array;
  slopeErr: Float64Array;
  /** ReLU coefficients a_0 = s_0, a_j = s_j − s_{j−1} (K), and bounds on |â_j − a_j| */
  coef: Float64Array;
  coefErr: Float64Array;
}

/** The knot t̂_j = fl(π̂·fl((kLo·K + j·s)/K)) and its error bound (π̂, two roundings: ≤ 3u|t| + O(u²)). */
export function ridgePlKnot(kLo: number, s: number, K: number, j: number): number {
  return Math.PI * ((kLo * K + j * s) / K);
}
export const ridgePlKnotError = (t: number): number => 4 * U * Math.abs(t);

/** Builds ℓ for the integer range [kLo, kHi] (t ∈ π·[kLo, kHi]) and step limit h. */
export function buildRidgePl(kLo: number, kHi: number, h: number): RidgePl {
  const s = kHi - kLo;
  if (!(s > 0) || !Number.isInteger(kLo) || !Number.isInteger(kHi)) throw new RangeError('buildRidgePl: need integers kLo < kHi');
  const K = ridgePlKnotCount(s, h);
  const knots = new Float64Array(K + 1);
  const knotErr = new Float64Array(K + 1);
  const cosv = new Float64Array(K + 1);
  const cosErr = new Float64Array(K + 1);
  for (let j = 0; j <= K; j++) {
    knots[j] = ridgePlKnot(kLo, s, K, j);
    knotErr[j] = ridgePlKnotError(knots[j]!);
    cosv[j] = Math.cos(knots[j]!);
    cosErr[j] = knotErr[j]! + MU_LIBM;
  }
  cosv[0] = kLo % 2 === 0 ? 1 : -1;
  cosErr[0] = 0;
  cosv[K] = kHi % 2 === 0 ? 1 : -1;
  cosErr[K] = 0;
  // the exact step Δ = π s/K; its float value fl(π̂·fl(s/K)), error ≤ 3u·Δ
  const delta = Math.PI * (s / K);
  const deltaErr = 4 * U * delta;
  const hMax = up(delta + deltaErr);
  const slopes = new Float64Array(K);
  const slopeErr = new Float64Array(K);
  const coef = new Float64Array(K);
  const coefErr = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    const d = cosv[j + 1]! - cosv[j]!;
    const dErr = cosErr[j + 1]! + cosErr[j]! + U * Math.abs(d);
    const sl = d / delta;
    slopes[j] = sl;
    slopeErr[j] = (dErr + Math.abs(sl) * deltaErr) / (delta - deltaErr) + U * Math.abs(sl);
    if (j === 0) {
      coef[0] = sl;
      coefErr[0] = slopeErr[0]!;
    } else {
      const a = sl - slopes[j - 1]!;
      coef[j] = a;
      coefErr[j] = slopeErr[j]! + slopeErr[j - 1]! + U * Math.abs(a);
    }
  }
  return { kLo, kHi, s, K, knots, knotErr, hMax, cos0: cosv[0]!, slopes, slopeErr, coef, coefErr };
}

/** ℓ(t) as the network computes it: the ReLU sum. */
export function ridgePlEval(r: RidgePl, t: number): number {
  let v = r.cos0;
  for (let j = 0; j < r.K; j++) {
    const z = t - r.knots[j]!;
    if (z > 0) v += r.coef[j]! * z;
  }
  return v;
}

/** Bound on |ridgePlEval(t) − ℓ*(t)|, ℓ* the exact ReLU sum with the exact knots and coefficients. */
export function ridgePlEvalErrorBound(r: RidgePl, t: number): number {
  let e = 0;
  let mag = 1;
  for (let j = 0; j < r.K; j++) {
    const z = t - r.knots[j]!;
    // exact z* = t − t_j; |ẑ − z*| ≤ knotErr + u|ẑ|; ReLU is 1-Lipschitz
    const ze = r.knotErr[j]! + U * Math.abs(z);
    if (z + ze > 0) {
      const zp = Math.max(z, 0) + ze;
      e += Math.abs(r.coef[j]!) * ze + r.coefErr[j]! * zp;
      mag += Math.abs(r.coef[j]!) * zp;
    }
  }
  return up(e + gamma(r.K + 1) * mag);
}

/**
 * ℓ(t) by direct piecewise-linear interpolation of the float cos values at the float knots
 * (binary search for the piece), constant below t_0 and continuing the last piece above t_K.
 */
export function ridgePlInterp(r: RidgePl, t: number): number {
  const kn = r.knots;
  if (t <= kn[0]!) return r.cos0;
  let lo = 0, hi = r.K;
  if (t >= kn[r.K]!) lo = r.K - 1;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (kn[mid]! <= t) lo = mid;
      else hi = mid;
    }
  }
  // value at knot lo by the chord slopes: cos0 + Σ_{i<lo} s_i Δ — the same function in exact arithmetic
  const c0 = lo === 0 ? r.cos0 : lo === r.K ? (r.kHi % 2 === 0 ? 1 : -1) : Math.cos(kn[lo]!);
  return c0 + r.slopes[lo]! * (t - kn[lo]!);
}

/**
 * Bound on |ridgePlInterp(t) − ℓ*(t)| (ℓ* the exact interpolant at the exact knots): the knot
 * value (cos at t̂_lo: knot error + libm), the slope error times |t − t_lo|, the product and
 * sum roundings, and 4·knotErr for a piece chosen by the float knots when t is within a knot
 * error of a breakpoint (ℓ* is continuous with slopes in [−1, 1]).
 */
export function ridgePlInterpErrorBound(r: RidgePl, t: number): number {
  const kn = r.knots;
  let lo = 0;
  while (lo + 1 < r.K && kn[lo + 1]! <= t) lo++;
  if (t <= kn[0]!) return up(4 * r.knotErr[0]!);
  const z = t - kn[lo]!;
  const ze = r.knotErr[lo]! + U * Math.abs(z);
  const cErr = lo === 0 ? 0 : r.knotErr[lo]! + MU_LIBM;
  const sl = Math.abs(r.slopes[lo]!);
  const prod = sl * Math.abs(z);
  return up(cErr + sl * ze + r.slopeErr[lo]! * (Math.abs(z) + ze) + U * prod + U * (1 + prod) + 4 * r.knotErr[lo]! + 4 * r.knotErr[Math.min(lo + 1, r.K)]!);
}

/** [lem:ridge-pl] `h²/8 · S`, S = Σ_ν |c_ν| (rounded up). */
export function ridgePlBound(h: number, S: number): number {
  return up(((h * h) / 8) * S * (1 + 3 * U));
}

/**
 * [lem:ridge-pl] applied per ridge: `Σ_ν |c_ν|·h_ν²/8`, from groups `[h, S]` (S = Σ|c_ν| of the ridges
 * in the group, h ≥ each of their largest steps), rounded up.
 */
export function ridgePlGroupsBound(groups: readonly (readonly [number, number])[]): number {
  let s = 0;
  for (const [h, S] of groups) s += ridgePlBound(h, S);
  return up(s * (1 + gamma(groups.length + 1)));
}

/** The certificate term of lem:ridge-pl: per entry the groups [h, Σ|c_ν|] its value is recomputed from. */
export function ridgePlTerm(groups: readonly (readonly [number, number])[][], values: ArrayLike<number>, n: number, dOut: number): CertificateTerm {
  return makeTerm('lem:ridge-pl',
    'Σ over groups of S·h²/8 per entry: each kept ridge ν is the PL interpolant of cos with its own knots; h = the largest step stored in the group, S = Σ|c_ν| over the group',
    { groups: toEntryRows(groups, n, dOut) }, values, n, dOut);
}
